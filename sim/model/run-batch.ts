import { TrialCollector } from '../metrics/trial-collector.js';
import { TRIAL_METRICS, type TrialBatch } from '../metrics/trial-record.js';
import type { EngineChoice, ModelConfig } from './config.js';
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
  });
  const n = to - from;
  const metrics = new Float64Array(n * TRIAL_METRICS.length);
  const series = new Uint32Array(n * 2 * collector.bins);
  for (let i = 0; i < n; i++) {
    collector.reset();
    trial.run(from + i, collector, engine);
    collector.finish(metrics, series, i);
  }
  return { point, from, to, metrics, series, bins: collector.bins, coupled: trial.coupledTrials };
}
