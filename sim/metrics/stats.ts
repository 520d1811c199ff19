import { createRequire } from 'node:module';
import { ExactSum, productError } from './exact-sum.js';
import { Moments } from './moments.js';

export { quantileSorted } from './quantile.js';

// @stdlib's beta and t quantiles are required on first use, not imported, and from the bundle
// the build makes of them (sim/build-stdlib.mjs: one file instead of the packages' hundreds): a
// run needs them only for its summary, and while the main thread
// loads them it hands no batch to a worker that is waiting for one (see loadQuantiles).
const require = createRequire(import.meta.url);
type BetaQuantile = typeof import('@stdlib/stats-base-dists-beta-quantile');
type TQuantile = typeof import('@stdlib/stats-base-dists-t-quantile');
let quantiles: { beta: BetaQuantile; t: TQuantile } | null = null;

/** Loads the quantile functions now (a caller whose thread would otherwise wait). */
export function loadQuantiles(): { beta: BetaQuantile; t: TQuantile } {
  if (quantiles === null) {
    const bundle = require('../../vendor/stdlib.cjs') as { betaQuantile: BetaQuantile; tQuantile: TQuantile };
    quantiles = { beta: bundle.betaQuantile, t: bundle.tQuantile };
  }
  return quantiles;
}

/** 95% two-sided normal quantile. */
export const Z95 = 1.959963984540054;

/** The range a metric's values live in: an interval is clipped to it (a count is never negative). */
export type Range = readonly [lo: number, hi: number];
export const NON_NEGATIVE: Range = [0, Infinity];
export const SHARE: Range = [0, 1];

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Wilson score interval for k successes in n trials: unlike the normal approximation it stays
 * inside [0, 1] and gives a real upper bound when k = 0 (about 3.84 / n).
 */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { mean: p, lo: k === 0 ? 0 : Math.max(0, centre - half), hi: k === n ? 1 : Math.min(1, centre + half), n };
}

/**
 * Clopper-Pearson interval for k events in n trials, each bound at `alpha` (the binomial test
 * inverted): the upper bound is below p exactly when P(Bin(n, p) <= k) <= alpha, so a proof
 * "p < target" from it is wrong with probability at most alpha, whatever n and p.
 */
export function clopperPearson(k: number, n: number, alpha = 0.025): Interval {
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const { beta } = loadQuantiles();
  return { mean: k / n, lo: k === 0 ? 0 : beta(alpha, k, n - k + 1), hi: k === n ? 1 : beta(1 - alpha, k + 1, n - k), n };
}

/** Kullback-Leibler divergence of Bernoulli(q) from Bernoulli(p). */
function bernoulliKl(q: number, p: number): number {
  const a = q > 0 ? q * Math.log(q / p) : 0;
  const b = q < 1 ? (1 - q) * Math.log((1 - q) / (1 - p)) : 0;
  return a + b;
}

/**
 * Chernoff-Hoeffding (KL) interval for the mean of n independent values in [0, 1] with sample
 * mean m, each bound at `alpha`: P(sample mean <= m) <= exp(-n KL(m, mu)) for any such values
 * of mean mu > m (Hoeffding 1963, Theorem 1), so the upper bound is the largest mu with
 * n KL(m, mu) <= ln(1 / alpha). For shares per trial (the seconds over a limit in a trial's
 * refresh window), whose seconds are correlated within a trial but independent across trials.
 * With m = 0 it is 1 - alpha^(1/n), as the binomial's; it is never narrower than Clopper-Pearson.
 */
export function klInterval(m: number, n: number, alpha = 0.025): Interval {
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const budget = Math.log(1 / alpha) / n;
  const solve = (from: number, to: number) => {
    // Bisection on [from, to]: KL(m, mu) grows as mu moves away from m.
    let [near, far] = [from, to];
    if (bernoulliKl(m, far) <= budget) return far;
    for (let i = 0; i < 100; i++) {
      const mid = (near + far) / 2;
      if (bernoulliKl(m, mid) <= budget) near = mid;
      else far = mid;
    }
    return near;
  };
  return { mean: m, lo: m <= 0 ? 0 : solve(m, 0), hi: m >= 1 ? 1 : solve(m, 1), n };
}

/**
 * Mean with a 95% Student t interval (mean +- t(n-1) s / sqrt(n)) over the finite values, clipped
 * to the metric's range: NaN (does not exist) and Infinity (not observed within the trial) are
 * left out; `n` says how many counted. t, not z: conditional metrics often have few values.
 */
export function meanInterval(values: ArrayLike<number>, range: Range = [-Infinity, Infinity]): Interval {
  const m = new Moments();
  for (let i = 0; i < values.length; i++) m.add(values[i]);
  return momentInterval(m, range);
}

/**
 * The same from a metric's exact moments: the mean is the rounded sum over n, the sum of
 * squared deviations the exact sum of squares less the exact product sum x mean, rounded once
 * (it loses digits only when the values' spread is below about 1e-7 of their mean). Each is a
 * function of the exact sums alone, so any grouping of the trials into shards gives the same
 * bits.
 */
export function momentInterval(m: Moments, range: Range = [-Infinity, Infinity]): Interval {
  const n = m.n;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const sum = m.sum.value();
  const mean = sum / n;
  if (n === 1) return { mean, lo: NaN, hi: NaN, n };
  const deviations = new ExactSum();
  deviations.merge(m.squares);
  deviations.add(-(sum * mean));
  deviations.add(-productError(sum, mean));
  const ss = Math.max(0, deviations.value());
  const half = loadQuantiles().t(0.975, n - 1) * Math.sqrt(ss / (n - 1) / n);
  return { mean, lo: Math.max(range[0], mean - half), hi: Math.min(range[1], mean + half), n };
}
