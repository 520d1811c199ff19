import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BatchTask } from '../../workers/trial-batch.js';
import { summarisePoint, type PointResult } from '../metrics/summary.js';
import type { TrialBatch } from '../metrics/trial-record.js';
import type { Scenario } from '../scenario/load.js';
import { Progress } from './progress.js';

export interface RunOptions {
  /** Worker threads; default one per core. */
  workers?: number;
  /** Trials per task; default chosen from the trial count and workers. */
  batchSize?: number;
  progress?: boolean;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Splits trials [0, trials) into batches; the split never changes a result, only the pace. */
export function batches(trials: number, workers: number, batchSize?: number): Array<[number, number]> {
  const size = batchSize ?? Math.min(250, Math.max(1, Math.ceil(trials / (workers * 8))));
  const out: Array<[number, number]> = [];
  for (let from = 0; from < trials; from += size) out.push([from, Math.min(trials, from + size)]);
  return out;
}

/**
 * Runs every point of the scenario on a worker pool and returns the points' results in point
 * order. Each trial's random stream comes from (seed, point, trial), so the answer is the same
 * for any number of workers or batch size.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<PointResult[]> {
  const workers = options.workers ?? defaultWorkers();
  const pool = new Piscina<BatchTask, TrialBatch>({
    filename: new URL('../../workers/trial-batch.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
  });
  const total = scenario.trials * scenario.points.length;
  const progress = new Progress(total, scenario.name, process.stderr, options.progress ?? true);
  let done = 0;
  try {
    const results = await Promise.all(
      scenario.points.map(async (point) => {
        const parts = await Promise.all(
          batches(scenario.trials, workers, options.batchSize).map(async ([from, to]) => {
            const batch = await pool.run({ model: point.model, seed: scenario.seed, point: point.index, from, to });
            done += to - from;
            progress.update(done);
            return batch;
          }),
        );
        return summarisePoint(parts);
      }),
    );
    progress.done();
    return results;
  } finally {
    await pool.destroy();
  }
}
