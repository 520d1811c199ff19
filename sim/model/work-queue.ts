import type { FleetLayout } from './fleet-layout.js';

/**
 * Each cluster's controller work queue: a FIFO of SecretSyncs waiting for one of its
 * maxConcurrentReconciles workers. Per cluster a ring in buf[firstSync .. firstSync + syncCount)
 * (a SecretSync is queued at most once, so the ring never overflows), and the busy workers.
 */
export class WorkQueues {
  private readonly buf: Int32Array;
  private readonly head: Int32Array;
  private readonly len: Int32Array;
  private readonly busy: Int32Array;

  constructor(private readonly layout: FleetLayout) {
    this.buf = new Int32Array(layout.syncs);
    this.head = new Int32Array(layout.clusters);
    this.len = new Int32Array(layout.clusters);
    this.busy = new Int32Array(layout.clusters);
  }

  reset(): void {
    this.head.fill(0);
    this.len.fill(0);
    this.busy.fill(0);
  }

  /** A controller restart: cluster c's queue and running reconciles are gone. */
  clear(c: number): void {
    this.head[c] = 0;
    this.len[c] = 0;
    this.busy[c] = 0;
  }

  isEmpty(c: number): boolean {
    return this.len[c] === 0;
  }

  push(c: number, s: number): void {
    const cap = this.layout.clusterSyncCount[c];
    let pos = this.head[c] + this.len[c];
    if (pos >= cap) pos -= cap;
    this.buf[this.layout.clusterFirstSync[c] + pos] = s;
    this.len[c]++;
  }

  /** Removes and returns the SecretSync at the head of cluster c's queue (which is not empty). */
  shift(c: number): number {
    const s = this.buf[this.layout.clusterFirstSync[c] + this.head[c]];
    this.head[c] = this.head[c] + 1 === this.layout.clusterSyncCount[c] ? 0 : this.head[c] + 1;
    this.len[c]--;
    return s;
  }

  /** Whether cluster c runs fewer reconciles than its maxConcurrentReconciles. */
  hasFreeWorker(c: number): boolean {
    return this.busy[c] < this.layout.maxConcurrentReconciles[this.layout.clusterGroup[c]];
  }

  workerTaken(c: number): void {
    this.busy[c]++;
  }

  workerFreed(c: number): void {
    this.busy[c]--;
  }
}
