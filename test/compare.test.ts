import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixture, sim } from './cli-runner.js';


const tmp = mkdtempSync(join(tmpdir(), 'sim-compare-'));
const a = join(tmp, 'a');
const b = join(tmp, 'b');
assert.is(sim('run', fixture, '--trials', '12', '--quiet', '--out', a).code, 0);
assert.is(sim('run', fixture, '--trials', '12', '--quiet', '--out', b, '--set', 'fleet.0.clusters=100', '--seed', '4').code, 0);

interface Side { mean: number | null; lo: number | null; hi: number | null }

test('sim compare --json: which settings differ, and per point each metric in both runs, B - A, whether the intervals separate', () => {
  const r = sim('compare', a, b, '--json');
  assert.is(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.equal([c.a.dir, c.b.dir, c.a.seed, c.b.seed], [a, b, 3, 4]);
  assert.equal(c.settings, [
    { path: 'seed', a: 3, b: 4 },
    { path: 'fleet.0.clusters', a: 300, b: 100 },
  ]);
  assert.is(c.points.length, 2);
  let separated = 0;
  for (const p of c.points) {
    assert.is(p.metrics.length, 11);
    for (const m of p.metrics as Array<{ metric: string; a: Side; b: Side; difference: number | null; separate: boolean }>) {
      if (m.a.mean !== null && m.b.mean !== null) assert.ok(Math.abs(m.difference! - (m.b.mean - m.a.mean)) < 1e-9, m.metric);
      const apart = m.a.hi !== null && m.b.lo !== null && m.b.hi !== null && m.a.lo !== null && (m.a.hi < m.b.lo || m.b.hi < m.a.lo);
      assert.is(m.separate, apart, m.metric);
      if (m.separate) separated++;
    }
    // A third of the clusters: a third of the GETs, far outside each other's intervals.
    const requests = p.metrics.find((m: { metric: string }) => m.metric === 'requests');
    assert.ok(requests.separate && requests.b.mean < requests.a.mean / 2, JSON.stringify(requests));
  }
  assert.ok(separated >= 2);
  // A difference at one point only keeps its point (and the run's other difference, at every point, its bare path).
  const d = join(tmp, 'd');
  assert.is(sim('run', fixture, '--trials', '12', '--quiet', '--out', d, '--set', 'fleet.0.clusters=100', '--set', 'sweep.jitterSeconds=[0, 40]').code, 0);
  assert.equal(JSON.parse(sim('compare', a, d, '--json').stdout).settings, [
    { path: 'fleet.0.clusters', a: 300, b: 100 },
    { path: 'point 1.fleet.0.jitterSeconds', a: 30, b: 40 },
  ]);
});

test('sim compare as text; a run against itself differs in nothing; a folder that is not a run is one line, exit 2', () => {
  const r = sim('compare', a, b);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^A: .* \(small, seed 3, 12 trials, [\d.]+\)\nB: .* \(small, seed 4, 12 trials, [\d.]+\)\nsettings that differ \(2\):\n  seed: 3 -> 4\n  fleet.0.clusters: 300 -> 100\n/);
  assert.match(r.stdout, /\n  metric +A \(95%\) +B \(95%\) +B - A +intervals separate\n/);
  assert.match(r.stdout, /\n  requests +[\d,]+ \[[\d,]+, [\d,]+\] +[\d,.]+ \[[\d,.]+, [\d,.]+\] +-[\d,.]+ +yes\n/);
  const same = sim('compare', a, a, '--json');
  const c = JSON.parse(same.stdout);
  assert.equal(c.settings, []);
  for (const p of c.points) for (const m of p.metrics) assert.ok(!m.separate && (m.difference === null || m.difference === 0), m.metric);
  const bad = sim('compare', a, tmp);
  assert.is(bad.code, 2);
  assert.is(bad.stderr.trim(), `sim: ${tmp}: no run.json, so not a results folder of sim run (0.5.0 or later); run the scenario again`);
});

test('sim compare per vault: two vaults against three, each vault\'s headroom A -> B in a line, its peaks and 429s, the same in --json', () => {
  const layout = (vaults: string[]) => [
    'name: layout', 'trials: 10', 'horizon: 5m', 'start: rollout',
    'fleet:', `  - {name: g, clusters: 120, secretSyncs: 5, vault: [${vaults.join(', ')}], jitterSeconds: 20}`,
    'vaults:', ...vaults.map((v) => `  - {name: ${v}, limiter: {kind: token-bucket, capacity: 150, refillPerSecond: 15}}`),
  ].join('\n');
  const two = join(tmp, 'two.yaml');
  const three = join(tmp, 'three.yaml');
  writeFileSync(two, layout(['kv-a', 'kv-b']));
  writeFileSync(three, layout(['kv-a', 'kv-b', 'kv-c']));
  assert.is(sim('run', two, '--quiet', '--out', join(tmp, 'two')).code, 0);
  assert.is(sim('run', three, '--quiet', '--out', join(tmp, 'three')).code, 0);
  const c = JSON.parse(sim('compare', join(tmp, 'two'), join(tmp, 'three'), '--json').stdout);
  const vaults = c.points[0].vaults as Array<{ vault: string | null; a: Record<string, number> | null; b: Record<string, number> | null }>;
  assert.equal(vaults.map((v) => v.vault), ['kv-a', 'kv-b', 'kv-c', null]);
  assert.is(vaults[2].a, null);
  // 600 GETs over two vaults or three: each of the first two gets a third less in B.
  assert.ok(vaults[0].b!.requests < vaults[0].a!.requests * 0.75 && vaults[0].b!.headroom > vaults[0].a!.headroom, JSON.stringify(vaults[0]));
  const text = sim('compare', join(tmp, 'two'), join(tmp, 'three')).stdout;
  assert.match(text, /\n    kv-a: [\d.]+% (over|headroom) -> [\d.]+% (over|headroom)\n/);
  assert.match(text, /\n    kv-c: not in this run -> [\d.]+% (over|headroom)\n/);
  assert.match(text, /\n    vault +peak GET\/s A +B +peak 10 s A +B +429s A +B\n/);
});

test.run();
