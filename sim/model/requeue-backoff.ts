/**
 * controller-runtime's per-item exponential failure backoff: baseDelay * 2^(n-1) for the n-th
 * consecutive failure, capped at maxDelay (defaults 5 ms and 1000 s); reset on success.
 */
export function requeueDelay(consecutiveFailures: number, baseDelay: number, maxDelay: number): number {
  const delay = baseDelay * 2 ** (consecutiveFailures - 1);
  return delay < maxDelay ? delay : maxDelay;
}
