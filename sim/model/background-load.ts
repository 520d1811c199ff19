import type { TrialStreams } from '../engine/random.js';
import type { VaultGateway } from './vault-gateway.js';

/**
 * Each vault's other applications' requests in one trial, as the coupled driver meets them: a
 * Poisson stream per vault, drawn from the vault's own random stream after its limiter's reset
 * (a fixed window draws its phase first). Used where a trial's sends are replayed through a
 * vault side: the optimistic check, and each limiter shape's check.
 */
export class BackgroundLoad {
  /** Each vault's next request (Infinity: none before the horizon). */
  readonly next: Float64Array;
  /** The fleet's counts with the background added (surelyAccepted), made when first needed. */
  private scratch: Uint32Array[] | undefined;
  private scratchTotal: Uint32Array | undefined;

  constructor(private readonly gateway: VaultGateway, private readonly streams: TrialStreams, private readonly horizon: number) {
    this.next = new Float64Array(gateway.vaults);
  }

  /** `gateway`'s limiters (of this shape of vault side) and the vaults' streams as at the start of the trial; each vault's first request. */
  start(gateway: VaultGateway = this.gateway): void {
    const { streams } = this;
    streams.rewindVaults();
    gateway.resetLimiters(streams.vaults, streams.subscription);
    for (let v = 0; v < this.next.length; v++) {
      const rate = this.gateway.backgroundRate[v];
      const first = rate > 0 ? streams.vaults[v].exponential(rate) : Infinity;
      this.next[v] = first <= this.horizon ? first : Infinity;
    }
  }

  /** Vault v's request after its current one. */
  advance(v: number): void {
    const next = this.next[v] + this.streams.vaults[v].exponential(this.gateway.backgroundRate[v]);
    this.next[v] = next <= this.horizon ? next : Infinity;
  }

  /** The vault whose next request comes first and before `t` (-1: none). */
  firstBefore(t: number): number {
    const { next } = this;
    let v = -1;
    for (let u = 0; u < next.length; u++) {
      if (next[u] < t) {
        t = next[u];
        v = u;
      }
    }
    return v;
  }

  /**
   * The conservative test (each limiter's surelyAcceptsAll) of whether `side` accepts every
   * request of the trial: the fleet's, counted by seconds in `counts` per vault and `total`
   * (left as they are), and the background's (from a `start` on `side`), outages ignored: more
   * requests only make the test stricter.
   */
  surelyAccepted(side: VaultGateway, counts: Uint32Array[], total: Uint32Array): boolean {
    this.start(side);
    let all = total;
    let per = counts;
    if (this.next.some((t) => t !== Infinity)) {
      this.scratch ??= counts.map((c) => new Uint32Array(c.length));
      this.scratchTotal ??= new Uint32Array(total.length);
      per = this.scratch;
      all = this.scratchTotal;
      for (let v = 0; v < counts.length; v++) per[v].set(counts[v]);
      all.set(total);
      for (let v = 0; v < this.next.length; v++) {
        for (; this.next[v] !== Infinity; this.advance(v)) {
          const b = Math.floor(this.next[v]);
          per[v][b]++;
          all[b]++;
        }
      }
    }
    for (let v = 0; v < side.vaults; v++) if (!side.limiters[v].surelyAcceptsAll(per[v], 1)) return false;
    return side.subscription === null || side.subscription.surelyAcceptsAll(all, 1);
  }

}
