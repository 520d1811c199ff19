import type { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import type { ClusterModel } from './cluster-model.js';
import { oneInstant, quietWalkBlocker } from './paths.js';

/**
 * The independent driver: each cluster alone in a small event loop, from t = 0 to the horizon,
 * as if the vault accepted every GET that reaches it (outages still fail them); its sends go to
 * the collector's log. Until a vault would have rejected something, a cluster's history depends
 * on its own stream and the fleet events alone, so when the optimistic check then finds no rejection
 * this trial is exactly the coupled driver's (see FleetTrial). A run of quiet clusters of one
 * group that no fleet action names goes to the quiet walk in one call (paths.ts, wasm/walk.ts);
 * every other cluster runs the cluster model in its own event loop. It always runs to the
 * horizon, even where the optimistic check already knows a vault would have rejected something:
 * the whole history with every GET accepted is what the limiter shapes' check replays.
 */
export function runIndependent(model: ClusterModel, collector: TrialCollector, streams: TrialStreams): void {
  const { layout, actions, config } = model;
  // Per action, the next of its clusters (they are in id order) not yet reached.
  const cursor = new Int32Array(actions.length);
  const outages = actions.some((a) => a.kind === 'outage-start');
  const quiet = config.fleet.map((g) => quietWalkBlocker(g, model.staleness.rotations.count) === null);
  /** Whether action i names cluster c, once the cursors have reached c. */
  const names = (i: number, c: number): boolean => {
    const a = actions[i];
    if (a.kind === 'outage-start' || a.kind === 'outage-end') return layout.clusterUses(c, a.vaults);
    return cursor[i] < a.clusters.length && a.clusters[cursor[i]] === c;
  };
  /** Moves action i's cursor to its first cluster from c on; returns that cluster (Infinity: none). */
  const advance = (i: number, c: number): number => {
    const ids = actions[i].clusters;
    let k = cursor[i];
    while (k < ids.length && ids[k] < c) k++;
    cursor[i] = k;
    return k < ids.length ? ids[k] : Infinity;
  };
  /** Moves every action's cursor up to cluster c; whether some action names c. */
  const named = (c: number): boolean => {
    if (actions.length === 0) return false;
    let any = false;
    for (let i = 0; i < actions.length; i++) {
      advance(i, c);
      if (names(i, c)) any = true;
    }
    return any;
  };
  /**
   * The first cluster of [c, limit) that some action names, limit when none (the cursors moved
   * up to c): the end of a run of quiet clusters found without asking cluster by cluster, but
   * for an outage, which names every cluster of its vaults.
   */
  const nextNamed = (c: number, limit: number): number => {
    if (outages) {
      let e = c;
      while (e < limit && !named(e)) e++;
      return e;
    }
    let first = limit;
    for (let i = 0; i < actions.length; i++) first = Math.min(first, advance(i, c));
    return first;
  };
  /** The actions that name the cluster at hand (reused). */
  const its: number[] = [];
  let c = 0;
  while (c < layout.clusters) {
    const g = layout.clusterGroup[c];
    if (!named(c) && quiet[g]) {
      // A run of quiet clusters of one group that no action names: the fast path. A group's
      // clusters have consecutive ids.
      const ids = layout.groupClusters[g];
      const end = nextNamed(c + 1, ids[ids.length - 1] + 1);
      model.walkClusters(c, end, streams.seedWord, streams.trialWord, oneInstant(config.fleet[g], config));
      c = end;
      continue;
    }
    its.length = 0;
    for (let i = 0; i < actions.length; i++) if (names(i, c)) its.push(i);
    model.runCluster(c, streams.seedWord, streams.trialWord, its, outages);
    model.staleness.stillStale(layout.clusterFirstSync[c], layout.clusterFirstSync[c] + layout.clusterSyncCount[c], collector);
    c++;
  }
}
