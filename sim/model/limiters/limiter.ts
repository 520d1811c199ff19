import type { RandomStream } from '../../engine/random.js';

/**
 * A rate limiter as the vault applies it. Time only moves forward between calls.
 * A request is admitted only when every limiter on its path would accept it, so the check
 * (`wouldAccept`) and the bookkeeping (`take`) are separate; `tryAcquire` is both at once.
 */
export interface Limiter {
  /** Whether a request at time t would be accepted. */
  wouldAccept(t: number): boolean;
  /** Counts a request at time t against the limit (an accepted one, or a rejected one that counts). */
  take(t: number): void;
  /** How many of n requests arriving one after another at time t would be accepted before the first rejection. */
  acceptable(t: number, n: number): number;
  /** Counts n requests at time t, as n calls of `take` would. */
  takeMany(t: number, n: number): void;
  /** Seconds from t until a request would be accepted (0 when it would be now). */
  retryAfter(t: number): number;
  /** Back to the state at the start of a trial. */
  reset(rng: RandomStream): void;
}

export function tryAcquire(limiter: Limiter, t: number): boolean {
  if (!limiter.wouldAccept(t)) return false;
  limiter.take(t);
  return true;
}
