import type { TrialStreams } from '../engine/random.js';
import type { SendLog } from '../metrics/send-log.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { BackgroundLoad } from './background-load.js';
import { replaySends } from './vault-replay.js';
import type { VaultGateway } from './vault-gateway.js';

/**
 * The independent driver's verdict: would the vaults and the subscription have accepted every
 * request of the trial, the fleet's sends and each vault's other applications' load?
 *
 * After the run, the collector's count of the sends by seconds (the one count, which the trial's
 * record reads too) decides most trials: a second that no arrangement of its requests could get
 * through means the trial surely throttles, so it runs coupled without a replay; a conservative
 * test on the counts (each limiter's surelyAcceptsAll) settles most of the rest; when neither can
 * tell, the requests are replayed in time order through the limiters themselves, exactly as the
 * coupled driver would meet them. Requests at one instant may come in any order: whether all of
 * them are accepted does not depend on it.
 */
export class OptimisticCheck {
  private readonly background: BackgroundLoad;
  /** A second's count above which its vault (or, for the total, the subscription) surely rejects. */
  private readonly rejectAbove: Float64Array;
  private readonly subscriptionRejectAbove: number;

  constructor(private readonly gateway: VaultGateway, streams: TrialStreams, private readonly horizon: number) {
    this.background = new BackgroundLoad(gateway, streams, horizon);
    this.rejectAbove = Float64Array.from(gateway.limiters, (l) => l.mostAcceptedWithin(1));
    this.subscriptionRejectAbove = gateway.subscription?.mostAcceptedWithin(1) ?? Infinity;
  }

  /** Whether the vault side would have accepted every request of the trial that `collector` recorded (its sends complete). */
  allAccepted(collector: TrialCollector): boolean {
    const fleet = collector.sendsBySecond();
    return !this.surelyThrottles(fleet) && (this.background.surelyAccepted(this.gateway, fleet.counts, fleet.total) || this.replay(collector.sends));
  }

  /** Some second holds more of the fleet's requests than its vault or the subscription can accept. */
  private surelyThrottles(fleet: { counts: Uint32Array[]; total: Uint32Array }): boolean {
    const { counts, total } = fleet;
    for (let v = 0; v < counts.length; v++) if (mostOf(counts[v]) > this.rejectAbove[v]) return true;
    return mostOf(total) > this.subscriptionRejectAbove;
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

function mostOf(counts: Uint32Array): number {
  let most = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > most) most = counts[i];
  return most;
}
