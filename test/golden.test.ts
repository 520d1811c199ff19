import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PUBLISHED_LIMITERS } from '../sim/analytic/recipe-fleet-model.js';
import { RandomStream } from '../sim/engine/random.js';
import type { LimiterConfig } from '../sim/model/config.js';
import { sampleRare, secondsOver, throttled, type Cover, type RecipeRollout, type RolloutEvent } from '../sim/model/rare-events.js';
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
  small: 'c2266ae216a1a257041334567b8e2fb8',
  'recipe-fleet': '78f70b8eb195d5857fa974f7c47451d2',
  'two-vaults': 'd22c50924cccf362cf38bbdc8e188a86',
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

/**
 * Importance sampling's numbers for a given seed, pinned the same way: the sums of a few weighted
 * rollouts per cover. An estimator stays unbiased for any cover that holds its event, so a
 * changed cover (a bin clipped otherwise, a run left out, a tail cut elsewhere) or a changed
 * draw passes every test against exact values; here it fails. Covers with a last partial bin
 * (J = 190.5 s), a random phase (the fixed window) or none (one at phase 0), bins of 1/16 s
 * (the token bucket) and every term underflowing (J = 1,200 s).
 */
const RARE_GOLDEN = 'f5cf9c422abe167a4f0bc4052fca0be8';

test('importance sampling: the sums of 40 weighted rollouts per cover are the pinned bits', () => {
  const rollout = (clusters: number, secretsPerCluster: number, jitterSeconds: number): RecipeRollout => ({ clusters, secretsPerCluster, jitterSeconds });
  type Case = [RecipeRollout, Cover, RolloutEvent];
  const limited = (r: RecipeRollout, limiter: LimiterConfig): Case => {
    const { cover, event } = throttled(r, limiter, new RandomStream(`golden-phase-${limiter.kind}`));
    return [r, cover, event];
  };
  const seconds = secondsOver(rollout(700, 30, 190.5), 400);
  const cases: Record<string, Case> = {
    refreshOver: [rollout(700, 30, 190.5), seconds.cover, seconds.refreshOver],
    pSecondOver: [rollout(700, 30, 190.5), seconds.cover, seconds.pSecondOver],
    fixedWindow: limited(rollout(2000, 20, 135), PUBLISHED_LIMITERS['fixed-window']),
    fixedWindowAtZero: limited(rollout(2000, 20, 135), { kind: 'fixed-window', limit: 4000, window: 10, phase: 0 }),
    slidingWindow: limited(rollout(2000, 20, 120), PUBLISHED_LIMITERS['sliding-window']),
    tokenBucket: limited(rollout(2000, 20, 130), PUBLISHED_LIMITERS['token-bucket']),
    underflowing: limited(rollout(2000, 20, 1200), PUBLISHED_LIMITERS['token-bucket']),
  };
  const sums = Object.entries(cases).map(([name, [r, cover, event]]) => [name, sampleRare(r, cover, event, 40, new RandomStream(`golden-${name}`))]);
  const hash = createHash('sha256').update(JSON.stringify(sums)).digest('hex').slice(0, 32);
  assert.is(hash, RARE_GOLDEN, `the importance sums changed (new hash ${hash}): ${JSON.stringify(sums)}`);
});

test.run();
