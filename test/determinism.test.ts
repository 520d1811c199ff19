import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summaryCsv, timeseriesCsv } from '../sim/output/results-files.js';
import { runWithTrials } from './helpers.js';
import { loadScenario } from '../sim/scenario/load.js';

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
