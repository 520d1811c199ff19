import { PointSums, type PointSumsData } from '../sim/metrics/point-sums.js';
import type { TrialBatch } from '../sim/metrics/trial-record.js';
import type { EngineChoice, ModelConfig } from '../sim/model/config.js';
import { runTrialBatch } from '../sim/model/run-batch.js';

export interface BatchTask {
  model: ModelConfig;
  seed: number | string;
  point: number;
  from: number;
  to: number;
  engine: EngineChoice;
  /** Set to 1 when the batch starts (the pool's watchdog tells running batches from queued ones). */
  started?: Int32Array;
  /** Return the batch's sums and per-trial records, not its timeseries (a run's bounded-memory path). */
  summarise?: boolean;
}

/** A batch as a run keeps it: the per-trial records (for trials.csv) and the sums of everything else. */
export interface SummarisedBatch {
  point: number;
  from: number;
  to: number;
  metrics: Float64Array;
  sums: PointSumsData;
}

/**
 * A fault for the tests of the pool's watchdog: AKV_SIM_TEST_STUCK_POINT=<point> makes the batches
 * of that point spin forever, as a worker stuck in a bug would.
 */
const stuckPoint = process.env.AKV_SIM_TEST_STUCK_POINT;

/** The pool entry: trials [from, to) of one point. */
export default function trialBatch(task: BatchTask): TrialBatch | SummarisedBatch {
  if (task.started) Atomics.store(task.started, 0, 1);
  if (stuckPoint !== undefined && String(task.point) === stuckPoint) for (;;);
  const batch = runTrialBatch(task.model, task.seed, task.point, task.from, task.to, task.engine);
  if (!task.summarise) return batch;
  return { point: batch.point, from: batch.from, to: batch.to, metrics: batch.metrics, sums: PointSums.ofBatches([batch]).toJSON() };
}
