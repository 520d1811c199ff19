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
}

/** The pool entry: trials [from, to) of one point. */
export default function trialBatch(task: BatchTask): TrialBatch {
  return runTrialBatch(task.model, task.seed, task.point, task.from, task.to, task.engine);
}
