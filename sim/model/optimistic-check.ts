import type { TrialStreams } from '../engine/random.js';
import type { SendLog } from '../metrics/send-log.js';
import { TRUNCATES_BELOW } from '../metrics/trial-collector.js';
import { BackgroundLoad } from './background-load.js';
import { replaySends } from './vault-replay.js';
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
 * sets `surelyThrottles`, so that a fleet that throttles for sure runs coupled without a
 * replay. After the run, a conservative test on those counts (each limiter's surelyAcceptsAll)
 * settles most trials; when it cannot tell, the requests are replayed in time order through the
 * limiters themselves, exactly as the coupled driver would meet them. Requests at one instant may
 * come in any order: whether all of them are accepted does not depend on it.
 */
export class OptimisticCheck implements SendTally {
  /** The fleet's requests per vault and second (BIN), and over every vault: what `add` counted. */
  readonly counts: Float64Array[];
  readonly total: Float64Array;
  private readonly background: BackgroundLoad;
  /** A second's count above which its vault (or, for `total`, the subscription) surely rejects. */
  private readonly rejectAbove: Float64Array;
  private readonly subscriptionRejectAbove: number;
  /** Some second of this trial holds more requests than its vault or the subscription can accept. */
  surelyThrottles = false;

  constructor(private readonly gateway: VaultGateway, streams: TrialStreams, private readonly horizon: number) {
    const bins = Math.floor(horizon / BIN) + 1;
    this.counts = Array.from({ length: gateway.vaults }, () => new Float64Array(bins));
    this.total = new Float64Array(bins);
    this.background = new BackgroundLoad(gateway, streams, horizon);
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

  /** For a sender that counts its own sends by seconds (see oneVault): the seconds of the count; null when the check needs each send. */
  secondsToCount(): { seconds: number } | null {
    return this.oneVault ? { seconds: this.counts[0].length } : null;
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
    return this.background.surelyAccepted(this.gateway, this.counts, this.total);
  }

  /** The requests in time order through the vault side; false at the first one it would reject (the fleet's or another application's). */
  private replay(sends: SendLog): boolean {
    const { gateway, background } = this;
    sends.sort(this.horizon);
    background.start();
    return replaySends(gateway, background, sends, (v, t) => {
      if (!gateway.admits(v, t)) return false;
      gateway.take(v, t, 1);
      return true;
    });
  }
}
