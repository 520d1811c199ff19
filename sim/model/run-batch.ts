import { TrialCollector } from '../metrics/trial-collector.js';
import { SCOPE_METRICS, TRIAL_METRICS, type TrialBatch } from '../metrics/trial-record.js';
import { limitPer10s, type EngineChoice, type ModelConfig } from './config.js';
import { FleetTrial } from './fleet-trial.js';
import { firstOutage } from './fleet-events.js';
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
  const { trial, collector } = pointState(model, seed);
  const coupledBefore = trial.coupledTrials;
  const quietBefore = trial.quietClusters;
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
  return {
    point, from, to, metrics, series, bins: collector.bins, scopes, vaultSeries,
    coupled: trial.coupledTrials - coupledBefore, quietClusters: trial.quietClusters - quietBefore,
  };
}

/**
 * The fleet trial and collector of the last point this thread ran, kept for its next batch: a
 * point's state (its tables, the send log, the model's module instance) costs many short trials
 * to build (docs/performance.md, "Start-up costs"). Trials only reset it, so a batch gives the
 * same records whichever batches ran before it (the determinism tests split runs into batches).
 */
let kept: PointState | null = null;

interface PointState {
  /** The seed and the model as text: equal for trials that run the same. */
  key: string;
  trial: FleetTrial;
  collector: TrialCollector;
}

function pointState(model: ModelConfig, seed: number | string): PointState {
  // Non-finite numbers and -0 spelled out (JSON writes them as null and 0).
  const key = JSON.stringify([seed, model], (_, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? '-0' : v}` : v));
  if (kept?.key === key) return kept;
  kept = null; // the old point's state can go before the new one's is built
  // A copy: the caller may change its model object later (the key is taken anew each batch).
  const own = structuredClone(model);
  return (kept = { key, trial: new FleetTrial(own, seed), collector: newCollector(own) });
}

function newCollector(model: ModelConfig): TrialCollector {
  const window = refreshWindow(model);
  return new TrialCollector({
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
}
