/**
 * An importance-sampling estimate from its weighted trials (sim/model/rare-events.ts draws
 * them): batches' sums combined in batch order, so the estimate is the same for any number of
 * workers.
 */

/**
 * One batch's weighted trials: each trial's contribution z = indicator x likelihood ratio, summed
 * in units of `scale` (z / scale, so that squares far in a tail do not underflow).
 */
export interface RareSums {
  trials: number;
  scale: number;
  sum: number;
  squares: number;
  largest: number;
  /**
   * The cover's events' summed probabilities, P = sum of p_w (its mean over the trials' phases,
   * when the cover's grid has a random phase): the union bound of P(E), which may exceed 1.
   */
  union: number;
  /** 1 when the contributions were not all equal (0: every one the same, or none). */
  spread: number;
}

export interface RareEstimate {
  /** The estimate of P(E) (of E's mean, for a share), clipped to [0, 1] (see `clipped`). */
  estimate: number;
  /** The weighted mean came out above 1 (possible when the cover's sum is): 1 is given instead. */
  clipped: boolean;
  /**
   * Its standard error over the estimate, from the contributions' sample variance; when every
   * contribution was the same (every drawn rollout in one window of the cover: the variance
   * seen is 0), at least 3 / trials, the rule-of-three bound on the share of rollouts in two
   * windows that the trials did not meet.
   */
  relativeError: number;
  /** (sum of contributions)^2 / sum of squares: the trials that effectively count. */
  effectiveTrials: number;
  /** The largest single contribution's share of the sum (a proposal gone wrong shows here). */
  largestShare: number;
  trials: number;
  /** The cover's summed probabilities (RareSums.union) capped at 1: an upper bound of P(E). */
  bound: number;
  /** Why the estimate is not to be reported (null: it is). */
  refused: string | null;
}

/** Effective trials below which an estimate is refused: the weights say too little. */
export const LEAST_EFFECTIVE_TRIALS = 30;

export function combineRare(parts: RareSums[]): RareEstimate {
  let trials = 0;
  let sum = 0;
  let squares = 0;
  let largest = 0;
  let spread = 0;
  // Every batch's sums in the first batch's units (the batches of one question share it).
  const unit = parts[0]?.scale ?? 1;
  // A batch whose contributions were all equal has each one at its largest: batches equal
  // within but not between them have a spread too.
  let only = NaN;
  for (const p of parts) {
    const f = p.scale / unit;
    trials += p.trials;
    sum += p.sum * f;
    squares += p.squares * f * f;
    if (p.largest * f > largest) largest = p.largest * f;
    spread = Math.max(spread, p.spread);
    if (p.spread === 0 && p.trials > 0) {
      if (Number.isNaN(only)) only = p.largest * f;
      else if (Math.abs(p.largest * f - only) > 1e-12 * Math.abs(only)) spread = 1;
    }
  }
  const union = trials > 0 ? parts.reduce((u, p) => u + p.union * p.trials, 0) / trials : 0;
  if (union === 0) return { estimate: 0, clipped: false, relativeError: 0, effectiveTrials: 0, largestShare: NaN, trials, bound: 0, refused: null };
  const mean = sum / trials;
  // Each weight is at most the cover's sum, so where that sum exceeds 1 the mean can too.
  const clipped = mean * unit > 1;
  const estimate = clipped ? 1 : mean * unit;
  const variance = trials > 1 ? Math.max(0, squares / trials - mean * mean) * (trials / (trials - 1)) : NaN;
  const seen = mean > 0 ? Math.sqrt(variance / trials) / mean : NaN;
  const relativeError = spread === 0 && estimate > 0 ? Math.max(seen, 3 / trials) : seen;
  const effectiveTrials = squares > 0 ? (sum * sum) / squares : 0;
  const refused =
    sum === 0 ? `no drawn rollout had the event: it is below the cover's summed probability ${union.toExponential(2)} by more than ${trials} trials can tell` :
    effectiveTrials < LEAST_EFFECTIVE_TRIALS ? `only ${effectiveTrials.toFixed(1)} effective trials of ${trials}: more trials` : null;
  return { estimate, clipped, relativeError, effectiveTrials, largestShare: sum > 0 ? largest / sum : NaN, trials, bound: Math.min(1, union), refused };
}
