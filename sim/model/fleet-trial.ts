import { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { ClusterModel } from './cluster-model.js';
import type { EngineChoice, ModelConfig } from './config.js';
import { runCoupled, type LoadHint } from './coupled-driver.js';
import { expandEvents } from './fleet-events.js';
import { runIndependent } from './independent-driver.js';
import { RotationPlan } from './rotation-plan.js';
import { ShapeCheck } from './shape-check.js';
import { OptimisticCheck } from './optimistic-check.js';

/**
 * One point's trials: the cluster model, its two drivers and its random streams, allocated once
 * and reset per trial. Trial i draws from streams named by (seed, i) alone.
 *
 * With `auto`, a trial first runs in the independent driver (each cluster alone, every GET
 * accepted). If the vault check finds that the vaults would have accepted every request, and the
 * fleet's recovery from an outage is decided, that trial is exact and final; otherwise it runs
 * again, from t = 0 with the same streams, in the coupled driver. Either way the independent
 * run's history (every GET accepted, to the horizon) goes to the limiter shapes' check first.
 */
export class FleetTrial {
  readonly model: ClusterModel;
  private readonly streams: TrialStreams;
  /** What the coupled driver's calendar should expect. */
  private readonly fleetLoad: LoadHint;
  private readonly check: OptimisticCheck;
  private readonly shapes: ShapeCheck;
  /** Trials the coupled driver ran (all of them with `coupled`). */
  coupledTrials = 0;

  /** Cluster runs that took the quiet clusters' fast path. */
  get quietClusters(): number {
    return this.model.walked;
  }

  constructor(readonly config: ModelConfig, seed: number | string) {
    const model = (this.model = new ClusterModel(config));
    this.streams = new TrialStreams(seed, config.vaults.length);
    this.fleetLoad = fleetLoad(config);
    this.check = new OptimisticCheck(model.gateway, this.streams, config.horizon);
    this.shapes = new ShapeCheck(config, this.streams, config.horizon);
  }

  /** Runs trial `trial` to the horizon, recording into `collector` (already reset). */
  run(trial: number, collector: TrialCollector, engine: EngineChoice): void {
    const { model } = this;
    // The trial with every GET accepted, to the horizon: exact if the vaults would have accepted
    // them all, and in any case what the limiter shapes' check replays.
    this.begin(trial, collector, false);
    runIndependent(model, collector, this.streams);
    const exact = engine === 'auto' && this.check.allAccepted(collector) && model.recovery.finish(collector, false);
    this.shapes.judge(collector, model.actions);
    if (exact) {
      model.convergence.finish(collector);
      collector.shapesThrottled(this.shapes.throttled, this.shapes.configured);
      return;
    }
    collector.reset();
    this.begin(trial, collector, true);
    this.coupledTrials++;
    runCoupled(model, collector, this.streams, this.fleetLoad);
    model.recovery.finish(collector, true);
    model.convergence.finish(collector);
    collector.shapesThrottled(this.shapes.throttled, this.shapes.configured);
  }

  /**
   * Every piece of state as at the start of trial `trial`, but the SecretSync table (each driver
   * resets what it uses) and, unless `clusterStreams`, the clusters' streams (the independent
   * driver seeds each as it takes the cluster).
   */
  private begin(trial: number, collector: TrialCollector, clusterStreams: boolean): void {
    const { model, streams, config } = this;
    const { layout } = model;
    streams.forTrial(trial);
    model.collector = collector;
    model.vaultStreams = streams.vaults;
    model.gateway.resetLimiters(streams.vaults, streams.subscription);
    model.gateway.resetOutages();
    model.convergence.reset();
    model.recovery.reset();
    model.startTrial(expandEvents(config.events, layout, streams.trial));
    model.staleness.rotations = new RotationPlan(config.events, layout, streams.trial);
    if (config.start === 'rollout') model.convergence.await(layout.syncs);
    for (const a of model.actions) {
      if (a.event !== model.trackedEvent) continue;
      let n = 0;
      for (let i = 0; i < a.clusters.length; i++) n += layout.clusterSyncCount[a.clusters[i]];
      model.convergence.await(n);
    }
  }
}

/**
 * What the fleet's event loop should expect: each SecretSync's consideration and its GETs'
 * answers, spread over the jitter after a rollout, or over a poll interval in a steady fleet.
 */
function fleetLoad(config: ModelConfig): LoadHint {
  const rollout = config.start === 'rollout' || config.events.some((e) => e.kind === 'rollout');
  let rate = 0;
  let syncs = 0;
  for (const g of config.fleet) {
    const spread = rollout ? Math.max(1, g.jitterSeconds) : g.rotationPollIntervalInSeconds + g.jitterSeconds / 2;
    const eventsPerSync = 1 + (g.latency === 0 ? 0 : g.objectsPerSync);
    rate += (g.clusters * g.secretSyncs * eventsPerSync) / spread;
    syncs += g.clusters * g.secretSyncs;
  }
  return { eventsPerSecond: rate, pending: syncs };
}
