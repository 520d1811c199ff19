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
  /** A pool to run on (a search's many looks share one); by default one of its own. */
  pool?: TrialPool;
}

/** One probability to estimate: an estimand of a recipe rollout. */
export interface RareQuestion {
  rollout: RareTask['rollout'];
  estimand: RareEstimand;
}

/**
 * Each question by importance sampling (sim/model/rare-events.ts): `trials` weighted rollouts
 * each, in batches over the workers, combined in batch order (the same numbers for any number
 * of workers).
 */
export async function estimateRareEvents(questions: RareQuestion[], trials: number, seed: number | string, options: RareRunOptions = {}): Promise<RareEstimate[]> {
  const pool = options.pool ?? new TrialPool(options.workers, undefined, 'auto', options.stallSeconds);
  const batches = Math.ceil(trials / RARE_BATCH);
  const progress = new Progress(trials * questions.length, 'importance sampling', process.stderr, options.progress ?? true);
  let done = 0;
  try {
    const results = await Promise.all(
      questions.map(async ({ rollout, estimand }) => {
        const tasks: RareTask[] = Array.from({ length: batches }, (_, b) => ({ kind: 'rare', rollout, estimand, seed, batch: b, trials: Math.min(RARE_BATCH, trials - b * RARE_BATCH) }));
        return combineRare(await pool.rare(tasks, (n) => progress.update((done += n))));
      }),
    );
    progress.done();
    return results;
  } finally {
    if (!options.pool) await pool.destroy();
  }
}
