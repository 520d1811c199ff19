import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { combineRare, LEAST_EFFECTIVE_TRIALS, type RareSums } from '../sim/metrics/rare-estimate.js';

/** The sums of contributions z (in units of `scale`), as sampleRare makes them. */
function sums(z: number[], scale: number, union: number): RareSums {
  const u = z.map((x) => x / scale);
  return {
    trials: z.length,
    scale,
    sum: u.reduce((a, b) => a + b, 0),
    squares: u.reduce((a, b) => a + b * b, 0),
    largest: Math.max(0, ...u),
    union,
    spread: Math.max(...z) > Math.min(...z) ? 1 : 0,
  };
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${what}: ${a} vs ${b}`);

test('an estimate from its weighted trials: the mean, its relative standard error, the effective trials, the largest share', () => {
  const z: number[] = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 3e-9 : i % 4 === 1 ? 1e-9 : 0));
  const e = combineRare([sums(z, 4e-9, 4e-9)]);
  const n = z.length;
  const mean = z.reduce((a, b) => a + b, 0) / n;
  const variance = (z.reduce((a, b) => a + b * b, 0) / n - mean * mean) * (n / (n - 1));
  close(e.estimate, mean, 'estimate');
  close(e.relativeError, Math.sqrt(variance / n) / mean, 'relative error');
  close(e.effectiveTrials, (n * mean) ** 2 / z.reduce((a, b) => a + b * b, 0), 'effective trials');
  close(e.largestShare, 3e-9 / (n * mean), 'largest share');
  assert.is(e.trials, n);
  assert.is(e.bound, 4e-9);
  assert.is(e.refused, null);
});

test('probabilities stay probabilities: a weighted mean above 1 is given as 1 and flagged; the bound is the cover\'s sum capped at 1', () => {
  // A cover summing to 31.1 (many likely windows): each contribution is 31.1 / (windows hit),
  // and their mean may come out above 1 (here 1.004, as measured) although P(E) cannot.
  const z = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 31.1 / 30 : 2 * 1.004 - 31.1 / 30));
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  assert.ok(Math.abs(mean - 1.004) < 1e-12, String(mean));
  const e = combineRare([sums(z, 31.1, 31.1)]);
  assert.is(e.estimate, 1);
  assert.is(e.clipped, true);
  assert.is(e.bound, 1);
  assert.ok(e.relativeError > 0 && e.refused === null);
  const below = combineRare([sums(z.map((x) => x / 2), 31.1, 31.1)]);
  assert.is(below.clipped, false);
  close(below.estimate, mean / 2, 'an estimate below 1 is kept');
});

test('batches in other units combine as one batch; far below 1e-154 the error bars survive', () => {
  // The largest contribution only in the middle batch, in units other than the first's.
  const z: number[] = Array.from({ length: 300 }, (_, i) => (i === 150 ? 5e-200 : [2e-200, 5e-201, 0][i % 3]));
  const whole = combineRare([sums(z, 3e-200, 3e-200)]);
  const split = combineRare([sums(z.slice(0, 100), 3e-200, 3e-200), sums(z.slice(100, 250), 1e-199, 3e-200), sums(z.slice(250), 2.5e-201, 3e-200)]);
  for (const k of ['estimate', 'relativeError', 'effectiveTrials', 'largestShare'] as const) close(split[k], whole[k], k);
  assert.is(split.trials, 300);
  assert.ok(whole.refused === null && whole.relativeError > 0.05 && whole.relativeError < 0.1, String(whole.relativeError));
  // Nearly equal contributions: the relative error seen (far below 3 / n) stands, though one
  // batch's were all equal (the rule of three is for when every contribution was).
  const near = [...new Array(100).fill(1e-9), ...new Array(100).fill(1.001e-9)];
  const apart = combineRare([sums(near.slice(0, 100), 1e-9, 1e-9), sums(near.slice(100), 1e-9, 1e-9)]);
  const together = combineRare([sums(near, 1e-9, 1e-9)]).relativeError;
  assert.ok(Math.abs(apart.relativeError - together) < 1e-6 * together && together < 1e-4, `${apart.relativeError} vs ${together}`);
  // No batch at all (no trial asked for): nothing to estimate.
  assert.equal(combineRare([]), { estimate: 0, clipped: false, relativeError: 0, effectiveTrials: 0, largestShare: NaN, trials: 0, bound: 0, refused: null });
});

test('refusals: no trial had the event (the union bounds it), too few effective trials; an empty union is impossible; equal contributions get the rule of three', () => {
  const none = combineRare([sums(new Array(50).fill(0), 1e-9, 1e-9)]);
  assert.equal([none.estimate, none.effectiveTrials], [0, 0]);
  assert.match(none.refused ?? '', /^no drawn rollout had the event: it is below the cover's summed probability 1\.00e-9 by more than 50 trials can tell$/);
  // One trial carries it all: 1 effective trial.
  const one = combineRare([sums([1e-6, ...new Array(999).fill(1e-12)], 1e-6, 1e-6)]);
  assert.ok(one.effectiveTrials < LEAST_EFFECTIVE_TRIALS);
  assert.match(one.refused ?? '', /^only 1\.0 effective trials of 1000: more trials$/);
  // Just enough effective trials: reported.
  const k = LEAST_EFFECTIVE_TRIALS;
  const enough = combineRare([sums([...new Array(k).fill(1e-6), ...new Array(1000 - k).fill(0)], 1e-6, 1e-6)]);
  close(enough.effectiveTrials, k, 'effective trials');
  assert.is(enough.refused, null);
  const impossible = combineRare([sums(new Array(10).fill(0), 1, 0)]);
  assert.equal([impossible.estimate, impossible.bound, impossible.refused], [0, 0, null]);
  const same = combineRare([sums(new Array(400).fill(2e-9), 2e-9, 2e-9)]);
  close(same.estimate, 2e-9, 'estimate');
  close(same.relativeError, 3 / 400, 'rule of three');
});

test.run();
