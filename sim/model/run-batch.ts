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
