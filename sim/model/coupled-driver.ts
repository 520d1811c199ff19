import type { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import type { ClusterModel } from './cluster-model.js';

/** What the model tells the coupled driver's calendar about its workload, so that it can size its buckets. */
export interface LoadHint {
  /** Events per simulated second at the busiest stretch the model expects (0: unknown). */
  eventsPerSecond: number;
  /** About how many events are pending at once. */
  pending: number;
}

/**
 * The coupled driver: the whole fleet in one event loop, every GET answered by the vault
 * limiters as it is sent, other applications' load included. Exact in every trial, throttled or
 * not; the reference the independent driver is checked against. `load` sizes the loop's calendar.
 */
export function runCoupled(model: ClusterModel, collector: TrialCollector, streams: TrialStreams, load: LoadHint): void {
  const { layout, gateway } = model;
  const first = new Float64Array(gateway.vaults);
  for (let v = 0; v < gateway.vaults; v++) {
    const rate = gateway.backgroundRate[v];
    first[v] = rate > 0 ? model.vaultStreams[v].exponential(rate) : Infinity;
  }
  const horizon = model.config.horizon;
  // About six events a bucket, at most 1 s and at most a million buckets (any width pops the same order).
  const width = load.eventsPerSecond > 0 ? Math.min(1, Math.max(6 / load.eventsPerSecond, horizon / 1e6)) : Math.max(1, horizon / 1e6);
  model.runFleet(streams.seedWord, streams.trialWord, first, horizon, width, load.pending + 64);
  model.staleness.stillStale(0, layout.syncs, collector);
}
