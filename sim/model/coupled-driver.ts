import type { EventLoop } from '../engine/event-loop.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { ALL_CLUSTERS, type ClusterModel } from './cluster-model.js';
import { EventKind } from './event-kinds.js';

/**
 * The coupled driver: the whole fleet in one event loop, every GET answered by the vault
 * limiters as it is sent, other applications' load included. Exact in every trial, throttled or
 * not; the reference the independent driver is checked against.
 */
export function runCoupled(model: ClusterModel, loop: EventLoop, collector: TrialCollector): void {
  const { layout, gateway } = model;
  loop.reset();
  model.loop = loop;
  gateway.coupled = true;
  // Fleet events first: at the same instant, an event (an outage at 0) comes before requests.
  model.actions.forEach((a, i) => loop.schedule(a.time, (i << 3) | EventKind.Action, ALL_CLUSTERS));
  for (let c = 0; c < layout.clusters; c++) model.startRollout(c);
  for (let c = 0; c < layout.clusters; c++) model.startSteady(c);
  for (let c = 0; c < layout.clusters; c++) model.startTicker(c);
  for (let v = 0; v < gateway.vaults; v++) {
    const rate = gateway.backgroundRate[v];
    if (rate > 0) loop.schedule(model.vaultStreams[v].exponential(rate), (v << 3) | EventKind.Background, 0);
  }
  loop.run(model);
  model.staleness.stillStale(0, layout.syncs, collector);
}
