import { SendLog } from './send-log.js';
import { quantileSorted } from './quantile.js';
import { METRIC_INDEX as M, SCOPE_METRICS, SHAPE_METRICS, TRIAL_METRICS } from './trial-record.js';
import { ANY_VAULT, EVERY_SEND, PEAK_WINDOW, WindowPeak } from './window-peak.js';

/** Times (>= 0) below this many seconds truncate to their floor as int32s (`t | 0`). */
export const TRUNCATES_BELOW = 2 ** 31;

const S = Object.fromEntries(SCOPE_METRICS.map((m, i) => [m, i])) as Record<(typeof SCOPE_METRICS)[number], number>;

export interface CollectorLayout {
  horizon: number;
  /** Width of a timeseries bin in seconds. */
  bin: number;
  /** The analytic comparison window [refreshStart, refreshStart + refreshWidth), in 1-s bins. */
  refreshStart: number;
  refreshWidth: number;
  perSecondLimit: number;
  /** End of the first outage (NaN: none): 429s from then on are counted apart. */
  outageEnd: number;
  /** A first guess of the GETs of a trial, to size the send log (default 1,024). */
  expectedSends?: number;
  /** Vaults (default 1), and per vault then the subscription its limit per 10 s (NaN: none). */
  vaults?: number;
  scopeLimits?: ArrayLike<number>;
  /** Keep a timeseries per vault (a scenario with several vaults). */
  vaultSeries?: boolean;
}

/**
 * Accumulates one trial's metrics in place: counters and fixed arrays sized once, reset between
 * trials, so that recording a request allocates nothing. Requests may come in any time order
 * (the independent driver runs one cluster after another): the counts per second and bin and
 * the 10-s peaks are worked out from the send log at the end, none of them needing its order.
 */
export class TrialCollector {
  readonly bins: number;
  private readonly seconds: number;
  private readonly perSecond: Uint32Array;
  private readonly throttledPerSecond: Uint32Array;
  private readonly seriesRequests: Uint32Array;
  private readonly seriesThrottled: Uint32Array;
  private readonly refresh: Uint32Array;
  readonly vaults: number;
  /** GETs that reached no vault (an outage), in all and per second (seconds + 1 slots, as perSecond). */
  private unreachable = 0;
  private readonly unreachablePerSecond: Uint32Array;
  /**
   * With several vaults, per vault: requests and 429s, GETs per second (vault-major, seconds + 1
   * slots each), and the timeseries bins (when kept). With one vault its numbers are the fleet's
   * less the unreachable.
   */
  private readonly vaultRequests: Float64Array;
  private readonly vaultThrottled: Float64Array;
  private readonly vaultPerSecond: Uint32Array;
  /** The GETs that reached a vault per second, per vault and in all (sendsBySecond; `reached` the total's, worked out by countLog). */
  private readonly bySecond: { counts: Uint32Array[]; total: Uint32Array };
  private readonly reached: Uint32Array;
  private readonly vaultSeriesBins: Uint32Array;
  private readonly scopeValues: Float64Array;
  private readonly values = new Float64Array(TRIAL_METRICS.length);
  /** Every GET of the trial, for peak10s (and the independent driver's vault check). */
  readonly sends: SendLog;
  private readonly windowPeak = new WindowPeak();
  /** The log's length when it was loaded into the window peak's passes and counted (-1: not since `reset`). */
  private countedLength = -1;
  /** Each selection's peak10s from the loaded log (index `which` + 3; NaN: not worked out yet). */
  private peaks: Float64Array;
  // Staleness samples (seconds, Infinity: still stale at the horizon), a growable buffer.
  private staleness = new Float64Array(256);
  private staleCount = 0;

  constructor(private readonly layout: CollectorLayout) {
    this.sends = new SendLog(layout.expectedSends);
    this.seconds = Math.max(1, Math.ceil(layout.horizon));
    this.bins = Math.max(1, Math.ceil(layout.horizon / layout.bin));
    // One slot more: see countSendsPerSecond.
    this.perSecond = new Uint32Array(this.seconds + 1);
    this.throttledPerSecond = new Uint32Array(this.seconds);
    this.seriesRequests = new Uint32Array(this.bins);
    this.seriesThrottled = new Uint32Array(this.bins);
    // Only the window's seconds within the horizon can hold a GET (a jitter of 1e300 s is valid).
    this.refresh = new Uint32Array(Math.max(1, Math.ceil(Math.min(layout.refreshWidth, layout.horizon - layout.refreshStart + 1))));
    this.vaults = layout.vaults ?? 1;
    this.vaultRequests = new Float64Array(this.vaults);
    this.vaultThrottled = new Float64Array(this.vaults);
    const slots = this.seconds + 1;
    this.vaultPerSecond = new Uint32Array(this.vaults > 1 ? this.vaults * slots : 0);
    this.unreachablePerSecond = new Uint32Array(slots);
    this.reached = new Uint32Array(slots);
    this.bySecond = {
      counts: Array.from({ length: this.vaults }, (_, v) => (this.vaults > 1 ? this.vaultPerSecond.subarray(v * slots, (v + 1) * slots) : this.reached)),
      total: this.reached,
    };
    this.vaultSeriesBins = new Uint32Array(layout.vaultSeries ? this.vaults * 2 * this.bins : 0);
    this.scopeValues = new Float64Array((this.vaults + 1) * SCOPE_METRICS.length);
    this.peaks = new Float64Array(this.vaults + 3);
  }

  reset(): void {
    this.perSecond.fill(0);
    this.throttledPerSecond.fill(0);
    this.seriesRequests.fill(0);
    this.seriesThrottled.fill(0);
    this.refresh.fill(0);
    this.vaultRequests.fill(0);
    this.vaultThrottled.fill(0);
    this.vaultPerSecond.fill(0);
    this.unreachable = 0;
    this.unreachablePerSecond.fill(0);
    this.vaultSeriesBins.fill(0);
    this.values.fill(0);
    this.values[M.firstThrottleAt] = NaN;
    this.values[M.lastThrottleAt] = NaN;
    this.values[M.convergence] = NaN;
    this.values[M.recovery] = NaN;
    this.sends.clear();
    this.countedLength = -1;
    this.staleCount = 0;
  }

  /**
   * One GET sent by the fleet at time t (retries too) to `vault` (-1: it never reached one, an
   * outage); `throttled` when the answer was 429.
   */
  request(t: number, vault: number, throttled: boolean): void {
    this.requests(t, vault, 1);
    if (throttled) this.throttled(t, vault);
  }

  /** A 429 at t from `vault` (its GET logged by `request` or `requests`). */
  throttled(t: number, vault: number): void {
    const v = this.values;
    const s = Math.floor(t);
    const b = Math.floor(t / this.layout.bin);
    v[M.throttled]++;
    if (s < this.seconds) this.throttledPerSecond[s]++;
    if (b < this.bins) this.seriesThrottled[b]++;
    if (v[M.firstThrottleAt] !== v[M.firstThrottleAt]) v[M.firstThrottleAt] = t;
    v[M.lastThrottleAt] = t;
    if (t >= this.layout.outageEnd) v[M.throttledAfterOutage]++;
    this.vaultThrottled[vault]++;
    if (b < this.bins && this.vaultSeriesBins.length > 0) this.vaultSeriesBins[(2 * vault + 1) * this.bins + b]++;
  }

  requests(t: number, vault: number, n: number): void {
    this.sends.push(t, vault, n);
  }

  /** The trial's GETs (the log, in any order) into the fleet's and each vault's counts per second and bin. */
  private countSends(): void {
    const { bin, refreshStart } = this.layout;
    if (Number.isInteger(bin) && this.vaults === 1 && refreshStart >= 0 && Number.isInteger(refreshStart) && this.seconds < TRUNCATES_BELOW) this.countSendsPerSecond();
    else this.countSendsEach();
  }

  /**
   * countSends when the timeseries' bins are whole seconds and the refresh window starts at a
   * whole second, with one vault: only the seconds are counted from the log, the bins and the
   * window are sums of them. Exact: for a time t >= 0 and whole numbers B and R, the rounded
   * t / B has the floor of floor(t) / B (rounding cannot lift t / B to the next whole number, it
   * lies at least half the doubles' spacing below it) and t - R, where it is >= 0, is exact.
   * perSecond's last slot holds the GETs of second `seconds` (a GET at a whole horizon), which
   * the bins and the window may count and the seconds do not. Every time is <= the horizon,
   * below 2^31 s, so truncation to an int32 is the floor. The count runs in WebAssembly, over the
   * copy of the log that the window peak's passes hold (window-peak.ts).
   */
  private countSendsPerSecond(): void {
    const { perSecond, unreachablePerSecond } = this;
    const seconds = this.seconds;
    // The log's copy in the window peak's passes, counted there (WebAssembly, the loaded log).
    const total = this.windowPeak.countSeconds(seconds, perSecond, unreachablePerSecond);
    const unreachable = this.windowPeak.unreachable;
    const { seriesRequests, bins } = this;
    const width = this.layout.bin;
    if (width === 1) {
      // Bins of one second: the counts themselves (copied, as the refresh window's below).
      seriesRequests.set(perSecond.subarray(0, bins));
    } else {
      for (let b = 0; b < bins; b++) {
        const end = Math.min((b + 1) * width, seconds + 1);
        let sum = 0;
        for (let s = b * width; s < end; s++) sum += perSecond[s];
        seriesRequests[b] = sum;
      }
    }
    const refresh = this.refresh;
    const from = this.layout.refreshStart;
    // The window's seconds lie within [0, seconds] (its length is cut at the horizon).
    refresh.set(perSecond.subarray(from, from + refresh.length));
    this.unreachable += unreachable;
    this.values[M.requests] += total;
  }

  /** countSends entry by entry: any bin width and refresh start, several vaults. */
  private countSendsEach(): void {
    const { times, vaults, counts, length } = this.sends;
    const { perSecond, seriesRequests, refresh, unreachablePerSecond, vaultRequests, vaultPerSecond, vaultSeriesBins } = this;
    const seconds = this.seconds;
    const bins = this.bins;
    const bin = this.layout.bin;
    const refreshStart = this.layout.refreshStart;
    const perVault = this.vaults > 1;
    const vaultBins = vaultSeriesBins.length > 0;
    let total = 0;
    for (let i = 0; i < length; i++) {
      const t = times[i];
      const n = counts[i];
      const vault = vaults[i];
      total += n;
      const s = Math.floor(t);
      if (s <= seconds) perSecond[s] += n;
      const b = bin === 1 ? s : Math.floor(t / bin);
      if (b < bins) seriesRequests[b] += n;
      const r = Math.floor(t - refreshStart);
      if (r >= 0 && r < refresh.length) refresh[r] += n;
      if (vault < 0) {
        this.unreachable += n;
        if (s <= seconds) unreachablePerSecond[s] += n;
      } else if (perVault) {
        vaultRequests[vault] += n;
        if (s <= seconds) vaultPerSecond[vault * (seconds + 1) + s] += n;
        if (b < bins && vaultBins) vaultSeriesBins[2 * vault * bins + b] += n;
      }
    }
    this.values[M.requests] += total;
  }

  /** The answer to a GET was "unreachable" (an outage). */
  /** n GETs into an outage. */
  unavailable(n = 1): void {
    this.values[M.unavailable] += n;
  }

  /** n SDK retries. */
  retry(n = 1): void {
    this.values[M.retries] += n;
  }

  /** n failed reconciles requeued. */
  requeue(n = 1): void {
    this.values[M.requeues] += n;
  }

  /** Object fetches a reconcile needs, for reconciles not caused by a failure requeue. */
  fetchesNeeded(n: number): void {
    this.values[M.fetchesNeeded] += n;
  }

  /** A reconcile ended with status reason `reason` (index into STATUS_REASONS). */
  outcome(reason: number): void {
    this.values[M.UpdateNoValueChangeSucceeded + reason]++;
  }

  /** n reconciles ended with status reason `reason` (as n calls of `outcome`). */
  outcomes(reason: number, n: number): void {
    this.values[M.UpdateNoValueChangeSucceeded + reason] += n;
  }

  converged(seconds: number): void {
    this.values[M.convergence] = seconds;
  }

  /** Seconds from the end of the first outage until no SecretSync was failing. */
  recovered(seconds: number): void {
    this.values[M.recovery] = seconds;
  }

  /** How long one SecretSync served a rotated secret's old value (Infinity: until the end). */
  stale(seconds: number): void {
    if (this.staleCount === this.staleness.length) {
      const bigger = new Float64Array(this.staleness.length * 2);
      bigger.set(this.staleness);
      this.staleness = bigger;
    }
    this.staleness[this.staleCount++] = seconds;
  }

  /**
   * Whether the trial would have met a 429 under each limiter shape (1 or 0, in SHAPE_METRICS
   * order); where `own` is 1, the shape is the trial's own and its answer is whether it met one.
   */
  shapesThrottled(throttled: Uint8Array, own: Uint8Array): void {
    const v = this.values;
    for (let k = 0; k < SHAPE_METRICS.length; k++) v[M[SHAPE_METRICS[k]]] = own[k] ? (v[M.throttled] > 0 ? 1 : 0) : throttled[k];
  }

  /**
   * Writes the trial's record into metrics[row] and its timeseries into series[row]; the
   * vaults' and the subscription's into scopes[row] and vaultSeries[row] when given.
   */
  finish(metrics: Float64Array, series: Uint32Array, row: number, scopes?: Float64Array, vaultSeries?: Uint32Array): void {
    const v = this.values;
    this.countLog();
    let peak = 0;
    let throttledSeconds = 0;
    for (let s = 0; s < this.seconds; s++) {
      if (this.perSecond[s] > peak) peak = this.perSecond[s];
      if (this.throttledPerSecond[s] > 0) throttledSeconds++;
    }
    v[M.peakRps] = peak;
    v[M.peak10s] = this.peak10s(EVERY_SEND);
    v[M.throttledSeconds] = throttledSeconds;
    v[M.throttledTrial] = v[M.throttled] > 0 ? 1 : 0;
    v[M.throttledFraction] = v[M.requests] > 0 ? v[M.throttled] / v[M.requests] : 0;
    v[M.amplification] = v[M.fetchesNeeded] > 0 ? v[M.requests] / v[M.fetchesNeeded] : NaN;

    const usable = Math.min(this.refresh.length, Math.max(0, Math.ceil(this.layout.horizon - this.layout.refreshStart)));
    let over = 0;
    for (let i = 0; i < usable; i++) if (this.refresh[i] > this.layout.perSecondLimit) over++;
    v[M.refreshSeconds] = usable;
    v[M.refreshSecondsOver] = over;
    v[M.refreshOver] = over > 0 ? 1 : 0;
    v[M.pSecondOver] = usable > 0 ? over / usable : NaN;

    if (this.staleCount > 0) {
      const sorted = this.staleness.subarray(0, this.staleCount).sort();
      v[M.stalenessP50] = quantileSorted(sorted, 0.5);
      v[M.stalenessP99] = quantileSorted(sorted, 0.99);
      v[M.stalenessMax] = sorted[sorted.length - 1];
    } else {
      v[M.stalenessP50] = v[M.stalenessP99] = v[M.stalenessMax] = NaN;
    }

    metrics.set(v, row * v.length);
    const base = row * 2 * this.bins;
    series.set(this.seriesRequests, base);
    series.set(this.seriesThrottled, base + this.bins);
    if (scopes) scopes.set(this.scopeRecord(), row * this.scopeValues.length);
    if (vaultSeries && this.vaultSeriesBins.length > 0) vaultSeries.set(this.vaultSeriesBins, row * this.vaultSeriesBins.length);
  }

  /**
   * Each vault's SCOPE_METRICS, then the subscription's (every vault together), from the
   * sends. What equals a fleet-wide number (one vault, no GET into an outage) is copied.
   */
  private scopeRecord(): Float64Array {
    const out = this.scopeValues;
    const w = SCOPE_METRICS.length;
    const v = this.values;
    const V = this.vaults;
    // Every vault together: the fleet's GETs less those that reached none.
    const allPeakRps = this.unreachable === 0 ? v[M.peakRps] : this.peakPerSecond(-1);
    const allPeak10s = this.peak10s(ANY_VAULT);
    const put = (scope: number, requests: number, throttled: number, peakRps: number, p10: number) => {
      out[scope * w + S.requests] = requests;
      out[scope * w + S.throttled] = throttled;
      out[scope * w + S.peakRps] = peakRps;
      out[scope * w + S.peak10s] = p10;
      out[scope * w + S.headroom] = this.layout.scopeLimits ? 1 - p10 / this.layout.scopeLimits[scope] : NaN;
    };
    put(V, v[M.requests] - this.unreachable, v[M.throttled], allPeakRps, allPeak10s);
    if (V === 1) put(0, v[M.requests] - this.unreachable, v[M.throttled], allPeakRps, allPeak10s);
    else for (let k = 0; k < V; k++) put(k, this.vaultRequests[k], this.vaultThrottled[k], this.peakPerSecond(k), this.windowPeak.peakOfLoaded(k));
    return out;
  }

  /**
   * The log, once complete, into the window peak's passes and counted by seconds, bins and
   * vaults: once per trial, by the first that needs it (the optimistic check and the limiter
   * shapes' check, through sendsBySecond and the peaks, or `finish`). Nothing may be sent after it.
   */
  private countLog(): void {
    if (this.countedLength >= 0 && this.windowPeak.holds(this.sends)) {
      if (this.countedLength !== this.sends.length) throw new Error('TrialCollector: a GET was logged after the log was counted');
      return;
    }
    if (this.countedLength >= 0) throw new Error('TrialCollector: another log was loaded into the window peak since this one was counted');
    // The log into the window peak's passes, once: the count by seconds and every peak read it.
    this.windowPeak.load(this.sends);
    this.countSends();
    this.countedLength = this.sends.length;
    this.peaks.fill(NaN);
    const { perSecond, unreachablePerSecond, reached } = this;
    if (this.unreachable === 0) reached.set(perSecond);
    else for (let s = 0; s < reached.length; s++) reached[s] = perSecond[s] - unreachablePerSecond[s];
  }

  /**
   * The peak over (t - 10, t] of the GETs `which` selects (EVERY_SEND, ANY_VAULT or a vault),
   * worked out once per trial and selection.
   */
  private peak10s(which: number): number {
    which = this.selection(which);
    let p = this.peaks[which + 3];
    if (p !== p) this.peaks[which + 3] = p = this.windowPeak.peakOfLoaded(which);
    return p;
  }

  /**
   * The trial's GETs that reached a vault, per second [0, seconds] (the last: GETs at a whole
   * horizon), per vault and in all (the optimistic check's and the limiter shapes' per-second
   * tests). Counts the log (countLog): the trial's sends must be complete. The arrays are the
   * collector's own, valid until its next reset.
   */
  sendsBySecond(): { counts: Uint32Array[]; total: Uint32Array } {
    this.countLog();
    return this.bySecond;
  }

  /** `which`, or EVERY_SEND where that selects the same GETs (after countLog: none counted into an outage, so every GET reached a vault, with one vault that one). */
  private selection(which: number): number {
    return this.unreachable === 0 && (which === ANY_VAULT || this.vaults === 1) ? EVERY_SEND : which;
  }

  /**
   * Whether more than `limit` GETs that `which` selects fall in some window (t - window, t], t a
   * GET's time (LogPeaks: a sliding window's verdict on the log). Counts the log (countLog): the
   * trial's sends must be complete.
   */
  peakExceeds(which: number, window: number, limit: number): boolean {
    this.countLog();
    return window === PEAK_WINDOW ? this.peak10s(which) > limit : this.windowPeak.peakExceeds(this.selection(which), window, limit);
  }

  /** Whether more than `limit` GETs that `which` selects fall in one window [phase + j window, phase + (j + 1) window) (LogPeaks: a fixed window's verdict). */
  windowCountExceeds(which: number, phase: number, window: number, limit: number): boolean | undefined {
    this.countLog();
    return this.windowPeak.windowCountExceeds(this.selection(which), phase, window, limit);
  }

  /** The busiest second of one vault, or (-1) of every vault together. */
  private peakPerSecond(vault: number): number {
    let peak = 0;
    for (let s = 0; s < this.seconds; s++) {
      const n = vault >= 0 ? this.vaultPerSecond[vault * (this.seconds + 1) + s] : this.perSecond[s] - this.unreachablePerSecond[s];
      if (n > peak) peak = n;
    }
    return peak;
  }
}
