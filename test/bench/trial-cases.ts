import { PUBLISHED_LIMITERS, recipeFleetModel } from '../../sim/analytic/recipe-fleet-model.js';
import type { ModelConfig } from '../../sim/model/config.js';
import { parseScenario } from '../../sim/scenario/load.js';

const fleet = (clusters: number, secrets: number, jitter: number, horizon: string): ModelConfig =>
  parseScenario(`name: b\nhorizon: ${horizon}\nfleet:\n  - {clusters: ${clusters}, secretSyncs: ${secrets}, jitterSeconds: ${jitter}}\n`, 'bench').points[0].model;

export interface TrialCase {
  model: () => ModelConfig;
  /** Trials per timed iteration: a batch, as a worker runs them. */
  batch: number;
}

/** The whole-trial benchmarks, by name; each runs in a fresh process (test/bench/trial-case.ts). */
export const TRIAL_CASES: Record<string, TrialCase> = {
  // The SimPy baselines' scenario: no trial throttles at 270 s, every trial at 0 s.
  '2000x20, 2 h, jitter 270 s': { model: () => fleet(2000, 20, 270, '2h'), batch: 4 },
  '2000x20, 2 h, jitter 0 s': { model: () => fleet(2000, 20, 0, '2h'), batch: 1 },
  // The numpy baseline: one jittered rollout, latency 0, no retries, a token bucket.
  '2000x20 rollout, jitter 270 s, latency 0, no retries': {
    model: () => recipeFleetModel({ clusters: 2000, secretsPerCluster: 20, perSecondLimit: 400 }, 270, PUBLISHED_LIMITERS['token-bucket']),
    batch: 400,
  },
  // The tail-probability case: the rollout window only.
  '2000x20, horizon 300 s, jitter 270 s': { model: () => fleet(2000, 20, 270, '300s'), batch: 8 },
  // Cost against size: clusters x secrets x horizon.
  'size 500x10, 1 h': { model: () => fleet(500, 10, 270, '1h'), batch: 40 },
  'size 1000x20, 1 h': { model: () => fleet(1000, 20, 270, '1h'), batch: 10 },
  'size 4000x25, 2 h': { model: () => fleet(4000, 25, 270, '2h'), batch: 2 },
};

/** clusters x secrets x hours of the size cases, for the log-log slope (2000x20 is the SimPy case). */
export const SIZE_WORK: Record<string, number> = {
  'size 500x10, 1 h': 500 * 10 * 1,
  'size 1000x20, 1 h': 1000 * 20 * 1,
  '2000x20, 2 h, jitter 270 s': 2000 * 20 * 2,
  'size 4000x25, 2 h': 4000 * 25 * 2,
};
