import type { TrialCollector } from '../../metrics/trial-collector.js';

/**
 * Recovery from the tracked outage: the time from its end until no SecretSync is failing any
 * more (0 when none was failing as it ended). Clusters report each SecretSync's health changes
 * (+1 failing, -1 healthy again) as they happen; the fleet's count is replayed at the end.
 */
export class RecoveryProbe {
  private times = new Float64Array(256);
  private clusters = new Int32Array(256);
  private deltas = new Int8Array(256);
  private n = 0;
  private order = new Int32Array(0);

  /** End of the tracked outage (NaN: none within the trial). */
  constructor(readonly outageEnd: number) {}

  get tracking(): boolean {
    return this.outageEnd === this.outageEnd;
  }

  reset(): void {
    this.n = 0;
  }

  /** A SecretSync of cluster c started failing (+1) or recovered (-1) at t. */
  change(t: number, c: number, delta: 1 | -1): void {
    if (!this.tracking) return;
    if (this.n === this.times.length) this.grow();
    this.times[this.n] = t;
    this.clusters[this.n] = c;
    this.deltas[this.n] = delta;
    this.n++;
  }

  /**
   * Replays the fleet's failing count. `inOrder`: the changes came in the fleet's event order
   * (the coupled driver). Otherwise they came cluster by cluster, each cluster in its own order,
   * and are ordered by time; at an instant where several clusters change in both directions the
   * fleet's order is unknown, so the answer is: undecided (false), and the trial runs coupled.
   */
  finish(collector: TrialCollector, inOrder: boolean): boolean {
    if (!this.tracking) return true;
    const n = this.n;
    const order = this.sortedOrder(inOrder);
    const end = this.outageEnd;
    let failing = 0;
    let i = 0;
    for (; i < n && this.times[order[i]] < end; i++) failing += this.deltas[order[i]];
    if (failing === 0) {
      collector.recovered(0);
      return true;
    }
    while (i < n) {
      const t = this.times[order[i]];
      let j = i;
      let mixed = false;
      let several = false;
      for (; j < n && this.times[order[j]] === t; j++) {
        if (this.deltas[order[j]] !== this.deltas[order[i]]) mixed = true;
        if (this.clusters[order[j]] !== this.clusters[order[i]]) several = true;
      }
      if (!inOrder && mixed && several) return false;
      for (let k = i; k < j; k++) {
        failing += this.deltas[order[k]];
        if (failing === 0 && this.deltas[order[k]] < 0) {
          collector.recovered(t - end);
          return true;
        }
      }
      i = j;
    }
    return true;
  }

  /** The changes' indices by time (stable: each cluster's own order is kept). */
  private sortedOrder(inOrder: boolean): Int32Array {
    const n = this.n;
    if (this.order.length < n) this.order = new Int32Array(this.times.length);
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    if (!inOrder) {
      const times = this.times;
      order.subarray(0, n).sort((a, b) => times[a] - times[b] || a - b);
    }
    return order;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n); t.set(this.times); this.times = t;
    const c = new Int32Array(n); c.set(this.clusters); this.clusters = c;
    const d = new Int8Array(n); d.set(this.deltas); this.deltas = d;
  }
}
