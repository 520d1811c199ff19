import type { RandomStream } from '../engine/random.js';
import { ANY_VAULT } from '../metrics/window-peak.js';
import type { LimiterConfig, ModelConfig, RetryAfterConfig } from './config.js';
import { createLimiter, type Limiter } from './limiters/index.js';
import type { LogPeaks } from './limiters/limiter.js';

/** A vault's answer to one GET. */
export const enum VaultAnswer {
  Ok = 0,
  /** 429 */
  Throttled = 1,
  /** The vault is unreachable (an outage): the request fails after a timeout. */
  Unavailable = 2,
}

/**
 * The vault side as a GET meets it: each vault's limiter and the subscription's (and, for the
 * limiter shapes' check, outages). A request is admitted only when its vault and the
 * subscription both accept it. The coupled driver asks it GET by GET (the cluster model calls
 * it); the independent driver never does (every GET that reaches a vault is accepted), and the
 * optimistic check judges the recorded sends afterwards.
 */
export class VaultGateway {
  readonly limiters: Limiter[];
  readonly subscription: Limiter | null;
  readonly backgroundRate: Float64Array;
  private readonly rejectedCount: Uint8Array;
  private readonly retryAfterSetting: RetryAfterConfig[];
  private readonly down: Int32Array;

  constructor(config: Pick<ModelConfig, 'vaults' | 'subscription'>) {
    this.limiters = config.vaults.map((v) => createLimiter(v.limiter));
    this.subscription = config.subscription ? createLimiter(config.subscription) : null;
    this.backgroundRate = Float64Array.from(config.vaults, (v) => v.background.ratePerSecond);
    this.rejectedCount = Uint8Array.from(config.vaults, (v) => (v.rejectedCount ? 1 : 0));
    this.retryAfterSetting = config.vaults.map((v) => v.retryAfter);
    this.down = new Int32Array(config.vaults.length);
  }

  /** One vault behind `limiter`, no subscription, no other load: a recipe rollout's vault side (rare-events.ts). */
  static alone(limiter: LimiterConfig): VaultGateway {
    return new VaultGateway({ vaults: [{ name: 'kv', limiter, rejectedCount: false, retryAfter: 'none', background: { ratePerSecond: 0 } }], subscription: null });
  }

  get vaults(): number {
    return this.limiters.length;
  }

  /** The limiters as at the start of a trial (a random fixed-window phase from each one's stream). */
  resetLimiters(vaultStreams: RandomStream[], subscriptionStream: RandomStream): void {
    this.limiters.forEach((l, v) => l.reset(vaultStreams[v]));
    this.subscription?.reset(subscriptionStream);
  }

  /** Every vault reachable again. */
  resetOutages(): void {
    this.down.fill(0);
  }

  /** Vault v is down (the limiter shapes' check: background requests into an outage reach nothing; the cluster model keeps the fleet's outages itself). */
  outageStarts(v: number): void {
    this.down[v]++;
  }

  /**
   * Of n requests to a reachable vault v at the same instant t, how many are accepted in a row
   * before the first rejection; those are counted against the limits.
   */
  acceptMany(v: number, t: number, n: number): number {
    const k = this.acceptable(v, t, n);
    if (k > 0) this.take(v, t, k);
    return k;
  }

  /**
   * Admission, the one rule every path applies (the coupled driver here, the vault check's
   * replay): of n requests to vault v at instant t, how many in a row both its limiter and the
   * subscription's would accept. Nothing is counted.
   */
  acceptable(v: number, t: number, n: number): number {
    const sub = this.subscription;
    const k = this.limiters[v].acceptable(t, n);
    return sub !== null && k > 0 ? sub.acceptable(t, k) : k;
  }

  /**
   * Whether the log's GETs, every one accepted, would meet a rejection at some vault or at the
   * subscription, decided from the log by each limiter (after `resetLimiters`; `peaks` holds the
   * log); undefined when a limiter cannot tell (a token bucket: replay the log). Admission is
   * the same rule: until the first rejection both limiters accept every GET, so the first
   * rejection comes where either one's history first exceeds its limit.
   */
  rejectsAnyOf(peaks: LogPeaks): boolean | undefined {
    let decided = true;
    for (let v = 0; v <= this.limiters.length; v++) {
      const limiter = v < this.limiters.length ? this.limiters[v] : this.subscription;
      if (limiter === null) continue;
      const rejects = limiter.rejectsAnyOf?.(v < this.limiters.length ? v : ANY_VAULT, peaks);
      // One limiter's rejection settles it; acceptance needs every limiter's word.
      if (rejects === true) return true;
      if (rejects === undefined) decided = false;
    }
    return decided ? false : undefined;
  }

  /** Whether one request to vault v at t would be accepted by its limiter and the subscription's. */
  admits(v: number, t: number): boolean {
    const sub = this.subscription;
    return this.limiters[v].wouldAccept(t) && (sub === null || sub.wouldAccept(t));
  }

  /** Counts n requests at t against vault v's limit and the subscription's. */
  take(v: number, t: number, n: number): void {
    this.limiters[v].takeMany(t, n);
    this.subscription?.takeMany(t, n);
  }

  /** One request to vault v at time t (a GET of the fleet, or another application's). */
  request(v: number, t: number): VaultAnswer {
    if (this.down[v] > 0) return VaultAnswer.Unavailable;
    const accepted = this.admits(v, t);
    if (accepted || this.rejectedCount[v]) this.take(v, t, 1);
    return accepted ? VaultAnswer.Ok : VaultAnswer.Throttled;
  }

  /** The Retry-After vault v sends with a 429 at t (NaN: none). */
  retryAfterAt(v: number, t: number): number {
    const ra = this.retryAfterSetting[v];
    if (ra === 'none') return NaN;
    if (ra !== 'until-capacity') return ra;
    const sub = this.subscription;
    return Math.max(this.limiters[v].retryAfter(t), sub ? sub.retryAfter(t) : 0);
  }
}
