import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { refreshOverProbability, secondOverProbability } from '../sim/analytic/exact.js';
import { PUBLISHED_LIMITERS, recipeFleetModel } from '../sim/analytic/recipe-fleet-model.js';
import { sim } from './cli-runner.js';
import { metric, run, sum } from './helpers.js';


test('simulated refreshOver and pSecondOver agree with the exact values for several (N, S, J)', () => {
  const trials = 2000;
  for (const [clusters, secrets, jitter] of [[300, 20, 30], [120, 25, 10], [80, 30, 8]] as const) {
    const fleet = { clusters, secretsPerCluster: secrets, perSecondLimit: 400 };
    const b = run(recipeFleetModel(fleet, jitter, PUBLISHED_LIMITERS['token-bucket']), trials, `check-${clusters}`);
    const k = Math.floor(400 / secrets);
    const refresh = refreshOverProbability(clusters, jitter, k);
    const observed = sum(metric(b, 'refreshOver')) / trials;
    const se = Math.sqrt((refresh * (1 - refresh)) / trials);
    assert.ok(Math.abs(observed - refresh) < 4 * se, `N=${clusters} S=${secrets} J=${jitter}: refreshOver ${observed}, exact ${refresh} +- ${4 * se}`);
    // Seconds within a trial are correlated: n = trials is the conservative count.
    const second = secondOverProbability(clusters, jitter, k);
    const pooled = sum(metric(b, 'refreshSecondsOver')) / sum(metric(b, 'refreshSeconds'));
    const se2 = Math.sqrt((second * (1 - second)) / trials);
    assert.ok(Math.abs(pooled - second) < 4 * se2, `N=${clusters} S=${secrets} J=${jitter}: pSecondOver ${pooled}, exact ${second} +- ${4 * se2}`);
  }
});

test('sim jitter: the documentation\'s worked examples', () => {
  const r = sim('jitter', '--clusters', '700', '--secrets', '30');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /recommended jitterSeconds: 190 \(recipe 189\.27 s/);
  assert.match(r.stdout, /documentation's P\(exceed\) at the recipe's rate: 0\.0034%/);
  const at760 = sim('jitter', '--clusters', '700', '--secrets', '30', '--jitter', '760');
  assert.match(at760.stdout, /Poisson \(the documentation's check\)\s+0\.00000000015%/);
  const basic = sim('jitter', '--clusters', '700', '--secrets', '30', '--longest-refresh', '75m');
  assert.match(basic.stdout, /basic method: 900 s/);
  const bad = sim('jitter', '--clusters', '700', '--secrets', '30', '--risk', '2');
  assert.is(bad.code, 2);
  assert.is(bad.stderr, 'sim: --risk: expected a probability between 0 and 0.5, got 2\n');
});

test('sim table reproduces every documented cell within its rounding, and writes the CSV', () => {
  const out = mkdtempSync(join(tmpdir(), 'sim-table-'));
  const r = sim('table', '--out', out);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /differs: 0 of 40 cells/);
  const rows = parse(readFileSync(join(out, 'jitter-table.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.is(rows.length, 40);
  for (const row of rows) {
    assert.is(row.documentedJitterSeconds, row.recipeRounded, `${row.secretsPerCluster} x ${row.clusters}`);
    assert.ok(Number(row.exactRefreshOver) >= Number(row.exactPSecondOver));
  }
  // A table with one changed cell: that cell is marked.
  const changed = join(out, 'changed.csv');
  writeFileSync(changed, 'secrets_per_cluster,clusters_700\n30,200\n');
  const c = sim('table', '--table', changed, '--out', out);
  assert.match(c.stdout, /differs: 1 of 1 cells/);
  assert.match(c.stdout, /200\*190/);
  writeFileSync(changed, 'secrets_per_cluster,clusters_700\n30,soon\n');
  const bad = sim('table', '--table', changed, '--out', out);
  assert.is(bad.code, 2);
  assert.is(bad.stderr, `sim: ${changed}:2: clusters_700: expected a number of at least 0, got "soon"\n`);
});

test('sim recommend: the least jitter proven below the target, near the exact boundary', () => {
  // Two clusters of one GET each against a bucket of one token refilled at 1/s: the second GET
  // is throttled when the two land within 1 s, with probability 2/J - 1/J^2 (J >= 1). Below a
  // target of 2% from J = 99.5 s (token bucket and sliding window alike; a fixed window with a
  // random phase throttles only when both land in one window, 1/J). A proof near the boundary
  // needs a margin of a few J more.
  const dir = mkdtempSync(join(tmpdir(), 'sim-recommend-'));
  const file = join(dir, 'pair.yaml');
  writeFileSync(
    file,
    `name: pair
horizon: 1000
fleet:
  - {clusters: 2, secretSyncs: 1, latency: 0}
vaults:
  - {name: kv, limiter: {kind: token-bucket, capacity: 1, refillPerSecond: 1}}
subscription: none
client: {retry: none}
`,
  );
  const r = sim('recommend', file, '--target', '0.02', '--workers', '2');
  assert.is(r.code, 0, r.stderr);
  const m = /recommended jitterSeconds: (\d+) \(the largest of the shapes\); the documented recipe: \d+; from (\d+) trials/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const j = Number(m![1]);
  assert.ok(j >= 100 && j <= 130, `recommended ${j} s; exact 2% at 99.5 s`);
  const fixed = Number(/fixed-window\s+(\d+)/.exec(r.stdout)![1]);
  assert.ok(fixed >= 50 && fixed <= 70, `fixed window ${fixed} s; exact 2% at 50 s`);
  assert.is(sim('recommend', file, '--target', '0.02', '--workers', '1').stdout, r.stdout, 'same answer for any number of workers');
  const tooRare = sim('recommend', file, '--target', '1e-6');
  assert.is(tooRare.code, 2);
  // (1 - 1e-6)^n <= 0.025: n >= 3,688,878.
  assert.match(tooRare.stderr, /^sim: --target 0.000001: a proof needs at least 3688878 trials without an event; raise --max-trials \(now 100000\)\n$/);
});

test.run();
