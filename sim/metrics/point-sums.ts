import { CountHistograms } from './count-histogram.js';
import { ExactSum } from './exact-sum.js';
import { Moments, type MomentsData } from './moments.js';
import { METRIC_INDEX as M, SCOPE_METRICS, TRIAL_METRICS, type TrialBatch } from './trial-record.js';

/**
 * Everything a point's summary and timeseries need from its trials, in a size that does not
 * grow with the trial count, and mergeable: each per-trial metric's exact moments, the sums
 * behind pSecondOver's interval, each vault's and the subscription's metrics' moments, the GETs
 * and 429s per timeseries bin (integer sums, exact), and per bin an exact histogram of the GETs
 * (for requests_p99). Sums of any split of the trials, merged in any order, equal the sums of
 * one run of them all, bit for bit: a run keeps these instead of its trials' records, and
 * `sim merge` adds up the shards' (summary.ts turns them into the summary).
 */
export class PointSums {
  trials = 0;
  /** Trials the coupled driver ran. */
  coupled = 0;
  /** Per TRIAL_METRICS entry. */
  readonly metrics: Moments[] = TRIAL_METRICS.map(() => new Moments());
  /** pSecondOver's sums over the trials with refresh seconds: their count, Σover, Σseconds, Σover², Σover·seconds, Σseconds². */
  shareTrials = 0;
  readonly share: ExactSum[] = Array.from({ length: 5 }, () => new ExactSum());
  /** Per scope (each vault, then the subscription), per SCOPE_METRICS entry. */
  readonly scopes: Moments[];
  readonly requests: Float64Array;
  readonly throttled: Float64Array;
  readonly requestsHistogram: CountHistograms;
  /** With several vaults, per vault: requests per bin, then 429s per bin. */
  readonly vaultSeries: Float64Array;

  constructor(readonly bins: number, readonly vaults: number) {
    this.scopes = Array.from({ length: (vaults + 1) * SCOPE_METRICS.length }, () => new Moments());
    this.requests = new Float64Array(bins);
    this.throttled = new Float64Array(bins);
    this.requestsHistogram = new CountHistograms(bins);
    this.vaultSeries = new Float64Array(vaults > 1 ? vaults * 2 * bins : 0);
  }

  /** A batch's trials (runTrialBatch's records). */
  addBatch(b: TrialBatch): void {
    const w = TRIAL_METRICS.length;
    const bins = this.bins;
    const sw = SCOPE_METRICS.length;
    const scopeCount = this.vaults + 1;
    for (let j = 0; j < b.to - b.from; j++) {
      for (let m = 0; m < w; m++) this.metrics[m].add(b.metrics[j * w + m]);
      this.addShare(b.metrics[j * w + M.refreshSecondsOver], b.metrics[j * w + M.refreshSeconds]);
      for (let k = 0; k < scopeCount * sw; k++) this.scopes[k].add(b.scopes ? b.scopes[j * scopeCount * sw + k] : NaN);
      const base = j * 2 * bins;
      for (let k = 0; k < bins; k++) {
        this.requests[k] += b.series[base + k];
        this.throttled[k] += b.series[base + bins + k];
      }
      this.requestsHistogram.addTrial(b.series, base);
      if (this.vaultSeries.length > 0) {
        const series = b.vaultSeries!;
        const size = this.vaultSeries.length;
        for (let k = 0; k < size; k++) this.vaultSeries[k] += series[j * size + k];
      }
    }
    this.trials += b.to - b.from;
    this.coupled += b.coupled;
  }

  /** One trial's refresh seconds over the limit, of `seconds` (integers); none counted when seconds is 0. */
  addShare(over: number, seconds: number): void {
    if (!(seconds > 0)) return;
    this.shareTrials++;
    this.share[0].add(over);
    this.share[1].add(seconds);
    this.share[2].add(over * over);
    this.share[3].add(over * seconds);
    this.share[4].add(seconds * seconds);
  }

  merge(o: PointSums): void {
    if (o.bins !== this.bins || o.vaults !== this.vaults) throw new Error(`sums of ${o.bins} bins and ${o.vaults} vaults merged into ${this.bins} and ${this.vaults}`);
    this.trials += o.trials;
    this.coupled += o.coupled;
    this.metrics.forEach((m, i) => m.merge(o.metrics[i]));
    this.shareTrials += o.shareTrials;
    this.share.forEach((s, i) => s.merge(o.share[i]));
    this.scopes.forEach((m, i) => m.merge(o.scopes[i]));
    for (let k = 0; k < this.bins; k++) {
      this.requests[k] += o.requests[k];
      this.throttled[k] += o.throttled[k];
    }
    this.requestsHistogram.merge(o.requestsHistogram);
    for (let k = 0; k < this.vaultSeries.length; k++) this.vaultSeries[k] += o.vaultSeries[k];
  }

  /** Plain data (JSON, or a worker's message), every double exact. */
  toJSON(): PointSumsData {
    return {
      bins: this.bins,
      vaults: this.vaults,
      trials: this.trials,
      coupled: this.coupled,
      metrics: this.metrics.map((m) => m.toJSON()),
      shareTrials: this.shareTrials,
      share: this.share.map((s) => s.toJSON()),
      scopes: this.scopes.map((m) => m.toJSON()),
      requests: Array.from(this.requests),
      throttled: Array.from(this.throttled),
      requestsHistogram: this.requestsHistogram.toJSON(),
      vaultSeries: Array.from(this.vaultSeries),
    };
  }

  static fromJSON(d: PointSumsData): PointSums {
    const s = new PointSums(d.bins, d.vaults);
    s.trials = d.trials;
    s.coupled = d.coupled;
    d.metrics.forEach((m, i) => s.metrics[i].merge(Moments.fromJSON(m)));
    s.shareTrials = d.shareTrials;
    d.share.forEach((x, i) => s.share[i].merge(ExactSum.fromJSON(x)));
    d.scopes.forEach((m, i) => s.scopes[i].merge(Moments.fromJSON(m)));
    s.requests.set(d.requests);
    s.throttled.set(d.throttled);
    s.requestsHistogram.merge(CountHistograms.fromJSON(d.requestsHistogram));
    s.vaultSeries.set(d.vaultSeries);
    return s;
  }

  /** The sums of some batches of one point. */
  static ofBatches(batches: TrialBatch[]): PointSums {
    const b = batches[0];
    const vaults = b.scopes && b.to > b.from ? b.scopes.length / ((b.to - b.from) * SCOPE_METRICS.length) - 1 : 1;
    const s = new PointSums(b.bins, vaults);
    for (const b of batches) s.addBatch(b);
    return s;
  }
}

export interface PointSumsData {
  bins: number;
  vaults: number;
  trials: number;
  coupled: number;
  metrics: MomentsData[];
  shareTrials: number;
  share: number[][];
  scopes: MomentsData[];
  requests: number[];
  throttled: number[];
  requestsHistogram: ReturnType<CountHistograms['toJSON']>;
  vaultSeries: number[];
}
