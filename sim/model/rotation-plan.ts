import type { RandomStream } from '../engine/random.js';
import type { FleetEventConfig } from './config.js';
import { selectClusters } from './fleet-events.js';
import type { FleetLayout } from './fleet-layout.js';

/**
 * The secret rotations of one trial, drawn up front (a rotation changes nothing in the fleet's
 * schedule; it only matters when a SecretSync reads the secret): every rotation time in order,
 * and which SecretSyncs hold the rotated secret.
 */
export class RotationPlan {
  /** Rotation times, ascending. */
  readonly times: Float64Array;
  /** Per rotation: the index into `masks` / `secretSyncs` of the event it comes from. */
  private readonly source: Int32Array;
  /** Per rotation event: 1 for the clusters that hold its secret. */
  private readonly masks: Uint8Array[];
  /** Per rotation event: how many of a selected cluster's first SecretSyncs hold the secret. */
  private readonly secretSyncs: number[];

  constructor(events: FleetEventConfig[], layout: FleetLayout, rng: RandomStream) {
    const at: number[] = [];
    const from: number[] = [];
    this.masks = [];
    this.secretSyncs = [];
    for (const e of events) {
      if (e.kind !== 'rotation') continue;
      const k = this.masks.length;
      const mask = new Uint8Array(layout.clusters);
      for (const c of selectClusters(e.clusters, layout, rng)) mask[c] = 1;
      this.masks.push(mask);
      this.secretSyncs.push(e.secretSyncs);
      const s = e.schedule;
      if (s.kind === 'once') {
        at.push(e.at);
        from.push(k);
      } else if (s.kind === 'every') {
        for (let i = 0; e.at + i * s.seconds < e.until; i++) {
          at.push(e.at + i * s.seconds);
          from.push(k);
        }
      } else {
        for (let t = e.at + rng.exponential(s.ratePerSecond); t < e.until; t += rng.exponential(s.ratePerSecond)) {
          at.push(t);
          from.push(k);
        }
      }
    }
    const order = at.map((_, i) => i).sort((a, b) => at[a] - at[b] || a - b);
    this.times = Float64Array.from(order, (i) => at[i]);
    this.source = Int32Array.from(order, (i) => from[i]);
  }

  get count(): number {
    return this.times.length;
  }

  /** Whether rotation k changes a secret held by the `index`-th SecretSync of cluster c. */
  affects(k: number, c: number, index: number): boolean {
    const e = this.source[k];
    return this.masks[e][c] === 1 && index < this.secretSyncs[e];
  }
}
