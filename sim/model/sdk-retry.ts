import type { RandomStream } from '../engine/random.js';
import type { ExponentialRetry, RetryConfig } from './config.js';

/**
 * The Azure SDK's retry inside one fetch. azcore (Go) defaults: 3 retries on 408/429/5xx, delay
 * before retry n = (2^n - 1) * 800 ms * U[0.8, 1.3), capped at 60 s. A server Retry-After of at
 * most the cap replaces the computed delay; a longer one means no retry.
 */
export const AZCORE_RETRY: ExponentialRetry = {
  maxRetries: 3,
  baseDelay: 0.8,
  maxDelay: 60,
  jitter: [0.8, 1.3],
};

export function resolveRetry(config: RetryConfig): ExponentialRetry {
  if (config === 'azcore') return AZCORE_RETRY;
  if (config === 'none') return { ...AZCORE_RETRY, maxRetries: 0 };
  return config;
}

/**
 * Seconds to wait before retry number `retry` (1 for the first retry), or -1 when the SDK gives
 * up. `retryAfter` is the server's Retry-After in seconds, NaN when it sent none.
 */
export function retryDelay(
  policy: ExponentialRetry,
  retry: number,
  retryAfter: number,
  rng: RandomStream,
): number {
  if (retry > policy.maxRetries) return -1;
  if (retryAfter === retryAfter) {
    return retryAfter <= policy.maxDelay ? retryAfter : -1;
  }
  const [lo, hi] = policy.jitter;
  const delay = (2 ** retry - 1) * policy.baseDelay * rng.between(lo, hi);
  return delay < policy.maxDelay ? delay : policy.maxDelay;
}
