import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summaryCsv, timeseriesCsv } from '../sim/output/results-files.js';
import { runWithTrials } from './helpers.js';
import { loadScenario } from '../sim/scenario/load.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import type { TrialBatch } from '../sim/metrics/trial-record.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'small.yaml');

async function csvs(workers: number, batchSize?: number, seed?: number) {
  const scenario = loadScenario(fixture, { seed });
  const { results, trials } = await runWithTrials(scenario, { workers, batchSize, progress: false });
  return [summaryCsv(scenario, results), timeseriesCsv(scenario, results), trials];
}

test('same scenario and seed: byte-identical CSV files for 1, 2 and 3 workers and any batch size', async () => {
  const one = await csvs(1);
  const two = await csvs(2);
  const three = await csvs(3, 7);
  for (let f = 0; f < 3; f++) {
    assert.ok(one[f] === two[f], `file ${f}: 1 vs 2 workers`);
    assert.ok(one[f] === three[f], `file ${f}: 1 vs 3 workers`);
  }
  assert.ok(one[2].split('\n').length > 80, 'trials.csv has a row per trial');
  assert.match(one[0], /^point,jitterSeconds,clusters,/);
  const other = await csvs(2, undefined, 99);
  assert.ok(other[2] !== one[2], 'another seed gives other trials');
});

test('a thread keeps its last point\'s trial state for the next batch: the same records, whatever ran before', () => {
  const model = loadScenario(fixture).points[0].model;
  const bytes = (b: TrialBatch) => Buffer.from(b.metrics.buffer).toString('hex') + Buffer.from(b.series.buffer).toString('hex');
  const whole = runTrialBatch(model, 5, 0, 0, 6);
  const other = runTrialBatch(model, 6, 0, 0, 6);
  assert.ok(bytes(other) !== bytes(whole), 'another seed, other trials (the seed is part of the kept state\'s key)');
  // Kept across the pieces: the same bytes as the whole, and the counts per batch, not since the state was built.
  const pieces = [runTrialBatch(model, 5, 0, 0, 2), runTrialBatch(model, 5, 0, 2, 6)];
  assert.is(Buffer.concat(pieces.map((b) => Buffer.from(b.metrics.buffer))).toString('hex'), Buffer.from(whole.metrics.buffer).toString('hex'));
  assert.is(Buffer.concat(pieces.map((b) => Buffer.from(b.series.buffer))).toString('hex'), Buffer.from(whole.series.buffer).toString('hex'));
  assert.is(pieces[0].quietClusters + pieces[1].quietClusters, whole.quietClusters);
  assert.is(pieces[0].coupled + pieces[1].coupled, whole.coupled);
  // The caller's model changed in place: a new state (not the kept one, which holds a copy).
  const group = model.fleet[0];
  model.fleet[0] = { ...group, jitterSeconds: group.jitterSeconds + 7 };
  const changed = runTrialBatch(model, 5, 0, 0, 6);
  assert.ok(bytes(changed) !== bytes(whole), 'a changed model runs as changed');
  runTrialBatch(model, 6, 0, 0, 1);
  assert.is(bytes(runTrialBatch(structuredClone(model), 5, 0, 0, 6)), bytes(changed), 'the changed model built afresh');
  model.fleet[0] = group;
  assert.is(bytes(runTrialBatch(model, 5, 0, 0, 6)), bytes(whole), 'changed back: the first records again');
});

test('common random numbers: a sweep point run alone writes the same trials as inside the sweep', async () => {
  const sweep = loadScenario(fixture, { trials: 12 });
  const alone = loadScenario(fixture, { trials: 12, set: ['sweep.jitterSeconds=[30s]'] });
  assert.is(alone.points.length, 1);
  const [both, one] = [await runWithTrials(sweep, { workers: 2, progress: false }), await runWithTrials(alone, { workers: 1, progress: false })];
  const rows = (csv: string, point: string) => csv.trim().split('\n').slice(1).filter((l) => l.startsWith(`${point},`)).map((l) => l.slice(l.indexOf(',') + 1));
  const inSweep = rows(both.trials, '1');
  assert.is(inSweep.length, 12);
  assert.equal(rows(one.trials, '0'), inSweep, 'trials.csv rows, but for the point index');
  assert.equal(rows(summaryCsv(alone, one.results), '0'), rows(summaryCsv(sweep, both.results), '1'), 'summary.csv row');
});

test.run();
