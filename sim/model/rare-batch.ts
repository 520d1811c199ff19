import { RandomStream } from '../engine/random.js';
import type { RareSums } from '../metrics/rare-estimate.js';
import type { RareTask } from './config.js';
import { sampleRare, secondsOver, throttled, type Cover, type RolloutEvent } from './rare-events.js';

/**
 * One batch of importance-sampled rollouts (rare-events.ts): its sums. The batch's streams are
 * named by the seed, the estimand and the batch index, so any worker gives the same sums.
 */
export function runRareBatch(task: RareTask): RareSums {
  const { cover, event } = rareQuestion(task);
  return sampleRare(task.rollout, cover, event, task.trials, new RandomStream(`${String(task.seed)}/rare/${rareName(task.estimand)}/${task.batch}`));
}

function rareName(e: RareTask['estimand']): string {
  return e.kind === 'throttledTrial' ? `${e.kind}/${e.limiter.kind}` : `${e.kind}/${e.perSecondLimit}`;
}

/** A batch's cover and event; the event's limiter takes its phase from a stream of the batch's own. */
function rareQuestion(task: RareTask): { cover: Cover; event: RolloutEvent } {
  const e = task.estimand;
  if (e.kind === 'throttledTrial') return throttled(task.rollout, e.limiter, new RandomStream(`${String(task.seed)}/rare-phase/${rareName(e)}/${task.batch}`));
  const s = secondsOver(task.rollout, e.perSecondLimit);
  return { cover: s.cover, event: e.kind === 'refreshOver' ? s.refreshOver : s.pSecondOver };
}
