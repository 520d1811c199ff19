/**
 * The model's defaults, each with its source (docs/model.md gives the references). Every
 * other module reads them from here: the scenario schema, the recipe, the commands' flags.
 */

/** AKV service limits: 4,000 transactions ("all other transactions": secret GETs) per 10 s per vault. */
export const VAULT_LIMIT = 4000;
export const VAULT_WINDOW_SECONDS = 10;

/** AKV service limits, footnote: a subscription's vaults in one region share 5 x the vault limit. */
export const SUBSCRIPTION_FACTOR = 5;

/** The default limiter: a token bucket at the published limit (the shape is not published). */
export const DEFAULT_VAULT_LIMITER = { kind: 'token-bucket' as const, capacity: VAULT_LIMIT, refillPerSecond: VAULT_LIMIT / VAULT_WINDOW_SECONDS };
export const DEFAULT_SUBSCRIPTION_LIMITER = {
  kind: 'token-bucket' as const,
  capacity: SUBSCRIPTION_FACTOR * VAULT_LIMIT,
  refillPerSecond: (SUBSCRIPTION_FACTOR * VAULT_LIMIT) / VAULT_WINDOW_SECONDS,
};

/** The SSE documentation's jitter recipe: at most 400 GETs in any one second (4,000 / 10 s read per second). */
export const PER_SECOND_LIMIT = VAULT_LIMIT / VAULT_WINDOW_SECONDS;

/** The SSE documentation's acceptable risk per second, for its recipe and table (0.01%). */
export const DOCUMENTED_RISK = 1e-4;

/** SSE configuration reference: rotationPollIntervalInSeconds. */
export const POLL_INTERVAL_SECONDS = 3600;

/** controller-runtime's default per-item requeue backoff (client-go workqueue): 5 ms doubling, capped at 1,000 s. */
export const REQUEUE_BASE_DELAY = 0.005;
export const REQUEUE_MAX_DELAY = 1000;

/**
 * controller-runtime's default rate limiter also holds every requeue of a controller to an
 * overall token bucket (client-go workqueue.DefaultControllerRateLimiter: 10 per second, burst
 * 100, golang.org/x/time/rate); the delay is the larger of the two.
 */
export const REQUEUE_OVERALL = { ratePerSecond: 10, burst: 100 };

/** Azure SDK for Go (azcore) retry defaults, the provider's SDK: the `azcore` policy. */
export const DEFAULT_RETRY = 'azcore' as const;

/** Trials of a point at most: trial numbers are 32-bit. */
export const MAX_TRIALS = 2 ** 31 - 1;
