import { RandomStream } from '../engine/random.js';
import type { RareSums } from '../metrics/rare-estimate.js';
import { TrialCollector } from '../metrics/trial-collector.js';
import { SCOPE_METRICS, TRIAL_METRICS, type TrialBatch } from '../metrics/trial-record.js';
import { limitPer10s, type EngineChoice, type ModelConfig, type RareTask } from './config.js';
import { FleetTrial } from './fleet-trial.js';
import { firstOutage } from './fleet-events.js';
import { sampleRare, secondsOver, throttled, type Cover, type RolloutEvent } from './rare-events.js';
import { refreshWindow } from './refresh-window.js';

/** Data in, data out: trials [from, to) of one point, each with its own random stream. */
export function runTrialBatch(
  model: ModelConfig,
  seed: number | string,
  point: number,
  from: number,
  to: number,
  engine: EngineChoice = 'auto',
): TrialBatch {
  const trial = new FleetTrial(model, seed);
  const window = refreshWindow(model);
  const collector = new TrialCollector({
    horizon: model.horizon,
    bin: model.metrics.timeseriesBin,
    refreshStart: window.start,
    refreshWidth: window.width,
    perSecondLimit: model.metrics.perSecondLimit,
    outageEnd: firstOutage(model.events).end,
    // Two polls' worth of GETs per SecretSync's objects.
    expectedSends: 2 * model.fleet.reduce((n, g) => n + g.clusters * g.secretSyncs * g.objectsPerSync, 0),
    vaults: model.vaults.length,
    scopeLimits: [...model.vaults.map((v) => limitPer10s(v.limiter)), model.subscription ? limitPer10s(model.subscription) : NaN],
    vaultSeries: model.vaults.length > 1,
  });
  const n = to - from;
  const metrics = new Float64Array(n * TRIAL_METRICS.length);
  const series = new Uint32Array(n * 2 * collector.bins);
  const scopes = new Float64Array(n * (model.vaults.length + 1) * SCOPE_METRICS.length);
  const vaultSeries = new Uint32Array(model.vaults.length > 1 ? n * model.vaults.length * 2 * collector.bins : 0);
  for (let i = 0; i < n; i++) {
    collector.reset();
    trial.run(from + i, collector, engine);
    collector.finish(metrics, series, i, scopes, vaultSeries);
  }
  return { point, from, to, metrics, series, bins: collector.bins, scopes, vaultSeries, coupled: trial.coupledTrials, quietClusters: trial.quietClusters };
}

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
