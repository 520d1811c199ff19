import { klInterval, meanInterval, NON_NEGATIVE, quantileSorted, SHARE, wilson, type Interval } from './stats.js';
import { METRIC_INDEX as M, STATUS_REASONS, TRIAL_METRICS, type TrialBatch, type TrialMetric } from './trial-record.js';

/**
 * proportion: trials with an event (Wilson); shareOfSeconds: the mean over trials of each trial's
 * share of refresh seconds over the limit (KL interval from the per-trial values: seconds within
 * a trial are correlated); mean: a per-trial value (t interval); conditional: the same over the
 * trials where it exists. Every value here is non-negative; throttledFraction is a share.
 */
type Kind = 'proportion' | 'shareOfSeconds' | 'mean' | 'conditional';
/** `countLater`: its `_n` column is not in the contract's prefix; it comes after the extension columns. */
type SummaryMetric = { name: string; kind: Kind; countLater?: boolean };

/** The summary metrics in summary.csv order (SCENARIO.md), and how each is aggregated. */
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
 * Metrics beyond the SCENARIO.md contract, as columns after the analytic ones so that readers
 * of the contract's columns by position are not disturbed: when throttling ends, and an outage's
 * recovery.
 */
export const EXTENSION_METRICS: ReadonlyArray<SummaryMetric> = [
  { name: 'lastThrottleAt', kind: 'conditional' },
  { name: 'unavailable', kind: 'mean' },
  { name: 'throttledAfterOutage', kind: 'mean' },
  { name: 'recovery', kind: 'conditional' },
];

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
  /** All trial records of the point, row-major in trial order. */
  metrics: Float64Array;
  /** How many trials the coupled driver ran (the vault would have throttled, or `--engine coupled`). */
  coupled: number;
  /** Why the analytic recipe has no value for this point ('' when it has one; set by sim/run). */
  analyticNote?: string;
}

/** Merges a point's batches (any order in, trial order inside) into its summary and timeseries. */
export function summarisePoint(batches: TrialBatch[]): PointResult {
  const sorted = [...batches].sort((a, b) => a.from - b.from);
  const width = TRIAL_METRICS.length;
  const trials = sorted.reduce((n, b) => n + (b.to - b.from), 0);
  const bins = sorted[0].bins;
  const metrics = new Float64Array(trials * width);
  let row = 0;
  for (const b of sorted) {
    metrics.set(b.metrics, row * width);
    row += b.to - b.from;
  }
  const column = (m: TrialMetric) => {
    const out = new Float64Array(trials);
    for (let i = 0; i < trials; i++) out[i] = metrics[i * width + M[m]];
    return out;
  };
  const summary = new Map<string, number>();
  const put = (name: string, iv: Interval, withN: boolean) => {
    summary.set(`${name}_mean`, iv.mean);
    summary.set(`${name}_lo`, iv.lo);
    summary.set(`${name}_hi`, iv.hi);
    if (withN) summary.set(`${name}_n`, iv.n);
  };
  for (const { name, kind } of [...SUMMARY_METRICS, ...EXTENSION_METRICS]) {
    if (kind === 'proportion') {
      put(name, wilson(sum(column(name as TrialMetric)), trials), false);
    } else if (kind === 'shareOfSeconds') {
      put(name, secondsShare(column('refreshSecondsOver'), column('refreshSeconds')), false);
    } else {
      put(name, meanInterval(column(name as TrialMetric), name === 'throttledFraction' ? SHARE : NON_NEGATIVE), kind === 'conditional');
    }
  }

  const requestsMean = new Float64Array(bins);
  const throttledMean = new Float64Array(bins);
  const requestsP99 = new Float64Array(bins);
  const scratch = new Float64Array(trials);
  for (let k = 0; k < bins; k++) {
    let r = 0;
    let th = 0;
    let i = 0;
    for (const b of sorted) {
      for (let j = 0; j < b.to - b.from; j++, i++) {
        const v = b.series[j * 2 * bins + k];
        scratch[i] = v;
        r += v;
        th += b.series[j * 2 * bins + bins + k];
      }
    }
    requestsMean[k] = r / trials;
    throttledMean[k] = th / trials;
    requestsP99[k] = quantileSorted(scratch.sort(), 0.99);
  }
  const coupled = sorted.reduce((n, b) => n + b.coupled, 0);
  return { trials, summary, bins, requestsMean, throttledMean, requestsP99, metrics, coupled };
}

/** The mean per-trial share over/seconds and its KL interval, over trials with a refresh window. */
export function secondsShare(over: ArrayLike<number>, seconds: ArrayLike<number>): Interval {
  let n = 0;
  let total = 0;
  for (let i = 0; i < over.length; i++) {
    if (seconds[i] > 0) {
      n++;
      total += over[i] / seconds[i];
    }
  }
  return klInterval(n > 0 ? total / n : NaN, n);
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
