import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summariseBatches } from '../sim/metrics/summary.js';
import { METRIC_INDEX as M, SHAPE_METRICS, TRIAL_METRICS, type TrialBatch } from '../sim/metrics/trial-record.js';
import { LIMITER_SHAPES, withLimiterShape, type ModelConfig } from '../sim/model/config.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { consoleTable } from '../sim/output/console-table.js';
import { summaryColumns, summaryRows } from '../sim/output/results-files.js';
import { loadScenario } from '../sim/scenario/load.js';
import { scaled } from './helpers.js';

/**
 * The limiter shapes' columns (sim/model/shape-check.ts): whether a trial would have met a 429
 * under each shape, from one run. Held to the truth: the same scenario run with every limiter
 * in that shape (withLimiterShape) must give, trial by trial, that answer as its own
 * throttledTrial, on fleets with background load, a subscription, outages, retries and several
 * vaults, where the shapes disagree.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const column = (b: TrialBatch, name: (typeof TRIAL_METRICS)[number]) => {
  const w = TRIAL_METRICS.length;
  return Array.from({ length: b.to - b.from }, (_, i) => b.metrics[i * w + M[name]]);
};

const cases: Array<[string, string, string[]]> = [
  ['the recipe fleet at J = 110 s (the shapes disagree)', 'scenarios/recipe-fleet.yaml', ['fleet.0.jitterSeconds=110']],
  ['the recipe fleet at J = 132 s (both window shapes at their cliff: decided from the log)', 'scenarios/recipe-fleet.yaml', ['fleet.0.jitterSeconds=132']],
  ['a window of 7.3 s, not a whole number of bins (the sorted scan)', 'scenarios/recipe-fleet.yaml', ['vaults.0.limiter={kind: sliding-window, limit: 2900, window: 7.3}', 'fleet.0.jitterSeconds=118']],
  ['a steady fleet with latency near the windows\' limit, two vaults and a subscription', 'test/fixtures/small.yaml', ['events=[]', 'start=steady', 'fleet.0.rotationPollIntervalInSeconds=20', 'fleet.0.vault=[a, b]', 'vaults=[{name: a, limiter: {kind: token-bucket, capacity: 140, refillPerSecond: 14}}, {name: b, limiter: {kind: token-bucket, capacity: 150, refillPerSecond: 15}}]', 'subscription={limiter: {kind: token-bucket, capacity: 290, refillPerSecond: 29}}']],
  ['background load on the vault (the replay meets it)', 'test/fixtures/engines/replay-background.yaml', []],
  ['three vaults, a subscription, an outage, retries', 'test/fixtures/engines/vaults-subscription.yaml', []],
  ['outages whose ends tie with other events', 'test/fixtures/engines/outage-ties.yaml', []],
  ['background load into an outage (it never counts)', 'test/fixtures/engines/outage-background.yaml', []],
];

let disagreeing = 0;
for (const [name, file, set] of cases) {
  test(`${name}: each shape's column is, trial by trial, the throttledTrial of a run in that shape`, () => {
    const scenario = loadScenario(join(root, file), { set });
    const trials = scaled(30, 6);
    for (const point of scenario.points.slice(0, 4)) {
      const base = runTrialBatch(point.model, scenario.seed, point.index, 0, trials);
      const answers = LIMITER_SHAPES.map((shape) => column(base, `shape.${shape}.throttledTrial`));
      LIMITER_SHAPES.forEach((shape, k) => {
        const shaped: ModelConfig = withLimiterShape(point.model, shape);
        const truth = column(runTrialBatch(shaped, scenario.seed, point.index, 0, trials), 'throttledTrial');
        assert.equal(answers[k], truth, `${file} point ${point.index}: ${shape}`);
        // Both engines give the same columns (the engines test compares every byte; here, the coupled driver's own).
        assert.equal(column(runTrialBatch(point.model, scenario.seed, point.index, 0, trials, 'coupled'), `shape.${shape}.throttledTrial`), answers[k], `${shape}: coupled`);
      });
      if (new Set(answers.map((a) => a.join())).size > 1) disagreeing++;
    }
  });
}

test('the comparison met shapes that disagree', () => {
  assert.ok(disagreeing >= 2, `${disagreeing} points where the shapes disagree`);
});

test('summary.csv ends with each shape\'s share and Wilson interval; the console names the worst shape and warns when it contradicts the headline', () => {
  const scenario = loadScenario(join(root, 'scenarios/recipe-fleet.yaml'), { set: ['fleet.0.jitterSeconds=110'], trials: 200 });
  const batch = runTrialBatch(scenario.points[0].model, scenario.seed, 0, 0, 200);
  const rows = summaryRows(scenario, [summariseBatches([batch])]);
  const last = summaryColumns(scenario).slice(-9);
  assert.equal(last, SHAPE_METRICS.flatMap((m) => [`${m}_mean`, `${m}_lo`, `${m}_hi`]));
  const sliding = rows[0].get('shape.sliding-window.throttledTrial_mean') as number;
  assert.ok(sliding > 0.9 && rows[0].get('throttledTrial_mean') === 0, `sliding ${sliding}`);
  const text = consoleTable(scenario, rows);
  assert.match(text, /sliding window (9\d(\.\d)?|100)% \[/);
  assert.match(text, /point 0: 0% of trials throttled with this scenario's limiter, but (9\d(\.\d)?|100)% under a sliding window at the same limit and window/);
});

test.run();
