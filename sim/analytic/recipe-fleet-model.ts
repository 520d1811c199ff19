import { fleetGroup, LIMITER_SHAPES, shapedLimiter, type LimiterConfig, type LimiterShape, type ModelConfig } from '../model/config.js';
import type { RecipeFleet } from './jitter-analysis.js';
import { DEFAULT_VAULT_LIMITER } from '../model/defaults.js';


/** Each limiter shape of docs/model.md at the published 4,000 GETs per 10 s. */
export const PUBLISHED_LIMITERS = Object.fromEntries(LIMITER_SHAPES.map((shape) => [shape, shapedLimiter(DEFAULT_VAULT_LIMITER, shape)])) as Record<LimiterShape, LimiterConfig>;

/**
 * The fleet the recipe describes, as a simulation: every cluster's S GETs at one instant (one
 * SecretSync of S objects, latency 0) after U[0, J) from a rollout at 0, no retries, no other
 * load, over the refresh window [0, max(J, 1 s)) only (no poll comes back inside it).
 */
export function recipeFleetModel(fleet: RecipeFleet, jitterSeconds: number, limiter: LimiterConfig): ModelConfig {
  const horizon = Math.max(1, Math.ceil(jitterSeconds));
  return {
    horizon,
    start: 'rollout',
    fleet: [
      fleetGroup({
        name: 'recipe',
        clusters: fleet.clusters,
        secretSyncs: 1,
        objectsPerSync: fleet.secretsPerCluster,
        rotationPollIntervalInSeconds: 1e9, // no second poll inside a long window
        jitterSeconds,
      }),
    ],
    vaults: [{ name: 'kv', limiter, rejectedCount: false, retryAfter: 'none', background: { ratePerSecond: 0 } }],
    subscription: null,
    client: { retry: 'none', requeue: { baseDelay: 1e9, maxDelay: 1e9, overall: null } },
    events: [],
    metrics: { perSecondLimit: fleet.perSecondLimit, timeseriesBin: horizon },
  };
}
