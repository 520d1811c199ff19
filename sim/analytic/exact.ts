import factorialln from '@stdlib/math-base-special-factorialln';
import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import poissonCdf from '@stdlib/stats-base-dists-poisson-cdf';
import poissonPmf from '@stdlib/stats-base-dists-poisson-pmf';
import { binWeights } from '../model/config.js';

/**
 * Exact distributions of the load in a refresh window, under the documented recipe's picture:
 * `items` senders (clusters fetching their S secrets at one instant, or single GETs) each land
 * in a uniformly random instant of [0, J), counted in 1-s bins aligned to 0; a bin is over when
 * more than `threshold` senders land in it.
 */

/** P(Binomial(n, p) > k), summed term by term from the stdlib PMF (exact in the far tail too). */
export function binomialTailAbove(n: number, p: number, k: number): number {
  if (k >= n) return 0;
  if (k < 0) return 1;
  const mode = Math.floor((n + 1) * p);
  if (k < mode) {
    // The tail holds the bulk: the short sum below k is cheaper, and the result is not small.
    let below = 0;
    for (let x = 0; x <= k; x++) below += binomialPmf(x, n, p);
    return Math.max(0, 1 - below);
  }
  let tail = 0;
  // From above the mode the terms fall: stop once they no longer change the sum.
  for (let x = k + 1; x <= n; x++) {
    const term = binomialPmf(x, n, p);
    tail += term;
    if (x > mode && term < tail * 1e-17) break;
  }
  return Math.min(1, tail);
}

/** The 1-s bins of [0, J): their probabilities (full bins 1/J, a last partial bin frac/J). */
export function binProbabilities(jitterSeconds: number): Float64Array {
  return binWeights(jitterSeconds);
}

/** P(a given full 1-s bin of the window holds more than `threshold` of `items` senders). */
export function secondOverProbability(items: number, jitterSeconds: number, threshold: number): number {
  return binomialTailAbove(items, 1 / Math.max(1, jitterSeconds), threshold);
}

/** Multiply-adds beyond which the exact per-refresh probability is not attempted (about 10 s). */
export const MAX_EXACT_WORK = 1e10;

/**
 * P(any 1-s bin of the window holds more than `threshold` of `items` senders); NaN when the
 * exact computation (bins x items x (threshold + 1) multiply-adds) would exceed `maxWork`.
 */
export function refreshOverProbability(items: number, jitterSeconds: number, threshold: number, maxWork = MAX_EXACT_WORK): number {
  const bins = Math.max(1, Math.ceil(jitterSeconds));
  if (bins * items * (threshold + 1) > maxWork && items <= bins * threshold) return NaN;
  return multinomialAnyAbove(items, binProbabilities(jitterSeconds), threshold);
}

/** log P(every count of Multinomial(n; probs) is at most k), exactly (see `levin`). */
export function logMultinomialAllAtMost(n: number, probs: ArrayLike<number>, k: number): number {
  return levin(n, probs, k, false).logAllAtMost;
}

/**
 * P(some count of Multinomial(n; probs) is above k), exactly, as a sum of positive terms: the
 * probability that bin i is the first one above k, over i. 1 - P(all <= k) would lose every
 * digit below about 1e-13 to the rounding of P(all <= k); this keeps them down to 1e-300.
 */
export function multinomialAnyAbove(n: number, probs: ArrayLike<number>, k: number): number {
  return levin(n, probs, k, true).anyAbove;
}

/**
 * The maximum of Multinomial(n; probs) against k by Levin's representation (Ann. Statist. 9,
 * 1981): with Y_i ~ Poisson(s p_i) independent and W the sum of the Y_i each truncated to
 * [0, k],
 *   P(all X_i <= k) = n! / (s^n e^-s) * prod_i P(Y_i <= k) * P(W = n),   here with s = n.
 * P(W = n) is the convolution of the truncated Poisson PMFs, kept to [0, n] and rescaled as it
 * goes (the scale is carried in logs). Cost: bins x n x (k + 1).
 *
 * With `anyAbove`, the same pass also sums P(bins before i all <= k, bin i > k) over i: given
 * the first bins' truncated sum w, the rest of the Poisson sum is Poisson(s p_{>=i}) at n - w
 * and bin i's share of it is Binomial(n - w, p_i / p_{>=i}), so the term is the convolution so
 * far times Poisson(n - w) times P(Binomial > k), all in logs. Cost: bins x n more.
 */
function levin(n: number, probs: ArrayLike<number>, k: number, anyAbove: boolean): { logAllAtMost: number; anyAbove: number } {
  if (n === 0 || k >= n) return { logAllAtMost: 0, anyAbove: 0 };
  if (k < 0 || n > probs.length * k) return { logAllAtMost: -Infinity, anyAbove: 1 };
  const s = n;
  let logP = factorialln(n) - n * Math.log(s) + s;
  let dist = new Float64Array(n + 1);
  let next = new Float64Array(n + 1);
  dist[0] = 1;
  let top = 0; // highest w with dist[w] possibly > 0
  const kernel = new Float64Array(k + 1);
  let kernelFor = NaN;
  // For the first-passage terms: log t! and, per bin, log P(Binomial(t, r) > k) for t in [0, n].
  const logFactorial = anyAbove ? factorialTable(n) : null;
  const logTail = anyAbove ? new Float64Array(n + 1) : null;
  const after = anyAbove ? suffixSums(probs) : null; // after[i] = p_i + p_{i+1} + ...
  const terms = new LogSum();
  for (let i = 0; i < probs.length; i++) {
    const mean = s * probs[i];
    if (logFactorial && logTail && after && probs[i] > 0) {
      binomialTailLogs(n, k, Math.log(probs[i]) - Math.log(after[i]), Math.log(after[i + 1]) - Math.log(after[i]), logFactorial, logTail);
      const lambda = s * after[i];
      const logLambda = Math.log(lambda);
      for (let w = 0; w <= top; w++) {
        const t = n - w;
        if (dist[w] === 0 || logTail[t] === -Infinity) continue;
        terms.add(logP + Math.log(dist[w]) + t * logLambda - lambda - logFactorial[t] + logTail[t]);
      }
    }
    const cdf = poissonCdf(k, mean);
    logP += Math.log(cdf);
    if (mean !== kernelFor) {
      for (let x = 0; x <= k; x++) kernel[x] = poissonPmf(x, mean) / cdf;
      kernelFor = mean;
    }
    const newTop = Math.min(n, top + k);
    let max = 0;
    for (let w = 0; w <= newTop; w++) {
      let acc = 0;
      const from = Math.max(0, w - top);
      const to = Math.min(k, w);
      for (let x = from; x <= to; x++) acc += dist[w - x] * kernel[x];
      next[w] = acc;
      if (acc > max) max = acc;
    }
    if (max === 0) return { logAllAtMost: -Infinity, anyAbove: 1 };
    for (let w = 0; w <= newTop; w++) next[w] /= max;
    logP += Math.log(max);
    [dist, next] = [next, dist];
    top = newTop;
  }
  const logAllAtMost = dist[n] === 0 ? -Infinity : Math.min(0, logP + Math.log(dist[n]));
  return { logAllAtMost, anyAbove: anyAbove ? Math.min(1, terms.value()) : -Math.expm1(logAllAtMost) };
}

/** log t! for t in [0, n] (each from the stdlib: a running sum of logs would drift). */
function factorialTable(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let t = 2; t <= n; t++) table[t] = factorialln(t);
  return table;
}

/** after[i] = probs[i] + ... + probs[last], summed from the end (no cancellation); after[length] = 0. */
function suffixSums(probs: ArrayLike<number>): Float64Array {
  const after = new Float64Array(probs.length + 1);
  for (let i = probs.length - 1; i >= 0; i--) after[i] = after[i + 1] + probs[i];
  return after;
}

/**
 * out[t] = log P(Binomial(t, r) > k) for t in [0, n], from log r and log(1 - r), by
 * P(Bin(t + 1, r) > k) = P(Bin(t, r) > k) + r P(Bin(t, r) = k): a sum of positive terms.
 */
function binomialTailLogs(n: number, k: number, logR: number, logNotR: number, logFactorial: Float64Array, out: Float64Array): void {
  out.fill(-Infinity, 0, Math.min(n, k) + 1);
  let tail = -Infinity;
  for (let t = k; t < n; t++) {
    // log P(Bin(t, r) = k); with r = 1 it is 0 at t = k and -Infinity after (0 * -Infinity is NaN).
    const exponent = t === k ? 0 : (t - k) * logNotR;
    const logPmf = logFactorial[t] - logFactorial[k] - logFactorial[t - k] + k * logR + exponent;
    tail = logAdd(tail, logR + logPmf);
    out[t + 1] = tail;
  }
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** A sum of positive terms given by their logs, kept scaled to its largest term so far. */
class LogSum {
  private max = -Infinity;
  private sum = 0;
  add(logTerm: number): void {
    if (logTerm <= this.max) {
      this.sum += Math.exp(logTerm - this.max);
    } else {
      this.sum = this.sum * Math.exp(this.max - logTerm) + 1;
      this.max = logTerm;
    }
  }
  value(): number {
    return this.max === -Infinity ? 0 : this.sum * Math.exp(this.max);
  }
}

/**
 * E[pSecondOver]: the expected share of the window's 1-s bins holding more than `threshold` of
 * `items` senders (a last partial bin counts as a bin, with its smaller probability), exactly.
 */
export function meanSecondOverProbability(items: number, jitterSeconds: number, threshold: number): number {
  const probs = binProbabilities(jitterSeconds);
  let sum = 0;
  for (let i = 0; i < probs.length; i++) sum += binomialTailAbove(items, probs[i], threshold);
  return sum / probs.length;
}
