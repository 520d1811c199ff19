import { PointSums } from './point-sums.js';
import { klInterval, loadQuantiles, momentInterval, NON_NEGATIVE, SHARE, wilson, Z95, type Interval } from './stats.js';
import { METRIC_INDEX as M, SCOPE_METRICS, SHAPE_METRICS, STATUS_REASONS, type TrialBatch, type TrialMetric } from './trial-record.js';

/**
 * proportion: trials with an event (Wilson); shareOfSeconds: the pooled share of refresh seconds
 * over the limit, its interval from the per-trial counts (secondsShare: seconds within a trial
 * are correlated); mean: a per-trial value (t interval); conditional: the same over the trials
 * where it exists. Every value here is non-negative; throttledFraction is a share.
 */
type Kind = 'proportion' | 'shareOfSeconds' | 'mean' | 'conditional';
/** `countLater`: its `_n` column is not in the contract's prefix; it comes after the extension columns. */
type SummaryMetric = { name: string; kind: Kind; countLater?: boolean };

/** The summary metrics in summary.csv order (docs/outputs.md), and how each is aggregated. */
export const SUMMARY_METRICS: ReadonlyArray<SummaryMetric> = [
  { name: 'throttledTrial', kind: 'proportion' },
  { name: 'refreshOver', kind: 'proportion' },
  { name: 'pSecondOver', kind: 'shareOfSeconds' },
  ...['requests', 'throttled', 'retries', 'requeues', 'throttledSeconds', 'peakRps', 'peak10s'].map((name) => ({ name, kind: 'mean' as const })),
  { name: 'throttledFraction', kind: 'mean' },
  { name: 'amplification', kind: 'mean' },
  { name: 'firstThrottleAt', kind: 'conditional' },
  { name: 'convergence', kind: 'conditional' },
  { name: 'stalenessP99', kind: 'conditional', countLater: true },
  ...STATUS_REASONS.map((name) => ({ name, kind: 'mean' as const })),
];

/**
 * Metrics beyond the docs/outputs.md contract, as columns after the analytic ones so that readers
 * of the contract's columns by position are not disturbed: when throttling ends, and an outage's
 * recovery.
 */
export const EXTENSION_METRICS: ReadonlyArray<SummaryMetric> = [
  { name: 'lastThrottleAt', kind: 'conditional' },
  { name: 'unavailable', kind: 'mean' },
  { name: 'throttledAfterOutage', kind: 'mean' },
  { name: 'recovery', kind: 'conditional' },
];

/**
 * Whether a trial would have met a 429 under each limiter shape at the vaults' limits and
 * windows (sim/model/shape-check.ts): columns after every other, so that readers by position
 * are not disturbed.
 */
export const SHAPE_SUMMARY_METRICS: ReadonlyArray<SummaryMetric> = SHAPE_METRICS.map((name) => ({ name, kind: 'proportion' as const }));

/** The columns of a metric's mean and 95% interval. */
export function intervalColumns(name: string): string[] {
  return [`${name}_mean`, `${name}_lo`, `${name}_hi`];
}

/** Column names for a list of summary metrics (by default, the contract's). */
export function summaryMetricColumns(metrics: ReadonlyArray<SummaryMetric> = SUMMARY_METRICS): string[] {
  return metrics.flatMap(({ name, kind, countLater }) => (kind === 'conditional' && !countLater ? [...intervalColumns(name), `${name}_n`] : intervalColumns(name)));
}

/** The `_n` columns of contract metrics whose count the contract does not place (after the extensions). */
export const LATE_COUNT_COLUMNS: readonly string[] = SUMMARY_METRICS.filter((m) => m.countLater).map((m) => `${m.name}_n`);

export interface PointResult {
  trials: number;
  /** Column name -> value (NaN: no data). */
  summary: Map<string, number>;
  /** Per timeseries bin: requests mean, throttled mean, requests p99 across trials. */
  bins: number;
  requestsMean: Float64Array;
  throttledMean: Float64Array;
  requestsP99: Float64Array;
  /** The sums the summary came from (a shard's file holds them). */
  sums: PointSums;
  /** How many trials the coupled driver ran (the vault would have throttled, or `--engine coupled`). */
  coupled: number;
  /** Why the analytic recipe has no value for this point ('' when it has one; set by sim/run). */
  analyticNote?: string;
  /**
   * With several vaults, per vault (in scopes.vaults order): requests and 429s per timeseries
   * bin and the trailing 10-s sum of requests, means across trials.
   */
  vaultRequestsMean: Float64Array[];
  vaultThrottledMean: Float64Array[];
  vaultTrailing10sMean: Float64Array[];
  scopes: Scopes;
}

/**
 * The per-vault and subscription columns' stem: `vault.<name>.<metric>`, `subscription.<metric>`
 * (then _mean, _lo, _hi as every metric's).
 */
export function scopeColumn(scope: string | null, metric: string): string {
  return scope === null ? `subscription.${metric}` : `vault.${scope}.${metric}`;
}

/** What the scope columns of a point describe: its vaults' names, and whether it has a subscription limiter. */
export interface Scopes {
  vaults: string[];
  subscription: boolean;
  /** Per vault, its limit per 10 s; and the timeseries bin width (for the trailing 10-s sums). */
  limits10s: number[];
  bin: number;
}

const NO_SCOPES: Scopes = { vaults: [], subscription: false, limits10s: [], bin: 1 };

/** A point's summary and timeseries from some batches of its trials (tests; a run keeps PointSums). */
export function summariseBatches(batches: TrialBatch[], scopes: Scopes = NO_SCOPES): PointResult {
  return summarisePoint(PointSums.ofBatches(batches), scopes);
}

/** A point's summary and timeseries from the sums of its trials (any split of them, merged). */
export function summarisePoint(sums: PointSums, scopes: Scopes = NO_SCOPES): PointResult {
  const { trials, bins } = sums;
  const summary = new Map<string, number>();
  const put = (name: string, iv: Interval, withN: boolean) => {
    summary.set(`${name}_mean`, iv.mean);
    summary.set(`${name}_lo`, iv.lo);
    summary.set(`${name}_hi`, iv.hi);
    if (withN) summary.set(`${name}_n`, iv.n);
  };
  for (const { name, kind } of [...SUMMARY_METRICS, ...EXTENSION_METRICS, ...SHAPE_SUMMARY_METRICS]) {
    const moments = sums.metrics[M[name as TrialMetric]];
    if (kind === 'proportion') {
      put(name, wilson(moments.sum.value(), trials), false);
    } else if (kind === 'shareOfSeconds') {
      put(name, secondsShareOfSums(sums), false);
    } else {
      put(name, momentInterval(moments, name === 'throttledFraction' ? SHARE : NON_NEGATIVE), kind === 'conditional');
    }
  }

  const requestsMean = new Float64Array(bins);
  const throttledMean = new Float64Array(bins);
  const requestsP99 = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    requestsMean[k] = sums.requests[k] / trials;
    throttledMean[k] = sums.throttled[k] / trials;
    requestsP99[k] = sums.requestsHistogram.quantile(k, 0.99);
  }
  summariseScopes(sums, scopes, put);
  const [vaultRequestsMean, vaultThrottledMean] = vaultSeriesMeans(sums, scopes.vaults.length);
  // Trailing 10-s sums: the last ceil(10 / bin) bins (exactly 10 s when the bin divides 10).
  const span = Math.max(1, Math.ceil(10 / scopes.bin - 1e-9));
  const vaultTrailing10sMean = vaultRequestsMean.map((r) => r.map((_, k) => r.subarray(Math.max(0, k - span + 1), k + 1).reduce((a, b) => a + b, 0)));
  return { trials, summary, bins, requestsMean, throttledMean, requestsP99, sums, coupled: sums.coupled, vaultRequestsMean, vaultThrottledMean, vaultTrailing10sMean, scopes };
}

/** Each vault's and the subscription's SCOPE_METRICS: means with t intervals over trials. */
function summariseScopes(sums: PointSums, scopes: Scopes, put: (name: string, iv: Interval, withN: boolean) => void): void {
  const w = SCOPE_METRICS.length;
  const count = scopes.vaults.length + 1;
  for (let k = 0; k < count; k++) {
    const vault = k < scopes.vaults.length ? scopes.vaults[k] : null;
    if (vault === null && !scopes.subscription) continue;
    SCOPE_METRICS.forEach((metric, m) => {
      put(scopeColumn(vault, metric), momentInterval(sums.scopes[k * w + m], metric === 'headroom' ? [-Infinity, 1] : NON_NEGATIVE), false);
    });
  }
}

/** With several vaults, each vault's requests and 429s per bin, means across trials. */
function vaultSeriesMeans(sums: PointSums, vaults: number): [Float64Array[], Float64Array[]] {
  const requests: Float64Array[] = [];
  const throttled: Float64Array[] = [];
  if (vaults < 2) return [requests, throttled];
  const { bins, trials } = sums;
  for (let v = 0; v < vaults; v++) {
    const base = v * 2 * bins;
    requests.push(sums.vaultSeries.slice(base, base + bins).map((x) => x / trials));
    throttled.push(sums.vaultSeries.slice(base + bins, base + 2 * bins).map((x) => x / trials));
  }
  return [requests, throttled];
}

/**
 * pSecondOver and its interval from the per-trial counts (trials are independent; seconds
 * within a trial are not): the pooled share, with a Wilson interval on the effective number of
 * seconds, the pooled seconds divided by the design effect (the variance of the ratio estimated
 * from the per-trial values, against the binomial's; below 1 where seconds are negatively correlated). With no second over in any
 * trial the correlation cannot be estimated: the upper bound is then the trial-level one,
 * 1 - 0.025^(1/n) (a share of seconds is never above the share of trials with any).
 */
export function secondsShare(over: ArrayLike<number>, seconds: ArrayLike<number>): Interval {
  const sums = new PointSums(1, 1);
  for (let i = 0; i < over.length; i++) sums.addShare(over[i], seconds[i]);
  return secondsShareOfSums(sums);
}

/**
 * The same from a point's sums: with p = k / m, the squared residuals sum to
 * Σover² - 2p Σover·seconds + p² Σseconds², each sum exact.
 */
function secondsShareOfSums(sums: PointSums): Interval {
  const n = sums.shareTrials;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const [k, m, oo, os, ss2] = sums.share.map((s) => s.value());
  const p = k / m;
  if (k === 0) return { mean: 0, lo: 0, hi: klInterval(0, n).hi, n };
  // Below the rounding of p = k / m the residuals are 0: every trial had the same share.
  const residuals = oo - 2 * p * os + p * p * ss2;
  const ss = residuals > 1e-9 * oo ? residuals : 0;
  const meanSeconds = m / n;
  const ratioVariance = n > 1 ? ss / (n * (n - 1) * meanSeconds * meanSeconds) : Infinity;
  const binomialVariance = (p * (1 - p)) / m;
  // Not floored at 1: seconds of one trial are negatively correlated when p is large (the
  // rollout's GETs are fixed), and a floor then widened the interval 1.7x at p = 0.5. A variance
  // seen as 0 (every trial the same share) says nothing of the seconds: the binomial's is kept.
  const deff = binomialVariance > 0 && ratioVariance > 0 ? ratioVariance / binomialVariance : 1;
  const effective = m / deff;
  // The variance comes from n trials: Student's t with n - 1 degrees of freedom, not z.
  const iv = wilson(p * effective, effective, n > 1 && ratioVariance > 0 ? loadQuantiles().t(0.975, n - 1) : Z95);
  return { mean: p, lo: iv.lo, hi: iv.hi, n };
}
