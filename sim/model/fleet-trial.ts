import { EventLoop } from '../engine/event-loop.js';
import { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { ClusterModel } from './cluster-model.js';
import type { ModelConfig } from './config.js';
import { runCoupled } from './coupled-driver.js';
import { expandEvents } from './fleet-events.js';
import { RotationPlan } from './rotation-plan.js';

/** Which driver runs a trial: `auto` tries the independent one first; `coupled` always the coupled one. */
export type EngineChoice = 'auto' | 'coupled';
export const ENGINES: readonly EngineChoice[] = ['auto', 'coupled'];

/**
 * One point's trials: the cluster model, its drivers and its random streams, allocated once and
 * reset per trial. Trial i draws from streams derived from (seed, i) alone.
 */
export class FleetTrial {
  readonly model: ClusterModel;
  private readonly streams: TrialStreams;
  private readonly fleetLoop: EventLoop;
  /** Trials the coupled driver ran (all of them with --engine coupled). */
  coupledTrials = 0;

  constructor(readonly config: ModelConfig, seed: number | string, point: number) {
    const model = (this.model = new ClusterModel(config));
    this.streams = new TrialStreams(seed, point, model.layout.clusters, config.vaults.length);
    this.fleetLoop = new EventLoop(config.horizon, fleetLoad(config));
  }

  /** Runs trial `trial` to the horizon, recording into `col` (already reset). */
  run(trial: number, col: TrialCollector, engine: EngineChoice): void {
    this.begin(trial, col);
    this.coupledTrials++;
    runCoupled(this.model, this.fleetLoop, col);
  }

  /** Every piece of state as at the start of trial `trial`. */
  private begin(trial: number, col: TrialCollector): void {
    const { model, streams, config } = this;
    const { layout } = model;
    streams.forTrial(trial);
    model.col = col;
    model.streams = streams.clusters;
    model.vaultStreams = streams.vaults;
    model.gateway.resetLimiters(streams.vaults, streams.subscription);
    model.gateway.resetOutages();
    model.table.reset();
    model.queues.reset();
    model.convergence.reset();
    model.recovery.reset();
    model.actions = expandEvents(config.events, layout, streams.trial);
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
function fleetLoad(config: ModelConfig): { eventsPerSecond: number; pending: number } {
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
