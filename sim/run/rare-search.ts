import type { RareEstimate } from '../metrics/rare-estimate.js';
import { withLimiterShape, type ModelConfig, type RareTask } from '../model/config.js';
import { importanceRollout } from '../model/paths.js';
import { MAX_JITTER, type ShapeChoice } from './jitter-search.js';
import { estimateRareEvents, type RareRunOptions } from './rare.js';
import { TrialPool } from './trial-pool.js';
import { UserError } from '../scenario/errors.js';

/** One-sided 95% normal quantile: an estimate is proven below a target when est (1 + 1.645 RE) is. */
const Z_ONE_SIDED = 1.6448536269514722;

/** The recipe's rollout a model describes; else a one-line UserError naming `where` and the condition that fails. */
export function rolloutOrRefuse(m: ModelConfig, where: string): RareTask['rollout'] {
  const plan = importanceRollout(m);
  if ('why' in plan) throw new UserError(`${where}: --method importance needs the recipe's rollout (each SecretSync's GETs at one instant after a uniform jitter, one vault, no retries), but ${plan.why}`);
  return plan.rollout;
}

export interface RareShapeAnswer {
  shape: ShapeChoice;
  /** The least whole jitterSeconds proven (NaN: none up to MAX_JITTER). */
  jitterSeconds: number;
  /** The estimate at that jitter, and at one second less (the cliff, from rollouts that did not choose it; null at 1 s). */
  at: RareEstimate | null;
  below: RareEstimate | null;
}

/** A look's estimate in a progress line: the value +- its relative error, or why it was refused. */
function describe(e: RareEstimate): string {
  return e.refused ? `refused (${e.refused}), bound ${e.bound.toExponential(2)}` : `${e.estimate.toExponential(2)} +- ${(100 * e.relativeError).toFixed(1)}%`;
}

/** Whether an estimate proves P below the target: its one-sided 95% bound, or the cover's summed probability (exact) where that is below it. */
export function provenBelow(e: RareEstimate, target: number): boolean {
  if (e.bound < target) return true;
  if (e.refused) return false;
  return e.estimate * (1 + Z_ONE_SIDED * e.relativeError) < target;
}

/**
 * Per limiter shape, the least whole jitterSeconds whose throttling probability importance
 * sampling proves below `target`, for the recipe rollout of `base` (rolloutOrRefuse): doubling from `start` until proven, then bisection (the
 * probability falls as the jitter grows). Each look is `trials` weighted rollouts.
 */
export async function recommendByImportance(rollout: RareTask['rollout'], base: ModelConfig, shapes: readonly ShapeChoice[], start: number, target: number, trials: number, seed: number | string, options: Omit<RareRunOptions, 'progress' | 'pool'> & { report?: (line: string) => void } = {}): Promise<RareShapeAnswer[]> {
  const pool = new TrialPool(options.workers, undefined, 'auto', options.stallSeconds);
  try {
    return await searchShapes(rollout, base, shapes, start, target, trials, seed, pool, options.report);
  } finally {
    await pool.destroy();
  }
}

async function searchShapes(rollout: RareTask['rollout'], base: ModelConfig, shapes: readonly ShapeChoice[], start: number, target: number, trials: number, seed: number | string, pool: TrialPool, report?: (line: string) => void): Promise<RareShapeAnswer[]> {
  const answers: RareShapeAnswer[] = [];
  for (const shape of shapes) {
    const limiter = (shape === 'scenario' ? base : withLimiterShape(base, shape)).vaults[0].limiter;
    const looked = new Map<number, RareEstimate>();
    const look = async (jitter: number): Promise<RareEstimate> => {
      let e = looked.get(jitter);
      if (!e) {
        const question = { rollout: { ...rollout, jitterSeconds: jitter }, estimand: { kind: 'throttledTrial' as const, limiter } };
        // A cover whose summed probability is already below the target proves it without a
        // draw (far from the answer, the costliest looks): a batch of no rollouts gives that sum
        // (NaN when it depends on a phase drawn per rollout).
        const [{ union }] = await pool.rare([{ kind: 'rare', ...question, seed, batch: 0, trials: 0 }]);
        if (union < target) e = { estimate: NaN, clipped: false, relativeError: NaN, effectiveTrials: 0, largestShare: NaN, trials: 0, bound: union, refused: `not sampled: the cover's summed probability ${union.toExponential(2)} is below the target` };
        else [e] = await estimateRareEvents([question], trials, seed, { pool, progress: false });
        looked.set(jitter, e);
        report?.(`${shape}: J = ${jitter} s: ${e.trials === 0 ? `below the target by the cover's summed probability, ${e.bound.toExponential(2)}` : describe(e)}`);
      }
      return e;
    };
    let lo = 0;
    let hi = Math.max(1, Math.round(start));
    while (hi <= MAX_JITTER && !provenBelow(await look(hi), target)) [lo, hi] = [hi, hi * 2];
    if (hi > MAX_JITTER) {
      answers.push({ shape, jitterSeconds: NaN, at: null, below: null });
      continue;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (provenBelow(await look(mid), target)) hi = mid;
      else lo = mid;
    }
    // One second less was chosen because its look was not proven (its rollouts came out high):
    // it is estimated again from rollouts of another seed, which did not choose it.
    let below: RareEstimate | null = null;
    if (hi > 1) {
      const question = { rollout: { ...rollout, jitterSeconds: hi - 1 }, estimand: { kind: 'throttledTrial' as const, limiter } };
      [below] = await estimateRareEvents([question], trials, `${seed}/cliff`, { pool, progress: false });
      report?.(`${shape}: J = ${hi - 1} s, fresh rollouts: ${describe(below)}`);
    }
    answers.push({ shape, jitterSeconds: hi, at: await look(hi), below });
  }
  return answers;
}
