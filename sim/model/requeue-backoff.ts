import type { RequeueBucket } from './config.js';

/**
 * controller-runtime's per-item exponential failure backoff: baseDelay * 2^(n-1) for the n-th
 * consecutive failure, capped at maxDelay (defaults 5 ms and 1000 s); reset on success.
 */
export function requeueDelay(consecutiveFailures: number, baseDelay: number, maxDelay: number): number {
  const delay = baseDelay * 2 ** (consecutiveFailures - 1);
  return delay < maxDelay ? delay : maxDelay;
}

/**
 * The controller's overall requeue bucket, one per cluster (controller-runtime's
 * DefaultControllerRateLimiter: a golang.org/x/time/rate limiter, 10 per second, burst 100,
 * full at the start). Every requeue takes a token when it is scheduled; tokens may go below
 * zero, and a requeue then waits until its token has refilled. A controller restart starts a
 * new, full bucket.
 */
export class RequeueBuckets {
  private readonly tokens: Float64Array;
  private readonly last: Float64Array;
  /**
   * The trial in which each cluster's bucket was last touched: a bucket of an earlier trial is
   * full, as at t = 0. So a trial's reset is one increment, not a pass over every cluster (most
   * trials never requeue: every GET accepted).
   */
  private readonly touched: Int32Array;
  private trial = 1;

  constructor(clusters: number, private readonly bucket: RequeueBucket | null) {
    this.tokens = new Float64Array(bucket ? clusters : 0);
    this.last = new Float64Array(bucket ? clusters : 0);
    this.touched = new Int32Array(bucket ? clusters : 0);
  }

  /** Every cluster's bucket full, as at t = 0. */
  reset(): void {
    this.trial++;
  }

  /** Cluster c's controller restarted at t: a new bucket, full. */
  restart(c: number, t: number): void {
    if (!this.bucket) return;
    this.tokens[c] = this.bucket.burst;
    this.last[c] = t;
    this.touched[c] = this.trial;
  }

  /** A requeue of cluster c scheduled at t takes a token: how long it must wait for it (0: none). */
  wait(c: number, t: number): number {
    const bucket = this.bucket;
    if (!bucket) return 0;
    if (this.touched[c] !== this.trial) this.restart(c, 0);
    const rate = bucket.ratePerSecond;
    let tokens = this.tokens[c] + (t - this.last[c]) * rate;
    if (tokens > bucket.burst) tokens = bucket.burst;
    tokens -= 1;
    this.tokens[c] = tokens;
    this.last[c] = t;
    return tokens >= 0 ? 0 : -tokens / rate;
  }
}
