import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summaryCsv, timeseriesCsv } from '../sim/output/results-files.js';
import { QUICK, runWithTrials } from './helpers.js';
import { loadScenario } from '../sim/scenario/load.js';

/**
 * The proof that the independent driver is exact: every scenario the project ships (with few
 * trials) and every test fixture gives byte-identical CSV files with `--engine auto` and with
 * `--engine coupled`. The fixtures are set at the edge of throttling, so that in the same run
 * some trials stay on the independent driver, some are settled by the vault check's replay, and
 * some fall back to the coupled one; and they cover outages (with ties across clusters),
 * rotations, restarts, cluster tickers, rollout waves, several vaults, a binding subscription
 * cap, background load, every limiter shape, Retry-After modes and rejected requests that count,
 * and (replay-background.yaml) the vault check's replay with background load, which accepts
 * some trials and sends others to the coupled driver even at the mutation run's two trials.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Few trials, and a shorter horizon where a scenario is long or storms. */
const OVERRIDES: Record<string, { trials: number; set?: string[] }> = {
  '10000x50': { trials: 2, set: ['horizon=30m'] },
  'retry-storm': { trials: 2, set: ['horizon=1h'] },
  'outage-recovery': { trials: 3 },
  'stale-secrets': { trials: 3 },
};

// Quick (npm run mutate): the fixtures alone, in this thread, so that a mutant of the vault
// check or of a branch only the coupled driver takes costs seconds, not a minute.
const WORKERS = QUICK ? 0 : 2;

const files = [
  ...(QUICK ? [] : readdirSync(join(root, 'scenarios')).map((f) => join(root, 'scenarios', f))),
  ...readdirSync(join(root, 'test', 'fixtures')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'test', 'fixtures', f)),
  ...readdirSync(join(root, 'test', 'fixtures', 'engines')).map((f) => join(root, 'test', 'fixtures', 'engines', f)),
].filter((f) => f.endsWith('.yaml'));

let independent = 0;
let coupled = 0;

for (const file of files) {
  const name = file.split('/').pop()!.replace(/\.yaml$/, '');
  test(`${name}: --engine auto and --engine coupled write the same bytes`, async () => {
    const o = OVERRIDES[name] ?? { trials: QUICK ? 2 : file.includes('fixtures') ? undefined : 12 };
    const scenario = loadScenario(file, { trials: o.trials, set: o.set ?? [] });
    const { results: auto, trials: autoTrials } = await runWithTrials(scenario, { workers: WORKERS, progress: false, engine: 'auto' });
    const { results: reference, trials: referenceTrials } = await runWithTrials(scenario, { workers: WORKERS, progress: false, engine: 'coupled' });
    assert.is(summaryCsv(scenario, auto), summaryCsv(scenario, reference), 'summary.csv');
    assert.is(autoTrials, referenceTrials, 'trials.csv');
    assert.is(timeseriesCsv(scenario, auto), timeseriesCsv(scenario, reference), 'timeseries.csv');
    for (const r of reference) assert.is(r.coupled, r.trials, 'coupled: every trial on the coupled driver');
    for (const r of auto) {
      coupled += r.coupled;
      independent += r.trials - r.coupled;
    }
  });
}

test('the comparison covered both drivers: trials exact on the independent driver and trials that fell back', () => {
  assert.ok(independent > (QUICK ? 10 : 500), `${independent} trials on the independent driver`);
  if (QUICK) console.log(`  (${independent} independent, ${coupled} coupled)`);
  assert.ok(coupled > (QUICK ? 10 : 200), `${coupled} trials fell back to the coupled driver`);
});

test.run();
