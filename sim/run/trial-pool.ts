import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import trialBatch, { type BatchTask } from '../../workers/trial-batch.js';
import type { TrialBatch } from '../metrics/trial-record.js';
import type { EngineChoice, ModelConfig } from '../model/config.js';

export { ENGINES, type EngineChoice } from '../model/config.js';

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Trials per batch: about eight batches per worker, at most 250 trials each. */
export function batchSizeFor(trials: number, workers: number, batchSize?: number): number {
  return batchSize ?? Math.min(250, Math.max(1, Math.ceil(trials / (workers * 8))));
}

/** Splits trials [from, to) into batches; the split never changes a result, only the pace. */
export function batches(trials: number, workers: number, batchSize?: number, from = 0): Array<[number, number]> {
  const size = batchSizeFor(trials, workers, batchSize);
  const out: Array<[number, number]> = [];
  for (let f = from; f < from + trials; f += size) out.push([f, Math.min(from + trials, f + size)]);
  return out;
}

/**
 * Worker threads that simulate trials. Trial i draws from the random streams named by
 * (seed, i) whichever worker runs it, so results never depend on the pool. With 0 workers the
 * trials run in the calling thread (tests that start many small runs, profiling).
 */
export class TrialPool {
  readonly workers: number;
  private readonly pool?: Piscina<BatchTask, TrialBatch>;

  constructor(workers = defaultWorkers(), private readonly batchSize?: number, private readonly engine: EngineChoice = 'auto') {
    this.workers = workers;
    if (workers === 0) return;
    this.pool = new Piscina<BatchTask, TrialBatch>({
      filename: new URL('../../workers/trial-batch.js', import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 1000,
    });
  }

  /** Trials [from, to) of a point, in batches over the workers; `onTrials` hears of each finished batch. */
  run(model: ModelConfig, seed: number | string, point: number, from: number, to: number, onTrials?: (n: number) => void): Promise<TrialBatch[]> {
    return Promise.all(
      batches(to - from, Math.max(1, this.workers), this.batchSize, from).map(async ([f, t]) => {
        const task = { model, seed, point, from: f, to: t, engine: this.engine };
        const batch = this.pool ? await this.pool.run(task) : trialBatch(task);
        onTrials?.(t - f);
        return batch;
      }),
    );
  }

  destroy(): Promise<void> {
    return this.pool?.destroy() ?? Promise.resolve();
  }
}
