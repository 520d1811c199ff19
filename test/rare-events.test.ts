import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PUBLISHED_LIMITERS } from '../sim/analytic/recipe-fleet-model.js';
import { multinomialAnyAbove, refreshOverProbability, secondOverProbability } from '../sim/analytic/exact.js';
import { RandomStream } from '../sim/engine/random.js';
import { LIMITER_SHAPES, type LimiterConfig } from '../sim/model/config.js';
import { estimateRare, secondsOver, throttled, tokenBucketCover, type RecipeRollout } from '../sim/model/rare-events.js';
import { estimateRareEvents } from '../sim/run/rare.js';
import { QUICK, scaled } from './helpers.js';
import { sim } from './cli-runner.js';

const TRIALS = scaled(2000, 200);
/** The command-line tests, left out when quick (npm run mutate). */
const slow = QUICK ? test.skip : test;

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
    assert.ok(refresh.estimate <= refresh.bound * (1 + 1e-12), 'never above the union bound');
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
    // Not scaled down: a tenth of the trials would meet no throttled trial at 1e-3.
    const mc = plain(r, shape, scaled(3000, 3000));
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
      exact += multinomialAnyAbove(2000, masses, 200) / phases;
    }
    const { cover, event } = throttled(r, PUBLISHED_LIMITERS['fixed-window'], new RandomStream('phase'));
    const e = estimateRare(r, cover, event, TRIALS, new RandomStream(`fixed-${jitter}`));
    assert.ok(e.refused === null, String(e.refused));
    assert.ok(Math.abs(e.estimate - exact) <= 4 * e.relativeError * e.estimate + 0.02 * exact, `J=${jitter}: ${e.estimate} +- ${e.relativeError} vs exact ${exact}`);
  }
});

test("a fixed window's reported error is its estimates' spread from seed to seed (within 0.8-1.25x: neither understated nor needlessly wide)", () => {
  // Each seed's estimate with its reported relative error, many seeds: the spread of the
  // estimates is the error the reported one stands for. With 120 seeds the spread's own
  // sampling error is about 6.5%, so the band is over 3 of those either side.
  const seeds = scaled(120, 40);
  const limiter = PUBLISHED_LIMITERS['fixed-window'];
  for (const jitter of [140, 200]) {
    const r: RecipeRollout = { clusters: 2000, secretsPerCluster: 20, jitterSeconds: jitter };
    const estimates: number[] = [];
    let reported = 0;
    for (let s = 0; s < seeds; s++) {
      const { cover, event } = throttled(r, limiter, new RandomStream(`spread-phase-${s}`));
      const e = estimateRare(r, cover, event, 200, new RandomStream(`spread-${jitter}-${s}`));
      estimates.push(e.estimate);
      reported += e.relativeError ** 2;
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / seeds;
    const spread = Math.sqrt(estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / (seeds - 1)) / mean;
    const ratio = spread / Math.sqrt(reported / seeds);
    if (seeds >= 120) assert.ok(ratio >= 0.8 && ratio <= 1.25, `J=${jitter}: seed-to-seed spread ${spread.toExponential(3)} is ${ratio.toFixed(3)}x the reported error`);
    else assert.ok(ratio >= 0.6 && ratio <= 1.6, `J=${jitter} (scaled down): ${ratio.toFixed(3)}x`);
  }
});

test('a token bucket far in its tail (1e-56 and 1e-87): covers on bins of 1/8 and 1/16 s agree, and the least likely union is the one used', () => {
  const limiter = PUBLISHED_LIMITERS['token-bucket'] as Extract<LimiterConfig, { kind: 'token-bucket' }>;
  const r: RecipeRollout = { clusters: 2000, secretsPerCluster: 20, jitterSeconds: 130 };
  const { event } = throttled(r, limiter, new RandomStream('tb-phase'));
  const n = scaled(1000, 300);
  const [e8, e16] = [8, 16].map((k) => estimateRare(r, tokenBucketCover(r, limiter, k), event, n, new RandomStream(`tb-${k}`)));
  assert.ok(e8.refused === null && e16.refused === null, `${e8.refused} ${e16.refused}`);
  const se = Math.hypot(e8.estimate * e8.relativeError, e16.estimate * e16.relativeError);
  assert.ok(e8.estimate < 1e-50 && Math.abs(e8.estimate - e16.estimate) < 4 * se, `1/8 s: ${e8.estimate} +- ${e8.relativeError}, 1/16 s: ${e16.estimate} +- ${e16.relativeError}`);
  // The chosen cover: the least likely union (1/8 s near 1e-9, 1/16 s further out), which at J = 160 leaves enough effective trials.
  const chosen = (jitter: number) => throttled({ ...r, jitterSeconds: jitter }, limiter, new RandomStream('tb-phase')).cover.binsPerSecond;
  assert.equal([chosen(96), chosen(130), chosen(160)], [8, 16, 16]);
  const far: RecipeRollout = { ...r, jitterSeconds: 160 };
  const f = throttled(far, limiter, new RandomStream('tb-phase'));
  const e = estimateRare(far, f.cover, f.event, n, new RandomStream('tb-160'));
  assert.ok(e.refused === null && e.effectiveTrials > n / 10 && e.estimate < 1e-80, `${e.estimate} with ${e.effectiveTrials} effective trials: ${e.refused}`);
});

test('far below 1e-154 the error bars stay (contributions summed in units of the union: their squares would underflow); an underflowing union is a bound, not impossible', () => {
  const r: RecipeRollout = { clusters: 2000, secretsPerCluster: 20, jitterSeconds: 1800 };
  const { cover, event } = throttled(r, PUBLISHED_LIMITERS['fixed-window'], new RandomStream('fw-phase'));
  const e = estimateRare(r, cover, event, 300, new RandomStream('fw-1800'));
  assert.ok(e.refused === null && e.estimate > 0 && e.estimate < 1e-170 && e.effectiveTrials > 290 && e.relativeError < 1e-3, `${e.estimate} +- ${e.relativeError}, ${e.effectiveTrials} effective: ${e.refused}`);
  // At J = 1200 the token bucket's every term underflows: the answer is at most a denormal, not 0.
  const far: RecipeRollout = { ...r, jitterSeconds: 1200 };
  const b = throttled(far, PUBLISHED_LIMITERS['token-bucket'], new RandomStream('tb-phase'));
  const u = estimateRare(far, b.cover, b.event, 50, new RandomStream('tb-1200'));
  assert.ok(u.bound > 0 && u.bound < 1e-300 && u.refused !== null, `${u.bound} ${u.refused}`);
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
  assert.ok(b.bound < 1e-100 && b.refused !== null, `${b.bound} ${b.refused}`);
});

slow('the same estimates for 1 and 2 workers; sim jitter --verify --method importance', async () => {
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

slow('sim recommend --method importance: per shape the least proven jitter, its one second less not proven; refused outside the recipe\'s rollout', () => {
  const r = sim('recommend', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--target', '1e-3', '--trials', '500', '--json', '--quiet');
  assert.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout) as { jitterSeconds: number; shapes: Array<{ shape: string; jitterSeconds: number; at: { estimate: number; relativeError: number; bound: number }; below: { estimate: number; relativeError: number; bound: number; refused: string | null } }> };
  const bound = (e: { estimate: number; relativeError: number }) => e.estimate * (1 + 1.6448536269514722 * e.relativeError);
  for (const s of a.shapes) {
    // Proven by the estimate's bound, or by the cover's summed probability (then not sampled).
    assert.ok(bound(s.at) < 1e-3 || s.at.bound < 1e-3, `${s.shape} at ${s.jitterSeconds}`);
    assert.ok(s.below.bound >= 1e-3 && (s.below.refused !== null || bound(s.below) >= 1e-3), `${s.shape} at ${s.jitterSeconds - 1}: not proven`);
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

slow('sim table --verify --method importance: every cell and shape, the refresh estimate on the exact value, each estimate under its bound', () => {
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

slow('sim run --method importance: per point the three probabilities, refreshOver and pSecondOver on their exact values, throttledTrial on a plain run of the same scenario; same bytes for 1 and 2 workers; refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-rare-run-'));
  const sweep = ['--set', 'fleet.0.clusters=1000', '--set', 'sweep={jitterSeconds: [40.5, 120, 240]}'];
  const run = (out: string, workers: string, ...more: string[]) => sim('run', 'scenarios/recipe-fleet.yaml', '--method', 'importance', ...sweep, '--trials', '1000', '--workers', workers, '--out', join(dir, out), '--quiet', ...more);
  const r = run('one', '1', '--json');
  assert.is(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<Record<string, number | string | null>>;
  assert.equal(rows.map((row) => row.jitterSeconds), [40.5, 120, 240]);
  for (const row of rows) {
    assert.is(row.senders, 1000);
    for (const q of ['pSecondOver', 'refreshOver', 'throttledTrial']) {
      // Probabilities stay probabilities: estimates and bounds in [0, 1], a clip flagged.
      for (const c of [`${q}_is`, `${q}_isBound`]) assert.ok(row[c] === null || (row[c] as number) <= 1, `${c} at J = ${row.jitterSeconds}: ${row[c]}`);
      assert.ok(row[`${q}_isClipped`] === 0 || (row[`${q}_isClipped`] === 1 && row[`${q}_is`] === 1), `${q}_isClipped at J = ${row.jitterSeconds}`);
    }
    for (const q of ['pSecondOver', 'refreshOver']) {
      // pSecondOver's contributions are all P / bins (the union is the expected bins over): exact to rounding.
      assert.ok(within(row[`${q}_is`] as number, Math.max(row[`${q}_isRelErr`] as number, 1e-12), row[`${q}_exact`] as number), `${q} at J = ${row.jitterSeconds}: ${row[`${q}_is`]} vs ${row[`${q}_exact`]}`);
    }
  }
  // Far in the tail (J = 240: 1000 x 20 GETs in 4 minutes) the token bucket's 429 is refused or tiny, and under its bound.
  const far = rows[2];
  assert.ok(far.throttledTrial_isBound! as number < 1e-20 && (far.throttledTrial_is === null || (far.throttledTrial_is as number) <= (far.throttledTrial_isBound as number)));
  // J = 40.5: 20,000 GETs against 4,000 + 400 J = 20,200 by the end: a 429 about 1 in 20, where a plain run reaches.
  const plain = sim('run', 'scenarios/recipe-fleet.yaml', '--set', 'fleet.0.clusters=1000', '--set', 'fleet.0.jitterSeconds=40.5', '--trials', '3000', '--out', join(dir, 'plain'), '--quiet', '--json');
  assert.is(plain.code, 0, plain.stderr);
  const [p] = JSON.parse(plain.stdout) as Array<Record<string, number>>;
  const is = rows[0].throttledTrial_is as number;
  const se = Math.sqrt((p.throttledTrial_mean * (1 - p.throttledTrial_mean)) / 3000 + (is * (rows[0].throttledTrial_isRelErr as number)) ** 2);
  assert.ok(p.throttledTrial_mean > 0.02 && Math.abs(is - p.throttledTrial_mean) < 4 * se, `importance ${is} vs plain ${p.throttledTrial_mean} (se ${se})`);
  // The files: the same bytes for 2 workers; one jitterSeconds column though it is swept.
  assert.is(run('two', '2').code, 0);
  const csv = readFileSync(join(dir, 'one', 'importance.csv'), 'utf8');
  assert.is(readFileSync(join(dir, 'two', 'importance.csv'), 'utf8'), csv);
  assert.is(csv.split('\n')[0].split(',').filter((c) => c === 'jitterSeconds').length, 1);
  const record = JSON.parse(readFileSync(join(dir, 'one', 'importance.json'), 'utf8')) as { method: string; trials: number; scenario: { points: unknown[] } };
  assert.equal([record.method, record.trials, record.scenario.points.length], ['importance', 1000, 3]);
  // Refusals: one line naming the file, the point and the condition; exit 2; nothing written.
  const latency = sim('run', 'scenarios/2000x20.yaml', '--method', 'importance', '--out', join(dir, 'latency'));
  assert.is(latency.code, 2);
  assert.match(latency.stderr.trim(), /^sim: scenarios\/2000x20\.yaml: --method importance needs the recipe's rollout .*, but its latency is not 0[^\n]*$/);
  assert.not.ok(existsSync(join(dir, 'latency')));
  const long = sim('run', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--set', 'sweep={jitterSeconds: [100, 400]}', '--out', join(dir, 'long'));
  assert.is(long.code, 2);
  assert.match(long.stderr, /^sim: scenarios\/recipe-fleet\.yaml: point 1 \(jitterSeconds=400\): .*its horizon ends before the jitter does/);
  for (const flag of [['--shard', '0/2'], ['--report'], ['--engine', 'coupled']]) {
    const clash = sim('run', 'scenarios/recipe-fleet.yaml', '--method', 'importance', ...flag);
    assert.is(clash.code, 2);
    assert.is(clash.stderr, `sim: ${flag[0]}: applies to plain runs (the engine's trials), not to --method importance\n`);
  }
  const report = sim('report', join(dir, 'one'));
  assert.is(report.code, 2);
  assert.match(report.stderr, /holds only an importance-sampling run/);
});

test.run();
