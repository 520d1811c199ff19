import type { TrialStreams } from '../engine/random.js';
import type { SendLog } from '../metrics/send-log.js';
import { TRUNCATES_BELOW } from '../metrics/trial-collector.js';
import type { SendTally, VaultGateway } from './vault-gateway.js';

/** Width of the bins of the quick tests, in seconds. */
const BIN = 1;

/**
 * The independent driver's verdict: would the vaults and the subscription have accepted every
 * request of the trial, the fleet's sends and each vault's other applications' load?
 *
 * As the clusters run, their sends are counted per vault and second (`add` as the cluster model
 * sends; the quiet clusters' walk's own count by seconds handed over with `addSeconds` where
 * that is all the check needs, see secondsToCount, or else `addLogged` over the log's new
 * entries as the walk goes); a second that no arrangement of its requests could get through
 * sets `surelyThrottles`, so that a fleet that throttles for sure stops early and runs
 * coupled. After the run, a conservative test on those counts (each limiter's surelyAcceptsAll)
 * settles most trials; when it cannot tell, the requests are replayed in time order through the
 * limiters themselves, exactly as the coupled driver would meet them. Requests at one instant may
 * come in any order: whether all of them are accepted does not depend on it.
 */
export class OptimisticCheck implements SendTally {
  private readonly counts: Float64Array[];
  private readonly total: Float64Array;
  private readonly nextBackground: Float64Array;
  /** A second's count above which its vault (or, for `total`, the subscription) surely rejects. */
  private readonly rejectAbove: Float64Array;
  private readonly subscriptionRejectAbove: number;
  /** Some second of this trial holds more requests than its vault or the subscription can accept. */
  surelyThrottles = false;

  constructor(private readonly gateway: VaultGateway, private readonly streams: TrialStreams, private readonly horizon: number) {
    const bins = Math.floor(horizon / BIN) + 1;
    this.counts = Array.from({ length: gateway.vaults }, () => new Float64Array(bins));
    this.total = new Float64Array(bins);
    this.nextBackground = new Float64Array(gateway.vaults);
    this.rejectAbove = Float64Array.from(gateway.limiters, (l) => l.mostAcceptedWithin(BIN));
    this.subscriptionRejectAbove = gateway.subscription?.mostAcceptedWithin(BIN) ?? Infinity;
  }

  reset(): void {
    for (const c of this.counts) c.fill(0);
    this.total.fill(0);
    this.surelyThrottles = false;
  }

  /** n requests of the fleet reach vault v at t (every one accepted, for now). */
  add(v: number, t: number, n: number): void {
    const b = Math.floor(t / BIN);
    const c = (this.counts[v][b] += n);
    const all = (this.total[b] += n);
    if (c > this.rejectAbove[v] || all > this.subscriptionRejectAbove) this.surelyThrottles = true;
  }

  /**
   * One vault and times below 2^31 s: the case where a count of the sends by seconds is all the
   * check needs of them, which a sender may keep itself (the quiet clusters' walk) and hand over
   * with addSeconds. A subscription limit changes nothing here: with one vault, every second's
   * count for the subscription (`total`) is the vault's own until the background joins them.
   */
  private get oneVault(): boolean {
    return this.counts.length === 1 && BIN === 1 && this.horizon < TRUNCATES_BELOW;
  }

  /**
   * For a sender that counts its own sends by seconds (see oneVault): the seconds of the count
   * and the most that the vault and the subscription could accept in one (a second above it
   * dooms the trial, as `add` finds); null when the check needs each send.
   */
  secondsToCount(): { seconds: number; most: number } | null {
    return this.oneVault ? { seconds: this.counts[0].length, most: Math.min(this.rejectAbove[0], this.subscriptionRejectAbove) } : null;
  }

  /** GETs per second to the one vault, counted by their sender, as calls of `add` would count them; false when the trial surely throttles. */
  addSeconds(perSecond: ArrayLike<number>): boolean {
    const counts = this.counts[0];
    const { total } = this;
    const above = Math.min(this.rejectAbove[0], this.subscriptionRejectAbove);
    let surelyThrottles = false;
    for (let s = 0; s < perSecond.length; s++) {
      const n = perSecond[s];
      total[s] += n;
      if ((counts[s] += n) > above) surelyThrottles = true;
    }
    if (surelyThrottles) this.surelyThrottles = true;
    return !this.surelyThrottles;
  }

  /**
   * The log's entries from index `from` on, as calls of `add` would count them; false when the
   * trial surely throttles (the walk's entries when it does not count them itself: several vaults).
   * add's lines are restated in the loop, not called: a call per entry cost the latency-0
   * driver about a sixth and the rollout window 2-3% (measured).
   */
  addLogged(sends: SendLog, from: number): boolean {
    const { times, vaults, counts, length } = sends;
    const { total, rejectAbove } = this;
    const subscriptionRejectAbove = this.subscriptionRejectAbove;
    let surelyThrottles = false;
    for (let i = from; i < length; i++) {
      const v = vaults[i];
      if (v < 0) continue;
      const n = counts[i];
      const b = Math.floor(times[i] / BIN);
      const c = (this.counts[v][b] += n);
      const all = (total[b] += n);
      if (c > rejectAbove[v] || all > subscriptionRejectAbove) surelyThrottles = true;
    }
    if (surelyThrottles) this.surelyThrottles = true;
    return !this.surelyThrottles;
  }

  allAccepted(sends: SendLog): boolean {
    return !this.surelyThrottles && (this.surelyAccepted() || this.replay(sends));
  }

  private surelyAccepted(): boolean {
    const { counts, total, gateway } = this;
    this.startBackground();
    for (let v = 0; v < gateway.vaults; v++) {
      for (let t = this.nextBackground[v]; t !== Infinity; t = this.afterBackground(v, t)) {
        const b = Math.floor(t / BIN);
        counts[v][b]++;
        total[b]++;
      }
    }
    for (let v = 0; v < gateway.vaults; v++) if (!gateway.limiters[v].surelyAcceptsAll(counts[v], BIN)) return false;
    return gateway.subscription === null || gateway.subscription.surelyAcceptsAll(total, BIN);
  }

  private replay(sends: SendLog): boolean {
    const { gateway, nextBackground } = this;
    sends.sort(this.horizon);
    this.startBackground();
    const { times, vaults, counts } = sends;
    let i = 0;
    for (;;) {
      // The earliest of the next send and every vault's next background request.
      let v = -1;
      let t = i < sends.length ? times[i] : Infinity;
      for (let u = 0; u < nextBackground.length; u++) {
        if (nextBackground[u] < t) {
          t = nextBackground[u];
          v = u;
        }
      }
      if (t === Infinity) return true;
      if (v >= 0) {
        if (!gateway.admits(v, t)) return false;
        gateway.take(v, t, 1);
        nextBackground[v] = this.afterBackground(v, t);
        continue;
      }
      const to = vaults[i];
      const n = counts[i++];
      if (to < 0) continue;
      if (gateway.acceptable(to, t, n) < n) return false;
      gateway.take(to, t, n);
    }
  }

  /** The limiters and the vaults' streams as at the start of the trial; each vault's first background request. */
  private startBackground(): void {
    const { streams } = this;
    streams.rewindVaults();
    this.gateway.resetLimiters(streams.vaults, streams.subscription);
    for (let v = 0; v < this.gateway.vaults; v++) {
      const rate = this.gateway.backgroundRate[v];
      const first = rate > 0 ? streams.vaults[v].exponential(rate) : Infinity;
      this.nextBackground[v] = first <= this.horizon ? first : Infinity;
    }
  }

  /** Vault v's background request after the one at t (Infinity past the horizon). */
  private afterBackground(v: number, t: number): number {
    const next = t + this.streams.vaults[v].exponential(this.gateway.backgroundRate[v]);
    return next <= this.horizon ? next : Infinity;
  }
}
