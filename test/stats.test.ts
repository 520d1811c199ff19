import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meanInterval, quantileSorted, wilson, Z95 } from '../sim/metrics/stats.js';

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('Wilson interval: an upper bound with zero events, z^2 / (n + z^2)', () => {
  const w = wilson(0, 1000);
  assert.is(w.mean, 0);
  assert.is(w.lo, 0);
  near(w.hi, (Z95 * Z95) / (1000 + Z95 * Z95));
  // 38,411 trials without a throttled one bound the frequency below 1e-4; 38,410 do not.
  assert.ok(wilson(0, 38411).hi < 1e-4);
  assert.ok(wilson(0, 38410).hi > 1e-4);
});

test('Wilson interval: textbook values and symmetry', () => {
  // 5 of 10: Wilson 95% = [0.2366, 0.7634] (Newcombe 1998).
  const w = wilson(5, 10);
  near(w.lo, 0.23659309, 1e-7);
  near(w.hi, 0.76340691, 1e-7);
  const a = wilson(3, 50);
  const b = wilson(47, 50);
  near(a.lo, 1 - b.hi);
  near(a.hi, 1 - b.lo);
  assert.is(wilson(50, 50).hi, 1);
});

test('mean interval: t = mean +- 1.96 s / sqrt(n), NaN left out', () => {
  const iv = meanInterval([1, 2, 3, 4, NaN]);
  assert.is(iv.n, 4);
  assert.is(iv.mean, 2.5);
  near(iv.hi - iv.mean, (Z95 * Math.sqrt(5 / 3)) / 2);
  assert.ok(Number.isNaN(meanInterval([NaN]).mean));
  assert.ok(Number.isNaN(meanInterval([4]).lo), 'no interval from one value');
});

test('quantiles interpolate between order statistics', () => {
  assert.is(quantileSorted([1, 2, 3, 4, 5], 0.5), 3);
  near(quantileSorted([0, 10], 0.99), 9.9);
  assert.is(quantileSorted([7], 0.99), 7);
});

test.run();
