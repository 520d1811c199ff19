import type { RandomStream } from '../engine/random.js';
import type { ClusterSelection, FleetEventConfig } from './config.js';
import type { FleetLayout } from './fleet-layout.js';

export type ActionKind = 'rollout' | 'restart';

/** One timed change to a set of clusters: a rollout wave, or a controller restart. */
export interface FleetAction {
  kind: ActionKind;
  time: number;
  clusters: Int32Array;
  /** Index of the scenario event this action comes from. */
  event: number;
}

/** The clusters a selection names, in id order; a share is drawn afresh in each trial. */
export function selectClusters(sel: ClusterSelection, layout: FleetLayout, rng: RandomStream): Int32Array {
  if ('group' in sel) {
    const g = layout.groups.findIndex((x) => x.name === sel.group);
    return layout.groupClusters[g];
  }
  const n = layout.clusters;
  const k = Math.round(sel.share * n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  if (k === n) return ids;
  // Partial Fisher-Yates: the first k slots become a uniform random subset.
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const x = ids[i];
    ids[i] = ids[j];
    ids[j] = x;
  }
  return ids.subarray(0, k).sort();
}

/** The scenario's timed events as actions for one trial; rollouts split into their waves. */
export function expandEvents(events: FleetEventConfig[], layout: FleetLayout, rng: RandomStream): FleetAction[] {
  const actions: FleetAction[] = [];
  events.forEach((e, event) => {
    const clusters = selectClusters(e.clusters, layout, rng);
    if (e.kind === 'restart') {
      actions.push({ kind: 'restart', time: e.at, clusters, event });
      return;
    }
    for (let w = 0; w < e.waves; w++) {
      const from = Math.floor((w * clusters.length) / e.waves);
      const to = Math.floor(((w + 1) * clusters.length) / e.waves);
      actions.push({ kind: 'rollout', time: e.at + (w * e.over) / e.waves, clusters: clusters.subarray(from, to), event });
    }
  });
  return actions;
}
