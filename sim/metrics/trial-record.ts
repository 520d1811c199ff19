/**
 * The per-trial record: one float64 per metric, in this order (the columns of trials.csv after
 * `point` and `trial`). NaN means "does not exist in this trial" (no throttle, never converged,
 * no rotation); Infinity means "longer than the trial" (a staleness quantile that falls on a
 * secret still stale at the horizon).
 */
export const TRIAL_METRICS = [
  'requests',
  'throttled',
  'throttledFraction',
  'throttledTrial',
  'throttledSeconds',
  'firstThrottleAt',
  'peakRps',
  'peak10s',
  'refreshOver',
  'pSecondOver',
  'refreshSeconds',
  'refreshSecondsOver',
  'retries',
  'requeues',
  'fetchesNeeded',
  'amplification',
  'UpdateNoValueChangeSucceeded',
  'UpdateValueChangeOrForceUpdateSucceeded',
  'PartialSync',
  'ProviderError',
  'convergence',
  'stalenessP50',
  'stalenessP99',
  'stalenessMax',
  'lastThrottleAt',
  'unavailable',
  'throttledAfterOutage',
  'recovery',
  // 1 when the trial would have met a 429 under that limiter shape (sim/model/shape-check.ts).
  'shape.token-bucket.throttledTrial',
  'shape.fixed-window.throttledTrial',
  'shape.sliding-window.throttledTrial',
] as const;


export type TrialMetric = (typeof TRIAL_METRICS)[number];

/** The limiter shapes' metrics, in LIMITER_SHAPES order (token bucket, fixed window, sliding window). */
export const SHAPE_METRICS = ['shape.token-bucket.throttledTrial', 'shape.fixed-window.throttledTrial', 'shape.sliding-window.throttledTrial'] as const satisfies readonly TrialMetric[];

export type ShapeMetric = (typeof SHAPE_METRICS)[number];

/** A shape metric's limiter shape in words: "sliding window". */
export function shapeName(metric: ShapeMetric): string {
  return metric.split('.')[1].replace('-', ' ');
}

export const METRIC_INDEX = Object.fromEntries(TRIAL_METRICS.map((m, i) => [m, i])) as Record<
  TrialMetric,
  number
>;

export const STATUS_REASONS = [
  'UpdateNoValueChangeSucceeded',
  'UpdateValueChangeOrForceUpdateSucceeded',
  'PartialSync',
  'ProviderError',
] as const;

export type StatusReason = (typeof STATUS_REASONS)[number];

/** Status reason codes as the model reports them (index into STATUS_REASONS). */
export const enum Outcome {
  NoValueChange = 0,
  ValueChangeOrForce = 1,
  Partial = 2,
  ProviderError = 3,
}

/**
 * Per vault, and for the subscription (every vault together): the fleet's GETs (background
 * load excluded), its 429s, the busiest second and 10-s window, and the headroom, the share of
 * the limit per 10 s (the limiter's limit scaled to 10 s) the busiest window left unused
 * (negative: more was sent than the limit allows).
 */
export const SCOPE_METRICS = ['requests', 'throttled', 'peakRps', 'peak10s', 'headroom'] as const;
export type ScopeMetric = (typeof SCOPE_METRICS)[number];

/** The records of a run of trials [from, to) of one point: row-major, one row per trial. */
export interface TrialBatch {
  point: number;
  from: number;
  to: number;
  /** (to - from) x TRIAL_METRICS.length */
  metrics: Float64Array;
  /** (to - from) x 2 x bins: requests per bin, then throttled per bin. */
  series: Uint32Array;
  bins: number;
  /** (to - from) x (vaults + 1) x SCOPE_METRICS.length: each vault, then the subscription. */
  scopes?: Float64Array;
  /** (to - from) x vaults x 2 x bins per vault (requests, then throttled), when there are several vaults. */
  vaultSeries?: Uint32Array;
  /** How many of these trials the coupled driver ran (the rest were exact on the independent one). */
  coupled: number;
  /** How many cluster runs of the independent driver took the quiet clusters' fast path. */
  quietClusters: number;
}
