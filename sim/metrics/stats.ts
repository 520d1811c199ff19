/** 95% two-sided normal quantile. */
export const Z95 = 1.959963984540054;

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
 * Mean with a normal 95% interval (mean +- z s / sqrt(n)) over the finite values: NaN (does not
 * exist) and Infinity (not observed within the trial) are left out; `n` says how many counted.
 */
export function meanInterval(values: ArrayLike<number>, z = Z95): Interval {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const mean = sum / n;
  if (n === 1) return { mean, lo: NaN, hi: NaN, n };
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  const half = z * Math.sqrt(ss / (n - 1) / n);
  return { mean, lo: mean - half, hi: mean + half, n };
}

/**
 * Linear interpolation between order statistics (type 7, as numpy and R default). Infinite
 * values (right-censored observations) sort last; a quantile that needs one is Infinity.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  if (h === lo) return sorted[lo];
  if (sorted[hi] === Infinity) return Infinity;
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
