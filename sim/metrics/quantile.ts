// Apart from stats.ts: the trial collector needs it in every worker, stats.ts's interval
// functions (and their @stdlib packages) only the main thread.

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
