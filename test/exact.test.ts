import { test } from 'uvu';
import * as assert from 'uvu/assert';
import factorialln from '@stdlib/math-base-special-factorialln';
import { binomialTailAbove, binProbabilities, logMultinomialAllAtMost, multinomialAnyAbove, refreshOverProbability, secondOverProbability } from '../sim/analytic/exact.js';

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

/** log P(Binomial(n, p) > k), summed in logs from k + 1 until the terms stop counting. */
function logTailAbove(n: number, p: number, k: number): number {
  let max = -Infinity;
  let sum = 0;
  for (let x = k + 1; x <= n; x++) {
    const log = factorialln(n) - factorialln(x) - factorialln(n - x) + x * Math.log(p) + (n - x) * Math.log1p(-p);
    if (log > max) {
      sum = sum * Math.exp(max - log) + 1;
      max = log;
    } else {
      sum += Math.exp(log - max);
      if (log < max - 60) break;
    }
  }
  return max + Math.log(sum);
}

test('the exact far tail keeps its digits down to 1e-300: inside the Bonferroni bracket [S1 - S2, S1]', () => {
  // S1 = J P(one bin > k); S2 = C(J, 2) P(two given bins > k), from the trinomial. Where S2 is
  // far below S1 the bracket pins P(any bin > k) to many digits; 1 - P(all <= k) lost them
  // (5,000 x 8 at J = 360: 7.9e-12 for 4.84e-12).
  for (const [n, J, k] of [[5000, 360, 50], [2000, 600, 20], [3000, 240, 40], [300, 100, 110], [500, 500, 161]] as const) {
    const p = 1 / J;
    const logS1 = Math.log(J) + logTailAbove(n, p, k);
    let logPairs = -Infinity;
    for (let a = k + 1; a <= n - k - 1; a++) {
      const log = factorialln(n) - factorialln(a) - factorialln(n - a) + a * Math.log(p) + (n - a) * Math.log1p(-p) + logTailAbove(n - a, p / (1 - p), k);
      logPairs = Math.max(logPairs, log) + Math.log1p(Math.exp(-Math.abs(logPairs - log)));
      if (log < logPairs - 60) break;
    }
    const logS2 = Math.log((J * (J - 1)) / 2) + logPairs;
    const exact = refreshOverProbability(n, J, k);
    // The bracket in logs (S1 may be 1e-300); 1e-9 of rounding slack on each side.
    const gap = -Math.expm1(logS2 - logS1); // (S1 - S2) / S1
    const ratio = Math.exp(Math.log(exact) - logS1);
    assert.ok(logS2 < logS1 - 9, `n=${n} J=${J} k=${k}: S2 is not far below S1`);
    assert.ok(ratio <= 1 + 1e-9 && ratio >= gap - 1e-9, `n=${n} J=${J} k=${k}: ${exact} against S1 = ${Math.exp(logS1)} (4 digits: ${ratio})`);
  }
});

/** P(some bin count > k) over every composition of n into the bins, each with its multinomial probability. */
function bruteAnyAbove(n: number, probs: number[], k: number): number {
  let total = 0;
  const fact = (m: number): number => (m <= 1 ? 1 : m * fact(m - 1));
  const place = (i: number, left: number, p: number, over: boolean) => {
    if (i === probs.length - 1) {
      if (over || left > k) total += (p * probs[i] ** left) / fact(left);
      return;
    }
    for (let c = 0; c <= left; c++) place(i + 1, left - c, (p * probs[i] ** c) / fact(c), over || c > k);
  };
  place(0, n, fact(n), false);
  return total;
}

test('the first-passage sum equals brute-force enumeration of P(some bin > k)', () => {
  const cases: Array<[number, number[], number]> = [
    [6, [0.25, 0.25, 0.25, 0.25], 2],
    [9, [0.3, 0.3, 0.3, 0.1], 3],
    [8, Array(6).fill(1 / 6), 4],
    [7, [0.5, 0, 0.5], 3], // an empty bin
    [5, [0.2, 0.8], 0],
    [12, Array(6).fill(1 / 6), 9], // about 1e-6: a relative check
  ];
  for (const [n, probs, k] of cases) {
    const brute = bruteAnyAbove(n, probs, k);
    const exact = multinomialAnyAbove(n, probs, k);
    assert.ok(Math.abs(exact / brute - 1) < 1e-12, `n=${n} k=${k}: ${exact} vs ${brute}`);
  }
  assert.is(multinomialAnyAbove(9, [0.5, 0.5], 4), 1);
  assert.is(multinomialAnyAbove(4, [0.5, 0.5], 4), 0);
});

test.run();
