import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, root } from './cli-runner.js';

/**
 * A run's memory does not grow with its trials: 200,000 short trials (10 minutes of 1-s bins,
 * so that keeping each trial's timeseries, as versions before 0.7 did, would take about 1 GB)
 * stay under BOUND of peak resident memory, every thread counted.
 */
const BOUND_MB = 400;

function peakMb(trials: number, dir: string): number {
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, 'name: tiny\nseed: 1\nhorizon: 10m\nfleet:\n  - {clusters: 3, secretSyncs: 2, jitterSeconds: 30s, rotationPollIntervalInSeconds: 2m}\n');
  const r = spawnSync(process.execPath, ['--import', join(root, 'dist', 'test', 'rss-at-exit.js'), cli, 'run', file, '--trials', String(trials), '--workers', '2', '--quiet', '--out', join(dir, `out-${trials}`)], { encoding: 'utf8', cwd: root });
  assert.is(r.status, 0, r.stderr);
  const kb = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(kb > 0, r.stderr);
  return kb / 1024;
}

test(`200,000 trials run in under ${BOUND_MB} MB, their rows on disk`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-memory-'));
  const few = peakMb(1000, dir);
  const many = peakMb(200_000, dir);
  process.stdout.write(`  peak RSS: 1,000 trials ${few.toFixed(0)} MB, 200,000 trials ${many.toFixed(0)} MB\n`);
  assert.ok(many < BOUND_MB, `200,000 trials: ${many.toFixed(0)} MB`);
  const trials = readFileSync(join(dir, 'out-200000', 'trials.csv'), 'utf8');
  assert.is(trials.split('\n').length, 200_000 + 2, 'a row per trial, the header, the final newline');
  assert.ok(statSync(join(dir, 'out-200000', 'timeseries.csv')).size < 20_000, 'the timeseries: 600 rows');
});

test.run();
