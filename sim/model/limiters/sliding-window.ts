import { binsWithinWindowLimit, windowsWithin, type Limiter, type LogPeaks } from './limiter.js';

/**
 * Exact sliding log: a request at t is accepted when fewer than `limit` counted requests fall
 * in (t - window, t]. Only the last `limit` counted times matter, so they sit in a ring buffer;
 * the oldest of them decides. The buffer grows to `limit` as times are stored (kept across
 * trials): a limit far above what a trial sends (the other shapes' check of a huge token bucket)
 * costs what is sent, not the limit.
 */
export class SlidingWindow implements Limiter {
  private times: Float64Array;
  private head = 0; // index of the oldest of the stored times once the ring is full
  private stored = 0;

  constructor(readonly limit: number, readonly window: number) {
    this.times = new Float64Array(Math.min(limit, 1024));
  }

  reset(): void {
    this.head = 0;
    this.stored = 0;
  }

  wouldAccept(t: number): boolean {
    return this.stored < this.limit || this.times[this.head] <= t - this.window;
  }

  take(t: number): void {
    if (this.stored < this.limit) {
      if (this.stored === this.times.length) this.grow();
      this.times[this.stored++] = t;
      return;
    }
    this.times[this.head] = t;
    this.head = this.head + 1 === this.limit ? 0 : this.head + 1;
  }

  acceptable(t: number, n: number): number {
    // Free slots first; then each accepted request replaces the oldest time, which must be out of the window.
    // The stored times, oldest first, are the ones that leave the window in turn; the new ones
    // (at t) never do.
    let k = Math.min(n, this.limit - this.stored);
    const start = this.stored < this.limit ? 0 : this.head;
    for (let j = 0; k < n && j < this.stored && this.times[(start + j) % this.limit] <= t - this.window; j++) k++;
    return k;
  }

  /** Twice the room, at most `limit` (the ring has not wrapped yet: the times are in order from 0). */
  private grow(): void {
    const bigger = new Float64Array(Math.min(this.limit, 2 * this.times.length));
    bigger.set(this.times);
    this.times = bigger;
  }

  takeMany(t: number, n: number): void {
    for (let i = 0; i < n; i++) this.take(t);
  }

  mostAcceptedWithin(width: number): number {
    return windowsWithin(width, this.limit, this.window);
  }

  surelyAcceptsAll(counts: Uint32Array, width: number): boolean {
    return binsWithinWindowLimit(counts, width, this.limit, this.window);
  }

  /** More than `limit` of them in some (t - window, t]: the log's peak over such windows, exactly (`peaks` holds the log). */
  rejectsAnyOf(which: number, peaks: LogPeaks): boolean {
    return peaks.peakExceeds(which, this.window, this.limit);
  }

  retryAfter(t: number): number {
    if (this.wouldAccept(t)) return 0;
    return this.times[this.head] + this.window - t;
  }
}
