import { combineRare, type RareEstimate } from '../metrics/rare-estimate.js';
import type { RareEstimand, RareTask } from '../model/config.js';
import { Progress } from './progress.js';
import { TrialPool } from './trial-pool.js';

/** Importance-sampled rollouts per batch: small enough to spread over the workers, large enough to pay the task. */
const RARE_BATCH = 500;

export interface RareRunOptions {
  workers?: number;
  progress?: boolean;
  stallSeconds?: number;
}

/**
 * Each estimand of a recipe rollout by importance sampling (sim/model/rare-events.ts): `trials`
 * weighted rollouts each, in batches over the workers, combined in batch order (the same
 * numbers for any number of workers).
 */
export async function estimateRareEvents(rollout: RareTask['rollout'], estimands: RareEstimand[], trials: number, seed: number | string, options: RareRunOptions = {}): Promise<RareEstimate[]> {
  const pool = new TrialPool(options.workers, undefined, 'auto', options.stallSeconds);
  const batches = Math.ceil(trials / RARE_BATCH);
  const progress = new Progress(batches * estimands.length * RARE_BATCH, 'importance sampling', process.stderr, options.progress ?? true);
  let done = 0;
  try {
    const results = await Promise.all(
      estimands.map(async (estimand) => {
        const tasks: RareTask[] = Array.from({ length: batches }, (_, b) => ({ kind: 'rare', rollout, estimand, seed, batch: b, trials: Math.min(RARE_BATCH, trials - b * RARE_BATCH) }));
        return combineRare(await pool.rare(tasks, () => progress.update((done += RARE_BATCH))));
      }),
    );
    progress.done();
    return results;
  } finally {
    await pool.destroy();
  }
}
