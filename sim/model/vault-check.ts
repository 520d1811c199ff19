import type { TrialStreams } from '../engine/random.js';
import type { SendLog } from '../metrics/send-log.js';
import type { VaultGateway } from './vault-gateway.js';

/** Width of the bins of the quick test, in seconds. */
const BIN = 1;

/**
 * The independent driver's verdict: would the vaults and the subscription have accepted every
 * request of the trial, the fleet's recorded sends and each vault's other applications' load?
 * First a quick, conservative test on counts per second (each limiter's surelyAcceptsAll); when
 * it cannot tell, the requests are replayed in time order through the limiters themselves,
 * exactly as the coupled driver would meet them. Requests at one instant may come in any order:
 * whether all of them are accepted does not depend on it.
 */
export class VaultCheck {
  private readonly counts: Float64Array[];
  private readonly total: Float64Array;
  private readonly nextBackground: Float64Array;
  /** Trials the quick test could not settle and that were replayed. */
  replays = 0;

  constructor(private readonly gateway: VaultGateway, private readonly streams: TrialStreams, private readonly horizon: number) {
    const bins = Math.floor(horizon / BIN) + 1;
    this.counts = Array.from({ length: gateway.vaults }, () => new Float64Array(bins));
    this.total = new Float64Array(bins);
    this.nextBackground = new Float64Array(gateway.vaults);
  }

  allAccepted(sends: SendLog): boolean {
    return this.surelyAccepted(sends) || this.replay(sends);
  }

  private surelyAccepted(sends: SendLog): boolean {
    const { counts, total, gateway } = this;
    for (const c of counts) c.fill(0);
    total.fill(0);
    const { times, vaults, counts: n } = sends;
    for (let i = 0; i < sends.length; i++) {
      const v = vaults[i];
      if (v < 0) continue;
      const b = Math.floor(times[i] / BIN);
      counts[v][b] += n[i];
      total[b] += n[i];
    }
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
    this.replays++;
    const { gateway, nextBackground } = this;
    const limiters = gateway.limiters;
    const sub = gateway.subscription;
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
        if (!limiters[v].wouldAccept(t) || (sub !== null && !sub.wouldAccept(t))) return false;
        limiters[v].take(t);
        sub?.take(t);
        nextBackground[v] = this.afterBackground(v, t);
        continue;
      }
      const to = vaults[i];
      const n = counts[i++];
      if (to < 0) continue;
      if (limiters[to].acceptable(t, n) < n || (sub !== null && sub.acceptable(t, n) < n)) return false;
      limiters[to].takeMany(t, n);
      sub?.takeMany(t, n);
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
