import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PUBLISHED_LIMITERS } from '../sim/analytic/recipe-fleet-model.js';
import { logMultinomialAllAtMost, refreshOverProbability, secondOverProbability } from '../sim/analytic/exact.js';
import { RandomStream } from '../sim/engine/random.js';
import { LIMITER_SHAPES } from '../sim/model/config.js';
import { estimateRare, secondsOver, throttled, type RecipeRollout } from '../sim/model/rare-events.js';
import { estimateRareEvents } from '../sim/run/rare.js';
import { scaled } from './helpers.js';
import { sim } from './cli-runner.js';

const TRIALS = scaled(2000, 200);

/** Within k of the estimator's own standard errors (and the reference's, when it has one). */
function within(estimate: number, relativeError: number, reference: number, referenceError = 0, k = 4): boolean {
  return Math.abs(estimate - reference) <= k * Math.hypot(estimate * relativeError, referenceError);
}

test('refreshOver and pSecondOver by importance sampling against the exact values, from 0.3 down to 5e-10', () => {
  const cases: Array<[number, number, number]> = [
    [2000, 20, 200],
    [2000, 20, 270],
    [2000, 20, 400],
    [2000, 20, 600],
    [700, 30, 190],
    [700, 30, 400],
    [700, 30, 800],
  ];
  for (const [clusters, secrets, jitter] of cases) {
    const r: RecipeRollout = { clusters, secretsPerCluster: secrets, jitterSeconds: jitter };
    const k = Math.floor(400 / secrets);
    const s = secondsOver(r, 400);
    const refresh = estimateRare(r, s.cover, s.refreshOver, TRIALS, new RandomStream(`refresh-${clusters}-${jitter}`));
    const exact = refreshOverProbability(clusters, jitter, k);
    assert.ok(refresh.refused === null, String(refresh.refused));
    assert.ok(within(refresh.estimate, refresh.relativeError, exact), `${clusters}x${secrets} J=${jitter}: refreshOver ${refresh.estimate} +- ${refresh.relativeError} vs exact ${exact}`);
    assert.ok(refresh.relativeError < 0.2, 'well inside 20%');
    assert.ok(refresh.estimate <= refresh.unionBound * (1 + 1e-12), 'never above the union bound');
    const second = estimateRare(r, s.cover, s.pSecondOver, TRIALS, new RandomStream(`second-${clusters}-${jitter}`));
    const exactSecond = secondOverProbability(clusters, jitter, k);
    assert.ok(within(second.estimate, Math.max(second.relativeError, 1e-9), exactSecond), `${clusters}x${secrets} J=${jitter}: pSecondOver ${second.estimate} vs exact ${exactSecond}`);
  }
  // The smallest of them is below 1e-9: plain Monte Carlo would need billions of trials for it.
  assert.ok(refreshOverProbability(700, 800, 13) < 1e-9);
});

/** Plain Monte Carlo of the same event: uniform rollouts, replayed through the limiter. */
function plain(r: RecipeRollout, shape: (typeof LIMITER_SHAPES)[number], trials: number): { p: number; se: number } {
  const { event } = throttled(r, PUBLISHED_LIMITERS[shape], new RandomStream(`plain-phase-${shape}`));
  const rng = new RandomStream(`plain-${shape}-${r.jitterSeconds}`);
  const times = new Float64Array(r.clusters);
  let k = 0;
  for (let i = 0; i < trials; i++) {
    for (let c = 0; c < r.clusters; c++) times[c] = rng.uniform() * r.jitterSeconds;
    k += event(times, new Int32Array(0), rng.uniform() * 10);
  }
  const p = k / trials;
  return { p, se: Math.sqrt(Math.max(p * (1 - p), 1 / trials) / trials) };
}

test('throttledTrial under each limiter shape by importance sampling against plain Monte Carlo where it can reach (1e-1 to 1e-3)', () => {
  const cases: Array<[(typeof LIMITER_SHAPES)[number], number]> = [
    ['token-bucket', 91.5],
    ['sliding-window', 125],
    ['fixed-window', 125],
  ];
  for (const [shape, jitter] of cases) {
    const r: RecipeRollout = { clusters: 2000, secretsPerCluster: 20, jitterSeconds: jitter };
    const { cover, event } = throttled(r, PUBLISHED_LIMITERS[shape], new RandomStream(`is-phase-${shape}`));
    const is = estimateRare(r, cover, event, TRIALS, new RandomStream(`is-${shape}`));
    const mc = plain(r, shape, scaled(3000, 300));
    assert.ok(is.refused === null, `${shape}: ${is.refused}`);
    assert.ok(mc.p > 0 && mc.p < 0.2, `${shape}: the case is within plain Monte Carlo's reach (${mc.p})`);
    assert.ok(within(is.estimate, is.relativeError, mc.p, mc.se), `${shape} J=${jitter}: importance ${is.estimate} +- ${is.relativeError} vs plain ${mc.p} +- ${mc.se}`);
  }
});

test('a fixed window at a random phase against its exact value, averaged over the phase, down to 1e-9', () => {
  // Given the phase, a 429 is exactly "some window holds more than 200 clusters": Levin's method
  // gives it for the windows' masses; the mean over the phase by the midpoint rule.
  const phases = 40;
  for (const jitter of [135, 160]) {
    const r: RecipeRollout = { clusters: 2000, secretsPerCluster: 20, jitterSeconds: jitter };
    let exact = 0;
    for (let j = 0; j < phases; j++) {
      const phase = ((j + 0.5) / phases) * 10;
      const edges = [0, ...Array.from({ length: Math.ceil((jitter - phase) / 10) }, (_, m) => phase + 10 * m), jitter].filter((e, i, a) => i === 0 || e > a[i - 1]);
      const masses = edges.slice(1).map((e, i) => (e - edges[i]) / jitter);
      exact += -Math.expm1(logMultinomialAllAtMost(2000, masses, 200)) / phases;
    }
    const { cover, event } = throttled(r, PUBLISHED_LIMITERS['fixed-window'], new RandomStream('phase'));
    const e = estimateRare(r, cover, event, TRIALS, new RandomStream(`fixed-${jitter}`));
    assert.ok(e.refused === null, String(e.refused));
    assert.ok(Math.abs(e.estimate - exact) <= 4 * e.relativeError * e.estimate + 0.02 * exact, `J=${jitter}: ${e.estimate} +- ${e.relativeError} vs exact ${exact}`);
  }
});

test('degenerate weights are refused, not reported; an event the cover does not reach is bounded by it', () => {
  const r: RecipeRollout = { clusters: 2000, secretsPerCluster: 20, jitterSeconds: 270 };
  // A proposal gone wrong: a bin over 26 clusters sought through the cover of bins over 20. It
  // holds the event, but in a sliver: a few weights carry the estimate.
  const cover = { binsPerSecond: 1, runs: [{ width: 1, above: 20 }] };
  const e = estimateRare(r, cover, (_, counts) => (counts.some((c) => c > 26) ? 1 : 0), 500, new RandomStream('degenerate'));
  assert.ok(e.refused !== null, `${e.estimate} with ${e.effectiveTrials} effective trials`);
  // The token bucket's 429 at J = 600 is met by no drawn rollout: the answer is the cover's bound.
  const far: RecipeRollout = { ...r, jitterSeconds: 600 };
  const bucket = throttled(far, PUBLISHED_LIMITERS['token-bucket'], new RandomStream('phase'));
  const b = estimateRare(far, bucket.cover, bucket.event, 200, new RandomStream('none'));
  assert.is(b.estimate, 0);
  assert.ok(b.unionBound < 1e-100 && b.refused !== null, `${b.unionBound} ${b.refused}`);
});

test('the same estimates for 1 and 2 workers; sim jitter --verify --method importance', async () => {
  const rollout = { clusters: 700, secretsPerCluster: 30, jitterSeconds: 400 };
  const estimands = [{ kind: 'refreshOver' as const, perSecondLimit: 400 }, { kind: 'throttledTrial' as const, limiter: PUBLISHED_LIMITERS['sliding-window'] }];
  const questions = estimands.map((estimand) => ({ rollout, estimand }));
  const one = await estimateRareEvents(questions, 1200, 5, { workers: 1, progress: false });
  const two = await estimateRareEvents(questions, 1200, 5, { workers: 2, progress: false });
  assert.equal(one, two);
  const r = sim('jitter', '--clusters', '700', '--secrets', '30', '--jitter', '800', '--verify', '--method', 'importance', '--trials', '1000', '--json');
  assert.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { probabilities: { exactRefresh: number }; simulated: { method: string; refreshOver: { estimate: number; relativeError: number }; throttledTrial: Record<string, unknown> } };
  assert.is(json.simulated.method, 'importance');
  assert.ok(within(json.simulated.refreshOver.estimate, json.simulated.refreshOver.relativeError, json.probabilities.exactRefresh));
  assert.equal(Object.keys(json.simulated.throttledTrial).sort(), [...LIMITER_SHAPES].sort());
  const text = sim('jitter', '--clusters', '700', '--secrets', '30', '--jitter', '800', '--verify', '--method', 'importance', '--trials', '1000');
  assert.match(text.stdout, /P\(any second of the refresh over 400\), exact +0\.000000056%  importance 0\.000000056% \+- [\d.]+% \(\d+ effective trials\)/);
});

test('sim recommend --method importance: per shape the least proven jitter, its one second less not proven; refused outside the recipe\'s rollout', () => {
  const r = sim('recommend', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--target', '1e-3', '--trials', '500', '--json', '--quiet');
  assert.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout) as { jitterSeconds: number; shapes: Array<{ shape: string; jitterSeconds: number; at: { estimate: number; relativeError: number }; below: { estimate: number; relativeError: number; unionBound: number; refused: string | null } }> };
  const bound = (e: { estimate: number; relativeError: number }) => e.estimate * (1 + 1.6448536269514722 * e.relativeError);
  for (const s of a.shapes) {
    assert.ok(bound(s.at) < 1e-3, `${s.shape} at ${s.jitterSeconds}`);
    assert.ok(s.below.unionBound >= 1e-3 && (s.below.refused !== null || bound(s.below) >= 1e-3), `${s.shape} at ${s.jitterSeconds - 1}: not proven`);
  }
  // 40,000 GETs fit a full bucket of 4,000 refilled at 400/s only once 4,000 + 400 J >= 40,000.
  const bucket = a.shapes.find((s) => s.shape === 'token-bucket')!;
  assert.ok(bucket.jitterSeconds >= 90 && bucket.jitterSeconds <= 100, String(bucket.jitterSeconds));
  assert.is(a.jitterSeconds, Math.max(...a.shapes.map((s) => s.jitterSeconds)));
  const other = sim('recommend', 'scenarios/2000x20.yaml', '--method', 'importance', '--target', '1e-3');
  assert.is(other.code, 2);
  assert.match(other.stderr.trim(), /^sim: scenarios\/2000x20\.yaml: --method importance needs the recipe's rollout .*, but its latency is not 0/);
  const metric = sim('recommend', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--metric', 'refreshOver');
  assert.is(metric.code, 2);
  assert.match(metric.stderr, /--method importance: proves throttledTrial only/);
});

test('sim table --verify --method importance: every cell and shape, the refresh estimate on the exact value, each estimate under its bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-rare-table-'));
  const table = join(dir, 'table.csv');
  writeFileSync(table, 'secrets_per_cluster,clusters_700,clusters_2000\n20,100,270\n30,190,400\n');
  const r = sim('table', '--table', table, '--verify', '--method', 'importance', '--trials', '500', '--json', '--out', dir);
  assert.is(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<Record<string, number | null>>;
  assert.is(rows.length, 4);
  for (const row of rows) {
    assert.is(row.trials, 500);
    const est = row.refreshOver_is!;
    assert.ok(within(est, row.refreshOver_isRelErr!, row.exactRefreshOver!), `${row.clusters}x${row.secretsPerCluster}: ${est} vs ${row.exactRefreshOver}`);
    for (const stem of ['refreshOver', 'throttledTokenBucket', 'throttledFixedWindow', 'throttledSlidingWindow']) {
      assert.ok(row[`${stem}_isBound`]! > 0, `${stem}: a bound`);
      if (row[`${stem}_is`] !== null) assert.ok(row[`${stem}_is`]! <= row[`${stem}_isBound`]! * (1 + 1e-9), `${stem}: under its bound`);
    }
  }
  const text = sim('table', '--table', table, '--verify', '--method', 'importance', '--trials', '500', '--out', dir);
  assert.match(text.stdout, /importance sampling: refreshes with a 429, sliding-window \(4000 per 10 s\)/);
});

test.run();
