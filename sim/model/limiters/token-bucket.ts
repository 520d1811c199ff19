import type { Limiter } from './limiter.js';

/**
 * Starts full with `capacity` tokens and refills continuously at `refillPerSecond`; a request
 * takes one token. A request that counts while rejected still takes one, so the balance can go
 * negative and the vault stays closed until the refill has paid the debt back.
 */
export class TokenBucket implements Limiter {
  private tokens: number;
  private last = 0;

  constructor(readonly capacity: number, readonly refillPerSecond: number) {
    this.tokens = capacity;
  }

  reset(): void {
    this.tokens = this.capacity;
    this.last = 0;
  }

  private refill(t: number): void {
    if (t > this.last) {
      const tokens = this.tokens + (t - this.last) * this.refillPerSecond;
      this.tokens = tokens < this.capacity ? tokens : this.capacity;
      this.last = t;
    }
  }

  wouldAccept(t: number): boolean {
    this.refill(t);
    return this.tokens >= 1;
  }

  take(t: number): void {
    this.refill(t);
    this.tokens -= 1;
  }

  acceptable(t: number, n: number): number {
    this.refill(t);
    // Each accepted request needs a whole token: floor(tokens) of them fit.
    return this.tokens >= 1 ? Math.min(n, Math.floor(this.tokens)) : 0;
  }

  takeMany(t: number, n: number): void {
    this.refill(t);
    // Subtracting whole numbers is exact: the same balance as n single takes.
    this.tokens -= n;
  }

  /** At most the capacity and the refill over `width` seconds fit (a token of margin). */
  mostAcceptedWithin(width: number): number {
    return this.capacity + this.refillPerSecond * width + 1;
  }

  /**
   * With every request accepted, request i finds a token when, for every earlier-or-equal
   * request j, the requests j..i number at most capacity + refill * (t_i - t_j). Requests in
   * bins a..b are at least (b - a - 1) bins apart, so it suffices that every run of bins holds
   * at most capacity - 1 (a token of margin for rounding) + refill * width * (b - a - 1):
   * E_b = counts_b + max(0, E_(b-1) - refill * width) is the largest excess ending at b.
   */
  surelyAcceptsAll(counts: Uint32Array, width: number): boolean {
    const perBin = this.refillPerSecond * width;
    const room = this.capacity - 1;
    let excess = 0;
    for (let b = 0; b < counts.length; b++) {
      if (counts[b] + excess > room) return false;
      excess = counts[b] + Math.max(0, excess - perBin);
    }
    return true;
  }

  retryAfter(t: number): number {
    this.refill(t);
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.refillPerSecond;
  }
}
