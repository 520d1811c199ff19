import { parentPort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { TrialBatch } from '../sim/metrics/trial-record.js';
import type { RareSums } from '../sim/metrics/rare-estimate.js';
import type { EngineChoice, ModelConfig, RareTask } from '../sim/model/config.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { WORKER_LOADED } from './loaded-message.js';

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
 * a worker of plain trials starts without them (docs/performance.md, "Start-up costs").
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

/**
 * The entry the pool's threads call (sim/run/trial-pool.ts names it): trialBatch, with a batch
 * of trials' typed arrays moved to the main thread rather than copied (each batch's are new, and
 * a batch of a short rollout's trials carries hundreds of KB).
 */
export function pooled(task: BatchTask | RareTask): ReturnType<typeof move> | Promise<RareSums> {
  if ('kind' in task) return trialBatch(task);
  const batch = trialBatch(task);
  const buffers = [batch.metrics, batch.series, batch.scopes, batch.vaultSeries].map((a) => a?.buffer).filter((b): b is ArrayBuffer => b !== undefined && b.byteLength > 0);
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return batch;
    },
  });
}

/**
 * Tells the pool this thread's modules have loaded: a thread terminated while Node still loads
 * them aborts the whole process (V8 "IsGraphAsync ... instantiated module", or node's "facade
 * ->InstantiateModule" assertion; exit 134), so the pool stops its threads only after this
 * (sim/run/trial-pool.ts). Posted from a microtask: Node builds the module's require
 * facade after this body has run, in the same synchronous require (a macrotask would never run:
 * the idle thread then blocks in Atomics.wait).
 */
queueMicrotask(() => parentPort?.postMessage(WORKER_LOADED));
