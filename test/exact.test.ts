import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binomialTailAbove, binProbabilities, logMultinomialAllAtMost, refreshOverProbability, secondOverProbability } from '../sim/analytic/exact.js';

/** P(every bin count <= k) by enumerating all bins^n placements of n senders. */
function bruteAllAtMost(n: number, probs: number[], k: number): number {
  let total = 0;
  const counts = new Array(probs.length).fill(0);
  const place = (i: number, p: number) => {
    if (i === n) {
      if (counts.every((c) => c <= k)) total += p;
      return;
    }
    for (let b = 0; b < probs.length; b++) {
      counts[b]++;
      place(i + 1, p * probs[b]);
      counts[b]--;
    }
  };
  place(0, 1);
  return total;
}

test('Levin\'s representation equals brute-force enumeration on small cases', () => {
  const cases: Array<[number, number[], number]> = [
    [6, [0.25, 0.25, 0.25, 0.25], 2],
    [7, [0.25, 0.25, 0.25, 0.25], 2],
    [8, [0.2, 0.2, 0.2, 0.2, 0.2], 1],
    [9, [0.3, 0.3, 0.3, 0.1], 3], // a partial last bin
    [5, [0.5, 0.5], 4],
    [8, Array(6).fill(1 / 6), 2],
  ];
  for (const [n, probs, k] of cases) {
    const exact = Math.exp(logMultinomialAllAtMost(n, probs, k));
    const brute = bruteAllAtMost(n, probs, k);
    // The enumeration sums up to 6^8 products: its own rounding is below 1e-11.
    assert.ok(Math.abs(exact - brute) < 1e-11, `n=${n} k=${k}: ${exact} vs ${brute}`);
  }
  assert.is(logMultinomialAllAtMost(9, [0.5, 0.5], 4), -Infinity, 'nine senders cannot fit two bins of four');
  assert.is(logMultinomialAllAtMost(0, [1], 0), 0);
});

test('refresh-window bins: J full seconds, a partial last one, one bin at J <= 1', () => {
  assert.equal(Array.from(binProbabilities(4)), [0.25, 0.25, 0.25, 0.25]);
  assert.equal(Array.from(binProbabilities(2.5)), [0.4, 0.4, 0.2]);
  assert.equal(Array.from(binProbabilities(0)), [1]);
  assert.is(refreshOverProbability(3, 0, 2), 1, 'no jitter: all three senders in one second');
  assert.is(refreshOverProbability(2, 0, 2), 0);
  assert.ok(Number.isNaN(refreshOverProbability(1e6, 760000, 8)), 'too large to compute exactly: NaN, not a hang');
});

test('binomial tails: exact textbook values, and the far tail keeps its digits', () => {
  // P(Bin(10, 0.5) > 7) = (45 + 10 + 1) / 1024.
  assert.ok(Math.abs(binomialTailAbove(10, 0.5, 7) - 56 / 1024) < 1e-15);
  // Below the mode the complement is summed instead: P(Bin(10, 0.5) > 2) = 1 - 56 / 1024.
  assert.ok(Math.abs(binomialTailAbove(10, 0.5, 2) - 968 / 1024) < 1e-15);
  // P(Bin(20, 0.1) > 15) = sum_{x=16}^{20} C(20, x) 0.1^x 0.9^(20-x), about 4.2e-12.
  let far = 0;
  const c = [4845, 1140, 190, 20, 1];
  for (let x = 16; x <= 20; x++) far += c[x - 16] * 0.1 ** x * 0.9 ** (20 - x);
  assert.ok(Math.abs(binomialTailAbove(20, 0.1, 15) / far - 1) < 1e-9, `${binomialTailAbove(20, 0.1, 15)} vs ${far}`);
  assert.is(secondOverProbability(50, 10, 50), 0);
});

test('per-refresh lies between the per-second probability and the union bound over the window\'s seconds', () => {
  for (const [n, J, k] of [[700, 190, 13], [2000, 270, 20], [1000, 100, 22]] as const) {
    const second = secondOverProbability(n, J, k);
    const refresh = refreshOverProbability(n, J, k);
    assert.ok(refresh >= second && refresh <= J * second * (1 + 1e-9), `n=${n} J=${J}: ${second} <= ${refresh} <= ${J * second}`);
    // Seconds are nearly independent when over-limit seconds are rare: close to 1 - (1 - p)^J.
    const independent = -Math.expm1(J * Math.log1p(-second));
    assert.ok(Math.abs(refresh / independent - 1) < 0.05, `n=${n} J=${J}: ${refresh} vs ${independent}`);
  }
});

test.run();
