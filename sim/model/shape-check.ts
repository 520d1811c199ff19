import type { TrialStreams } from '../engine/random.js';
import type { SendLog } from '../metrics/send-log.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { BackgroundLoad } from './background-load.js';
import { LIMITER_SHAPES, withLimiterShape, type ModelConfig } from './config.js';
import type { FleetAction } from './fleet-events.js';
import { VaultGateway } from './vault-gateway.js';
import { replaySends } from './vault-replay.js';

/**
 * Whether a trial would have met a 429 under each limiter shape (token bucket, fixed window at
 * a random phase, sliding window) at the same limit and window, every vault's and the
 * subscription's: AKV publishes its limit, not its shape, so a headline must hold under each.
 *
 * Exact for that event: until a trial's first 429 its sends do not depend on the limiter, so
 * the trial's history with every GET accepted (the independent driver's, run to the horizon)
 * meets a 429 under a shape exactly when a coupled run under that shape would. Its sends are
 * replayed in time order through that shape's vault side with each vault's background load
 * (drawn as that shape's coupled run draws it) and the outages; a count of the sends by seconds
 * settles most trials first (each limiter's surelyAcceptsAll), and without other load a window
 * shape is decided from the log itself (each limiter's rejectsAnyOf).
 */
export class ShapeCheck {
  /** Per LIMITER_SHAPES entry: 1 when the trial met a 429 under it. */
  readonly throttled = new Uint8Array(LIMITER_SHAPES.length);
  /** Per shape: 1 when it is the scenario's own vault side (every limiter the same): its answer is the trial's own. */
  readonly configured: Uint8Array;
  private readonly sides: VaultGateway[];
  private readonly background: BackgroundLoad;
  /** No vault has other applications' load: only the fleet's GETs meet the limiters. */
  private readonly quiet: boolean;

  constructor(config: ModelConfig, streams: TrialStreams, private readonly horizon: number) {
    const limiters = (m: ModelConfig) => JSON.stringify([m.vaults.map((v) => v.limiter), m.subscription]);
    const shaped = LIMITER_SHAPES.map((shape) => withLimiterShape(config, shape));
    this.configured = Uint8Array.from(shaped, (m) => (limiters(m) === limiters(config) ? 1 : 0));
    this.sides = shaped.map((m) => new VaultGateway(m));
    this.background = new BackgroundLoad(this.sides[0], streams, horizon);
    this.quiet = this.sides[0].backgroundRate.every((rate) => rate === 0);
  }

  /**
   * Judges the trial's sends that `collector` holds, every one accepted (complete: their
   * count by seconds and peaks are read; `actions`: the trial's fleet actions, for its
   * outages), under each shape but the scenario's own, whose answer `throttledTrial` gives.
   */
  judge(collector: TrialCollector, actions: readonly FleetAction[]): void {
    const { sends } = collector;
    const fleet = collector.sendsBySecond();
    let sorted = false;
    for (let k = 0; k < this.sides.length; k++) {
      this.throttled[k] = 0;
      if (this.configured[k]) continue;
      const side = this.sides[k];
      if (this.background.surelyAccepted(side, fleet.counts, fleet.total)) continue;
      // Without other load, a window shape is decided from the log (each limiter's rejectsAnyOf): no sort, no replay.
      if (this.quiet) {
        this.background.start(side);
        const rejects = side.rejectsAnyOf(collector);
        if (rejects !== undefined) {
          this.throttled[k] = rejects ? 1 : 0;
          continue;
        }
      }
      if (!sorted) sends.sort(this.horizon);
      sorted = true;
      this.throttled[k] = this.meets429(side, sends, actions) ? 1 : 0;
    }
  }

  /**
   * The sends (sorted) and the background through `side` as its coupled run meets them: a
   * background request into an outage fails unanswered, a rejected one counts where its vault
   * counts rejections (VaultGateway.request). True at the first of the fleet's GETs rejected.
   */
  private meets429(side: VaultGateway, sends: SendLog, actions: readonly FleetAction[]): boolean {
    this.background.start(side);
    side.resetOutages();
    // Each outage's span (the trial's few actions, paired once): a background request in one fails unanswered.
    const outages = actions
      .filter((a) => a.kind === 'outage-start')
      .map((a) => ({ a, end: actions.find((b) => b.kind === 'outage-end' && b.event === a.event)?.time ?? Infinity }));
    return !replaySends(side, this.background, sends, (v, t) => {
      if (outages.length > 0) {
        side.resetOutages();
        for (let k = 0; k < outages.length; k++) {
          const { a, end } = outages[k];
          if (a.time <= t && t < end) for (let j = 0; j < a.vaults.length; j++) side.outageStarts(a.vaults[j]);
        }
      }
      side.request(v, t);
      return true;
    });
  }
}
