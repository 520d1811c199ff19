import type { ExponentialRetry, RetryConfig } from './config.js';

/**
 * The Azure SDK's retry inside one fetch (the rule is sim/model/wasm/cluster.ts's retryDelay).
 * azcore (Go) defaults: 3 retries on 408/429/5xx, delay before retry n = (2^n - 1) * 800 ms *
 * U[0.8, 1.3), capped at 60 s. A server Retry-After of at most the cap replaces the computed
 * delay; a longer one means no retry.
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
