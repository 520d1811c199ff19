import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summaryCsv, timeseriesCsv } from '../sim/output/results-files.js';
import { loadScenario } from '../sim/scenario/load.js';
import { root } from './cli-runner.js';
import { runWithTrials } from './helpers.js';

/**
 * The numbers for a given seed, pinned: a few trials of the small fixture, of the recipe's fleet
 * and of two vaults (their own timeseries and columns), their three CSV files hashed. Every
 * statistical test accepts another random-looking stream, so a change that spends one more draw
 * (a jitter drawn at J = 0, a latency drawn past the horizon) or reorders draws passes them all;
 * here it fails. A change that alters the numbers on purpose bumps the minor version, says so
 * in the changelog, and updates these hashes (the failure prints the new ones).
 */
const GOLDEN: Record<string, string> = {
  small: '4ead2395823e9eae3df3c51c7dbea60f',
  'recipe-fleet': '4d21c320327bdbf86bdff6a644577af3',
  'two-vaults': '7e0d96e6029ac12e7a6b170c71ec23d1',
};

for (const [name, expected] of Object.entries(GOLDEN)) {
  test(`${name}: the CSV files of 3 trials per point are the pinned bytes`, async () => {
    const file = name === 'small' ? join(root, 'test', 'fixtures', 'small.yaml') : join(root, 'scenarios', `${name}.yaml`);
    const scenario = loadScenario(file, { trials: 3, set: [] });
    // Batches of two (the numbers do not depend on it): a batch of several trials reads its records at offsets.
    const { results, trials } = await runWithTrials(scenario, { workers: 0, progress: false, engine: 'auto', batchSize: 2 });
    const hash = createHash('sha256').update(summaryCsv(scenario, results)).update(timeseriesCsv(scenario, results)).update(trials).digest('hex').slice(0, 32);
    assert.is(hash, expected, `${name}: the numbers for seed ${scenario.seed} changed (new hash ${hash})`);
  });
}

test.run();
