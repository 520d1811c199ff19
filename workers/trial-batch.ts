import type { TrialBatch } from '../sim/metrics/trial-record.js';
import type { RareSums } from '../sim/metrics/rare-estimate.js';
import type { EngineChoice, ModelConfig, RareTask } from '../sim/model/config.js';
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
}

/**
 * A fault for the tests of the pool's watchdog: AKV_SIM_TEST_STUCK_POINT=<point> makes the batches
 * of that point spin forever, as a worker stuck in a bug would.
 */
const stuckPoint = process.env.AKV_SIM_TEST_STUCK_POINT;

/**
 * The pool entry: trials [from, to) of one point, or a batch of importance-sampled rollouts.
 * Importance sampling's modules (and the @stdlib functions they use) load with its first batch:
 * a worker of plain trials starts without them (about 65 ms a worker).
 */
export default function trialBatch(task: BatchTask): TrialBatch;
export default function trialBatch(task: RareTask): Promise<RareSums>;
export default function trialBatch(task: BatchTask | RareTask): TrialBatch | Promise<RareSums> {
  const started = (task as { started?: Int32Array }).started;
  if (started) Atomics.store(started, 0, 1);
  if ('kind' in task) return import('../sim/model/rare-batch.js').then((m) => m.runRareBatch(task));
  if (stuckPoint !== undefined && String(task.point) === stuckPoint) for (;;);
  return runTrialBatch(task.model, task.seed, task.point, task.from, task.to, task.engine);
}
