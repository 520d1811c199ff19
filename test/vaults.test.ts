import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../sim/scenario/load.js';
import { summaryRows, timeseriesCsv } from '../sim/output/results-files.js';
import { runScenario } from '../sim/run/run-scenario.js';
import { shareIndex } from '../sim/model/fleet-layout.js';

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

test('SecretSyncs split over vaults by share: the first share of each cluster to the first vault', () => {
  assert.equal([0, 1, 2, 3].map((k) => shareIndex([0.25, 0.75], k, 4)), [0, 1, 1, 1]);
  assert.equal([0, 1, 2, 3, 4].map((k) => shareIndex([0.5, 0.5], k, 5)), [0, 0, 0, 1, 1], 'round(2.5) = 3');
  assert.equal([0, 1, 2].map((k) => shareIndex([1 / 3, 1 / 3, 1 / 3], k, 3)), [0, 1, 2]);
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
