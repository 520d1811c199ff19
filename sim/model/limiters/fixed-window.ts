import type { RandomStream } from '../../engine/random.js';
import { binsWithinWindowLimit, windowsWithin, type Limiter, type LogPeaks } from './limiter.js';

/**
 * At most `limit` requests per window [phase + k*window, phase + (k+1)*window); the count
 * resets at each boundary. `phase: 'random'` draws the boundary offset once per trial.
 */
export class FixedWindow implements Limiter {
  private phaseNow = 0;
  private windowIndex = -Infinity;
  private count = 0;

  constructor(readonly limit: number, readonly window: number, readonly phase: number | 'random') {
    if (phase !== 'random') this.phaseNow = phase;
  }

  reset(rng: RandomStream): void {
    this.phaseNow = this.phase === 'random' ? rng.uniform() * this.window : this.phase;
    this.windowIndex = -Infinity;
    this.count = 0;
  }

  private roll(t: number): void {
    const k = Math.floor((t - this.phaseNow) / this.window);
    if (k !== this.windowIndex) {
      this.windowIndex = k;
      this.count = 0;
    }
  }

  wouldAccept(t: number): boolean {
    this.roll(t);
    return this.count < this.limit;
  }

  take(t: number): void {
    this.roll(t);
    this.count++;
  }

  acceptable(t: number, n: number): number {
    this.roll(t);
    return Math.max(0, Math.min(n, this.limit - this.count));
  }

  takeMany(t: number, n: number): void {
    this.roll(t);
    this.count += n;
  }

  mostAcceptedWithin(width: number): number {
    return windowsWithin(width, this.limit, this.window);
  }

  surelyAcceptsAll(counts: Uint32Array, width: number): boolean {
    return binsWithinWindowLimit(counts, width, this.limit, this.window);
  }

  /**
   * More than `limit` of them in one window [phase + k window, phase + (k + 1) window): each GET
   * counted into its window, k worked out as `roll` does, in one pass over the log (`peaks`).
   */
  rejectsAnyOf(which: number, peaks: LogPeaks): boolean | undefined {
    return peaks.windowCountExceeds(which, this.phaseNow, this.window, this.limit);
  }

  retryAfter(t: number): number {
    this.roll(t);
    if (this.count < this.limit) return 0;
    return this.phaseNow + (this.windowIndex + 1) * this.window - t;
  }
}
