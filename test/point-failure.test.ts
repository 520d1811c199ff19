import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keepFinishedPoints } from '../sim/cli/run.js';
import { PointsFailed, runPoints } from '../sim/run/run-scenario.js';
import { parseScenario } from '../sim/scenario/load.js';

const scenario = parseScenario('name: two\nhorizon: 60\nfleet:\n  - {clusters: 3, secretSyncs: 2}\nsweep:\n  jitterSeconds: [5, 10]\n', 'two.yaml');

test('a point that fails does not take the others down: they finish, the failure names its point', async () => {
  // Point 1 names a vault that does not exist: its trials throw inside the engine.
  const broken = { ...scenario.points[1].model, fleet: [{ ...scenario.points[1].model.fleet[0], vaults: ['nope'] }] };
  try {
    await runPoints([scenario.points[0], { index: 1, model: broken }], 1, 2, 'test', { workers: 0, progress: false });
    assert.unreachable('no failure');
  } catch (e) {
    assert.instance(e, PointsFailed);
    const f = e as PointsFailed;
    assert.ok(f.results[0] !== null, 'point 0 finished');
    assert.is(f.results[1], null);
    assert.equal(f.failures.map((x) => [x.index, x.error.message]), [[1, 'unknown vault nope']]);
  }
});

test('sim run keeps what finished: the finished points written, one line per failed point, exit 3', async () => {
  const [done] = await runPoints([scenario.points[0]], 1, 2, 'test', { workers: 0, progress: false });
  const dir = mkdtempSync(join(tmpdir(), 'sim-fail-'));
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => lines.push(s) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    code = keepFinishedPoints(scenario, dir, new PointsFailed([done, null], [{ index: 1, error: new Error('boom\nat stack') }]), 'two.yaml');
  } finally {
    process.stderr.write = write;
  }
  assert.is(code, 3);
  const summary = readFileSync(join(dir, 'summary.csv'), 'utf8').trim().split('\n');
  assert.is(summary.length, 2, 'the header and point 0');
  assert.match(summary[1], /^0,5,/);
  assert.match(lines.join(''), /^sim: point 1 \(jitterSeconds=10\) failed: boom; to reproduce, run two\.yaml with its sweep reduced to this point \(seed 1, 1000 trials\)$/m);
});

test.run();
