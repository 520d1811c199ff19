import type { TrialCollector } from '../../metrics/trial-collector.js';
import { lastMeasurableRotation, type ModelConfig } from '../config.js';
import type { FleetLayout } from '../fleet-layout.js';
import type { RotationPlan } from '../rotation-plan.js';

/**
 * Staleness of rotated secrets: for every rotation and SecretSync holding the secret, how long
 * the cluster served the old value. A SecretSync's own history decides it, so clusters may
 * report in any order; the collector sorts the samples.
 */
export class StalenessProbe {
  /** Per group: rotations after this time are not measured (a healthy fleet may not have read them yet). */
  private readonly limit: Float64Array;
  rotations!: RotationPlan;
  /** Per SecretSync: the first rotation it has not read yet. */
  private readonly nextRotation: Int32Array;

  constructor(config: ModelConfig, private readonly layout: FleetLayout) {
    this.limit = Float64Array.from(config.fleet, (g) => lastMeasurableRotation(config.horizon, g));
    this.nextRotation = new Int32Array(layout.syncs);
  }

  /** SecretSyncs [from, to) have read no rotation (the start of a trial, or of a cluster's run). */
  resetRows(from: number, to: number): void {
    this.nextRotation.fill(0, from, to);
  }

  /**
   * The reconcile of s ending at t wrote the value its first GET read, at readAt: every rotation
   * of this SecretSync's secret up to that read is now served. Records each one's staleness (rotations
   * too late to judge are skipped) and says whether any was read.
   */
  read(s: number, t: number, readAt: number, collector: TrialCollector): boolean {
    const { layout, rotations } = this;
    const times = rotations.times;
    let k = this.nextRotation[s];
    if (k >= times.length || times[k] > readAt) return false;
    const c = layout.syncCluster[s];
    const index = s - layout.clusterFirstSync[c];
    const limit = this.limit[layout.clusterGroup[c]];
    let read = false;
    for (; k < times.length && times[k] <= readAt; k++) {
      if (!rotations.affects(k, c, index)) continue;
      read = true;
      if (times[k] <= limit) collector.stale(t - times[k]);
    }
    this.nextRotation[s] = k;
    return read;
  }

  /** At the horizon: every measured rotation SecretSyncs [from, to) have still not read is stale for longer than the trial. */
  stillStale(from: number, to: number, collector: TrialCollector): void {
    const { layout, rotations } = this;
    if (rotations.count === 0) return;
    for (let s = from; s < to; s++) {
      const c = layout.syncCluster[s];
      const index = s - layout.clusterFirstSync[c];
      const limit = this.limit[layout.clusterGroup[c]];
      for (let k = this.nextRotation[s]; k < rotations.count && rotations.times[k] <= limit; k++) {
        if (rotations.affects(k, c, index)) collector.stale(Infinity);
      }
    }
  }
}
