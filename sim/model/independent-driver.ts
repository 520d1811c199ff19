import type { EventLoop } from '../engine/event-loop.js';
import type { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import type { ClusterKernel } from './cluster-kernel.js';
import type { ClusterModel } from './cluster-model.js';
import { EventKind } from './event-kinds.js';
import type { VaultCheck } from './vault-check.js';

/**
 * The independent driver: each cluster alone in a small event loop, from t = 0 to the horizon,
 * as if the vault accepted every GET that reaches it (outages still fail them); its sends go to
 * the collector's log. Until a vault would have rejected something, a cluster's history depends
 * on its own stream and the fleet events alone, so when the vault check then finds no rejection
 * this trial is exactly the coupled driver's (see FleetTrial). Stops early, returning false,
 * once some second holds more requests than a vault could accept.
 */
export function runIndependent(model: ClusterModel, loop: EventLoop, kernel: ClusterKernel, col: TrialCollector, check: VaultCheck, streams: TrialStreams): boolean {
  const { layout, gateway, actions } = model;
  model.loop = loop;
  gateway.coupled = false;
  // Per action, the next of its clusters (they are in id order) not yet reached.
  const cursor = new Int32Array(actions.length);
  const outages = actions.some((a) => a.kind === 'outage-start');
  for (let c = 0; c < layout.clusters; c++) {
    streams.seedCluster(c);
    loop.reset();
    if (outages) gateway.resetOutages();
    let named = false;
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i];
      if (a.kind === 'outage-start' || a.kind === 'outage-end') {
        if (layout.clusterUses(c, a.vaults)) {
          loop.schedule(a.time, (i << 3) | EventKind.Action, c);
          named = true;
        }
        continue;
      }
      const ids = a.clusters;
      let k = cursor[i];
      while (k < ids.length && ids[k] < c) k++;
      cursor[i] = k;
      if (k < ids.length && ids[k] === c) {
        loop.schedule(a.time, (i << 3) | EventKind.Action, c);
        named = true;
      }
    }
    if (!named && kernel.quiet(c)) {
      kernel.run(c, loop.horizon, col, check);
      if (check.doomed) return false;
      continue;
    }
    const first = layout.clusterFirstSync[c];
    const end = first + layout.clusterSyncCount[c];
    model.table.resetRows(first, end);
    model.startRollout(c);
    model.startSteady(c);
    model.startTicker(c);
    loop.run(model);
    model.staleness.stillStale(first, end, col);
    // The vaults would surely have throttled: the rest is the coupled driver's.
    if (check.doomed) return false;
  }
  return true;
}
