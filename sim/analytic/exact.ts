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
  return -Math.expm1(logMultinomialAllAtMost(items, binProbabilities(jitterSeconds), threshold));
}

/**
 * log P(every count of Multinomial(n; probs) is at most k), exactly, by Levin's representation
 * (Ann. Statist. 9, 1981): with Y_i ~ Poisson(s p_i) independent and W the sum of the Y_i each
 * truncated to [0, k],
 *   P(all X_i <= k) = n! / (s^n e^-s) * prod_i P(Y_i <= k) * P(W = n),   here with s = n.
 * P(W = n) is the convolution of the truncated Poisson PMFs, kept to [0, n] and rescaled as it
 * goes (the scale is carried in logs). Cost: bins x n x (k + 1).
 */
export function logMultinomialAllAtMost(n: number, probs: ArrayLike<number>, k: number): number {
  if (n === 0) return 0;
  if (k < 0 || n > probs.length * k) return -Infinity;
  const s = n;
  let logP = factorialln(n) - n * Math.log(s) + s;
  let dist = new Float64Array(n + 1);
  let next = new Float64Array(n + 1);
  dist[0] = 1;
  let top = 0; // highest w with dist[w] possibly > 0
  const kernel = new Float64Array(k + 1);
  let kernelFor = NaN;
  for (let i = 0; i < probs.length; i++) {
    const mean = s * probs[i];
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
    if (max === 0) return -Infinity;
    for (let w = 0; w <= newTop; w++) next[w] /= max;
    logP += Math.log(max);
    [dist, next] = [next, dist];
    top = newTop;
  }
  if (dist[n] === 0) return -Infinity;
  return Math.min(0, logP + Math.log(dist[n]));
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
