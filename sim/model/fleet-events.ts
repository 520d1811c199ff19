import type { RandomStream } from '../engine/random.js';
import { waveStart, type ClusterSelection, type FleetEventConfig } from './config.js';
import type { FleetLayout } from './fleet-layout.js';

export type ActionKind = 'rollout' | 'restart' | 'outage-start' | 'outage-end';

const NO_CLUSTERS: Int32Array = new Int32Array(0);

/** One timed change: a rollout wave or a controller restart on clusters, or an outage's start or end. */
export interface FleetAction {
  kind: ActionKind;
  time: number;
  /** The clusters a rollout wave or restart touches (empty for an outage). */
  clusters: Int32Array;
  /** The vaults an outage takes down (empty otherwise). */
  vaults: number[];
  /** How long a request to a vault in this outage takes to fail. */
  timeout: number;
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

/**
 * The scenario's timed events as actions for one trial: rollouts split into their waves, an
 * outage into its start and end. Rotations are not actions (see RotationPlan).
 */
export function expandEvents(events: FleetEventConfig[], layout: FleetLayout, rng: RandomStream): FleetAction[] {
  const actions: FleetAction[] = [];
  const action = (kind: ActionKind, time: number, event: number, clusters: Int32Array = NO_CLUSTERS, vaults: number[] = [], timeout = 0) =>
    actions.push({ kind, time, clusters, vaults, timeout, event });
  events.forEach((e, event) => {
    switch (e.kind) {
      case 'restart':
        action('restart', e.at, event, selectClusters(e.clusters, layout, rng));
        break;
      case 'rollout': {
        const clusters = selectClusters(e.clusters, layout, rng);
        for (let w = 0; w < e.waves; w++) {
          const from = Math.floor((w * clusters.length) / e.waves);
          const to = Math.floor(((w + 1) * clusters.length) / e.waves);
          action('rollout', waveStart(e, w), event, clusters.subarray(from, to));
        }
        break;
      }
      case 'outage':
        action('outage-start', e.at, event, NO_CLUSTERS, e.vaults, e.timeout);
        action('outage-end', e.at + e.duration, event, NO_CLUSTERS, e.vaults, e.timeout);
        break;
      case 'rotation':
        break;
    }
  });
  return actions;
}

/** The first outage event, whose recovery a trial measures: its index (-1: none) and end (NaN: none). */
export function firstOutage(events: FleetEventConfig[]): { index: number; end: number } {
  const index = events.findIndex((e) => e.kind === 'outage');
  const e = events[index];
  return { index, end: e?.kind === 'outage' ? e.at + e.duration : NaN };
}
