import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../sim/scenario/load.js';
import { summaryRows, timeseriesCsv } from '../sim/output/results-files.js';
import { runScenario } from '../sim/run/run-scenario.js';
import { splitCounts, splitSecretSyncs } from '../sim/model/vault-split.js';
import { sim } from './cli-runner.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TWO_VAULTS = `name: two
seed: 4
trials: 20
horizon: 5m
fleet:
  - {name: a, clusters: 60, secretSyncs: 4, vault: {kv-a: 25%, kv-b: 75%}, jitterSeconds: 20, latency: 0, rotationPollIntervalInSeconds: 10m}
  - {name: b, clusters: 40, secretSyncs: 5, vault: [kv-a, kv-b], jitterSeconds: 20, latency: 0, rotationPollIntervalInSeconds: 10m}
vaults:
  - {name: kv-a, limiter: {kind: token-bucket, capacity: 1000, refillPerSecond: 100}}
  - {name: kv-b, limiter: {kind: sliding-window, limit: 50, window: 5s}}
subscription: {limiter: {kind: token-bucket, capacity: 5000, refillPerSecond: 500}}
client: {retry: none, requeue: {baseDelay: 1h, maxDelay: 1h}}
`;

test('a split holds for the group: each vault within one SecretSync of its share, every prefix of the group near its pace', () => {
  // One SecretSync per cluster, 30% / 70%: rounding per cluster gave kv-a none.
  assert.equal(splitCounts([0.3, 0.7], 2000), [600, 1400]);
  // Dealt out: kv-a every third or fourth SecretSync, not the first 30% of the group's clusters.
  assert.equal([...splitSecretSyncs([0.3, 0.7], 10)!], [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]);
  assert.equal(splitCounts([0.5, 0.5], 5), [3, 2], 'a tie to the first');
  assert.equal(splitCounts([0.96, 0.02, 0.02], 30), [28, 1, 1], 'a vault below one SecretSync is served first');
  assert.is(splitCounts([0.98, 0.01, 0.01], 50), null, 'two vaults of half a SecretSync each and one remainder to give');
  assert.is(splitCounts([0.5, 0.5], 1), null);
  let state = 7;
  const rng = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let round = 0; round < 300; round++) {
    const k = 2 + Math.floor(rng() * 3);
    const raw: number[] = Array.from({ length: k }, () => (rng() < 0.15 ? 0 : rng()));
    if (!raw.some((x) => x > 0)) raw[0] = 1;
    const total = raw.reduce((a, b) => a + b, 0);
    const shares = raw.map((x) => x / total);
    const n = 1 + Math.floor(rng() * 400);
    const layout = splitSecretSyncs(shares, n);
    const counts = splitCounts(shares, n);
    if (!layout || !counts) {
      // Refused only when some vault with a share would have none.
      assert.ok(shares.some((s) => s > 0 && s * n < 1), `${shares} of ${n} refused`);
      continue;
    }
    const given = new Array<number>(k).fill(0);
    for (let j = 0; j < n; j++) {
      given[layout[j]]++;
      for (let v = 0; v < k; v++) assert.ok(Math.abs(given[v] - (counts[v] * (j + 1)) / n) < k - 1 + 1e-9, `prefix ${j + 1} of ${n}, vault ${v}`);
    }
    assert.equal(given, counts);
    for (let v = 0; v < k; v++) {
      assert.ok(Math.abs(counts[v] - shares[v] * n) < 1, `vault ${v}: ${counts[v]} for ${shares[v] * n}`);
      assert.ok(counts[v] > 0 || shares[v] === 0, `vault ${v} has a share and no SecretSync`);
    }
  }
});

test('a 30% / 70% split of one SecretSync a cluster: 30% of the rollout\'s GETs to kv-a; sim validate shows it, and refuses a split that cannot be met', async () => {
  const yaml = `name: split
seed: 3
trials: 4
horizon: 2m
fleet:
  - {name: prod, clusters: 2000, secretSyncs: 1, vault: {kv-a: 30%, kv-b: 70%}, jitterSeconds: 60, latency: 0}
  - {name: dev, clusters: 100, secretSyncs: 7, vault: {kv-a: 30%, kv-b: 70%}, jitterSeconds: 60, latency: 0}
vaults: [{name: kv-a}, {name: kv-b}]
client: {retry: none}
`;
  const scenario = parseScenario(yaml, 'split.yaml');
  const [row] = summaryRows(scenario, await runScenario(scenario, { workers: 0, progress: false }));
  // One rollout read of every SecretSync, nothing throttled: the counts are the layout's.
  assert.is(row.get('throttled_mean'), 0);
  assert.is(row.get('vault.kv-a.requests_mean'), 600 + 210);
  assert.is(row.get('vault.kv-b.requests_mean'), 1400 + 490);
  const dir = mkdtempSync(join(tmpdir(), 'sim-split-'));
  const file = join(dir, 'split.yaml');
  writeFileSync(file, yaml);
  const ok = sim('validate', file);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /prod 2000x1 .* -> kv-a 30% \(asked 30%\) = 600 SecretSyncs \/ kv-b 70% \(asked 70%\) = 1400 SecretSyncs/);
  const one = sim('validate', file, '--set', 'fleet.0.clusters=1');
  assert.is(one.code, 2);
  assert.is(one.stderr.trim(), `sim: ${file}: fleet.0.vault: group "prod" has 1 SecretSync(s) (clusters x secretSyncs) for 2 vaults with a share, so some vault would get none; more SecretSyncs or fewer vaults`);
  const three = join(dir, 'three.yaml');
  writeFileSync(three, yaml.replace('vaults: [{name: kv-a}, {name: kv-b}]', 'vaults: [{name: kv-a}, {name: kv-b}, {name: kv-c}]').replace('{kv-a: 30%, kv-b: 70%}, jitterSeconds: 60, latency: 0}\nvaults', '{kv-a: 99.9%, kv-b: 0.05%, kv-c: 0.05%}, jitterSeconds: 60, latency: 0}\nvaults'));
  const thin = sim('validate', three, '--set', 'fleet.1.secretSyncs=10');
  assert.is(thin.code, 2);
  assert.is(thin.stderr.trim(), `sim: ${three}: fleet.1.vault: group "dev"'s 1000 SecretSyncs cannot give every vault with a share one SecretSync and keep each within one SecretSync of its share (kv-b's 0.5, kv-c's 0.5 SecretSyncs); larger shares for those vaults or more SecretSyncs`);
});

test('per vault and for the subscription: counts that add up, peaks below the fleet\'s, headroom from the limit', async () => {
  const scenario = parseScenario(TWO_VAULTS, 'two.yaml');
  const results = await runScenario(scenario, { workers: 0, progress: false });
  const [row] = summaryRows(scenario, results);
  const get = (c: string) => row.get(c) as number;
  // One rollout read, no retries (a failed reconcile is requeued after the horizon): group a
  // sends 60 x 1 to kv-a and 60 x 3 to kv-b; group b's clusters alternate (20 x 5 each). Every
  // trial alike.
  assert.is(get('vault.kv-a.requests_mean'), 60 + 100);
  assert.is(get('vault.kv-b.requests_mean'), 180 + 100);
  assert.is(get('subscription.requests_mean'), get('requests_mean'));
  assert.is(get('subscription.throttled_mean'), get('vault.kv-a.throttled_mean') + get('vault.kv-b.throttled_mean'));
  assert.is(get('subscription.throttled_mean'), get('throttled_mean'));
  for (const v of ['kv-a', 'kv-b']) {
    assert.ok(get(`vault.${v}.peak10s_mean`) <= get('peak10s_mean') && get(`vault.${v}.peakRps_mean`) <= get('peakRps_mean'), v);
  }
  assert.is(get('subscription.peak10s_mean'), get('peak10s_mean'));
  // Headroom: kv-a's limit is 1,000 per 10 s, kv-b's 50 per 5 s = 100 per 10 s.
  const trials = results[0].trials;
  assert.ok(Math.abs(get('vault.kv-b.headroom_mean') - (1 - get('vault.kv-b.peak10s_mean') / 100)) < 1e-9);
  assert.ok(Math.abs(get('subscription.headroom_mean') - (1 - get('peak10s_mean') / 5000)) < 1e-9);
  assert.ok(get('vault.kv-a.peak10s_lo') >= 0 && get('vault.kv-a.headroom_hi') <= 1);
  assert.is(trials, 20);
  assert.ok(get('vault.kv-b.throttled_mean') > 0 && get('vault.kv-a.throttled_mean') === 0, 'kv-b alone throttles');
  // The timeseries: each vault's requests, 429s, trailing 10-s sum and limit; the vaults add up.
  const lines = timeseriesCsv(scenario, results).trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => lines[0].indexOf(name);
  assert.ok(col('vault.kv-b.trailing10s_mean') > 0 && col('vault.kv-a.limit10s') > 0);
  let trailing = 0;
  for (const [k, line] of lines.slice(1).entries()) {
    const a = Number(line[col('vault.kv-a.requests_mean')]);
    const b = Number(line[col('vault.kv-b.requests_mean')]);
    assert.ok(Math.abs(a + b - Number(line[col('requests_mean')])) < 1e-9, `bin ${k}`);
    const throttled = Number(line[col('vault.kv-a.throttled_mean')]) + Number(line[col('vault.kv-b.throttled_mean')]);
    assert.ok(Math.abs(throttled - Number(line[col('throttled_mean')])) < 1e-9, `429s in bin ${k}`);
    trailing += b - (k >= 10 ? Number(lines[k - 9][col('vault.kv-b.requests_mean')]) : 0);
    assert.ok(Math.abs(Number(line[col('vault.kv-b.trailing10s_mean')]) - trailing) < 1e-6, `trailing sum at ${k}`);
    assert.is(line[col('vault.kv-b.limit10s')], '100');
  }
});

test.run();
