import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import { TrialRowsSpool } from '../sim/output/trial-rows.js';
import * as assert from 'uvu/assert';
import { keepFinishedPoints } from '../sim/cli/run.js';
import { PointsFailed, runPoints } from '../sim/run/run-scenario.js';
import { parseScenario } from '../sim/scenario/load.js';
import { cli } from './cli-runner.js';

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
  const dir = mkdtempSync(join(tmpdir(), 'sim-fail-'));
  const spool = new TrialRowsSpool([join(dir, 'rows-0'), join(dir, 'rows-1')]);
  const [done] = await runPoints([scenario.points[0]], 1, 2, 'test', { workers: 0, progress: false, onRecords: (p, from, m) => spool.add(p, from, m) });
  spool.close();
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => lines.push(s) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    code = keepFinishedPoints(scenario, dir, new PointsFailed([done, null], [{ index: 1, error: new Error('boom\nat stack') }]), 'two.yaml', spool.files);
  } finally {
    process.stderr.write = write;
  }
  assert.is(code, 3);
  const summary = readFileSync(join(dir, 'summary.csv'), 'utf8').trim().split('\n');
  assert.is(summary.length, 2, 'the header and point 0');
  assert.match(summary[1], /^0,5,/);
  assert.match(lines.join(''), /^sim: point 1 \(jitterSeconds=10\) failed: boom; to reproduce, run two\.yaml with its sweep reduced to this point \(seed 1, 1000 trials\)$/m);
});


test('a stuck worker is reported, not waited on: its point fails after --stall-timeout, the other point is written (exit 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-stuck-'));
  const file = join(dir, 'two.yaml');
  writeFileSync(file, 'name: two\nhorizon: 60\ntrials: 12\nfleet:\n  - {clusters: 3, secretSyncs: 2}\nsweep:\n  jitterSeconds: [5, 10]\n');
  // A report of earlier results (a run of the same scenario): the finished points replace them, so it goes.
  assert.is(spawnSync(process.execPath, [cli, 'run', file, '--out', join(dir, 'out'), '--quiet', '--trials', '2', '--report']).status, 0);
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, 'run', file, '--out', join(dir, 'out'), '--quiet', '--workers', '2', '--stall-timeout', '1'], {
    encoding: 'utf8',
    env: { ...process.env, AKV_SIM_TEST_STUCK_POINT: '1' },
    timeout: 60_000,
  });
  assert.is(r.status, 3, r.stderr);
  assert.ok(Date.now() - started < 30_000, 'stopped long before the test\'s own timeout');
  assert.match(r.stderr, /point 1 \(jitterSeconds=10\) failed: point 1 trials \d+-\d+ still running after 1 s with no batch of trials finished meanwhile: a stuck worker/);
  assert.not.match(r.stderr, /point 0 .*failed/);
  assert.not.ok(existsSync(join(dir, 'out', 'report.html')), 'the old report is gone');
  const rows = readFileSync(join(dir, 'out', 'summary.csv'), 'utf8').trim().split('\n');
  assert.is(rows.length, 2, 'the header and point 0');
  assert.ok(rows[1].startsWith('0,5,'), rows[1]);
  // run.json says what ran and what failed: the partial folder can be reported on, and is
  // protected like any other.
  const record = JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8'));
  assert.equal([record.scenario.points.length, record.scenario.failedPoints], [1, [1]]);
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  assert.is(run('report', join(dir, 'out')).status, 0);
  assert.ok(existsSync(join(dir, 'out', 'report.html')));
  assert.is(run('run', file, '--out', join(dir, 'out'), '--quiet', '--set', 'horizon=50').status, 2, 'another scenario: refused');
  const again = run('run', file, '--out', join(dir, 'out'), '--quiet');
  assert.is(again.status, 0, again.stderr);
  assert.is(readFileSync(join(dir, 'out', 'summary.csv'), 'utf8').trim().split('\n').length, 3, 'the same scenario again: replaced, whole');
  assert.not.ok('failedPoints' in JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8')).scenario);
  assert.not.ok(existsSync(join(dir, 'out', 'report.html')), 'the partial run\'s report is gone with its files');
});

test('--stall-timeout must be a positive number of seconds', async () => {
  const { parseArgs } = await import('../sim/cli/args.js');
  for (const bad of ['0', '-3', 'soon']) {
    try {
      await parseArgs(['run', 'x.yaml', '--stall-timeout', bad]);
      assert.unreachable(bad);
    } catch (e) {
      assert.match((e as Error).message, /^--stall-timeout: expected a number of seconds above 0, got /, bad);
    }
  }
  assert.is(((await parseArgs(['run', 'x.yaml', '--stall-timeout', '2.5'])) as { stallSeconds?: number }).stallSeconds, 2.5);
});

test.run();
