import type { RandomStream } from '../../engine/random.js';

/**
 * A rate limiter as the vault applies it. Time only moves forward between calls.
 * A request is admitted only when every limiter on its path would accept it, so the check
 * (`wouldAccept`) and the bookkeeping (`take`) are separate.
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
  /**
   * Whether every arrival sequence with `counts[i]` requests in [i * width, (i + 1) * width),
   * from the start of a trial, would be accepted in full: a conservative test, with a margin
   * for rounding (false does not mean a rejection, only that the requests must be replayed).
   */
  surelyAcceptsAll(counts: Uint32Array, width: number): boolean;
  /**
   * A bound on how many requests within `width` seconds could all be accepted, however they are
   * spread (with a margin for rounding): more than this, and one is surely rejected.
   */
  mostAcceptedWithin(width: number): number;
  /** Back to the state at the start of a trial. */
  reset(rng: RandomStream): void;
  /**
   * Whether a trial's GETs that `which` selects (a vault's index, or ANY_VAULT), every one
   * accepted, would meet a rejection, decided from its log (`peaks`) without a replay (after a
   * `reset`); absent, or undefined, where the limiter cannot. Exact: until its first rejection a
   * limiter accepts every request, so it rejects one of the history exactly when the history
   * itself exceeds the limit somewhere.
   */
  rejectsAnyOf?(which: number, peaks: LogPeaks): boolean | undefined;
}

/** A trial's send log's peaks over windows (t - window, t] (the trial collector's). */
export interface LogPeaks {
  /** Whether more than `limit` GETs that `which` selects (a vault's index, or ANY_VAULT) fall in some such window. */
  peakExceeds(which: number, window: number, limit: number): boolean;
  /** Whether more than `limit` of them fall in one window [phase + j window, phase + (j + 1) window) (undefined: too many windows to count). */
  windowCountExceeds(which: number, phase: number, window: number, limit: number): boolean | undefined;
}

/** For window limiters: `width` seconds meet at most ceil(width / window) + 1 windows. */
export function windowsWithin(width: number, limit: number, window: number): number {
  return limit * (Math.ceil(width / window) + 1);
}

/**
 * For window limiters (at most `limit` requests in any window of `window` seconds): a window
 * meets at most floor(window / width) + 2 bins, so no such run of bins may hold more than `limit`.
 */
export function binsWithinWindowLimit(counts: Uint32Array, width: number, limit: number, window: number): boolean {
  const m = Math.floor(window / width) + 2;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    sum += counts[i];
    if (i >= m) sum -= counts[i - m];
    if (sum > limit) return false;
  }
  return true;
}
