import type { TrialStreams } from '../engine/random.js';
import type { ClusterModel } from './cluster-model.js';
import { oneInstant, quietWalkBlocker } from './paths.js';

/**
 * The independent driver's fast path for a quiet cluster: one that meets no fleet event (no
 * edit after the start, restart, outage or rotation), has one worker and per-SecretSync poll
 * timers. Every GET it sends is accepted (the independent driver's premise), so nothing can fail
 * and its history is only: the start (a rollout's jitters or a steady fleet's first phases,
 * drawn in SecretSync order), considerations in (time, scheduling) order, one worker taking them
 * first come first served, each object's GET one after another with its latency drawn as it is
 * sent, and at each reconcile's end the next poll with its jitter drawn then.
 *
 * The walk is the cluster model's own specialisation (sim/model/wasm/walk.ts, in the model's
 * module): the same draws from the cluster's stream in the same order, recorded as the model
 * records, with everything a quiet cluster can never meet left out, so that a trial's bytes are
 * the same as through the model's events (test/quiet-walk.test.ts compares the two on random
 * fleets; test/engines.test.ts runs every scenario both ways). It keeps no state in the
 * SecretSync table: a quiet cluster's rows are never read.
 */
export class QuietWalk {
  /** Clusters run so far (a count for tests and benchmarks). */
  runs = 0;

  constructor(private readonly model: ClusterModel) {}

  /** Whether the clusters of group g may take the fast path, given that no fleet action names them. */
  quietGroup(g: number): boolean {
    const { config, staleness } = this.model;
    return quietWalkBlocker(config.fleet[g], staleness.rotations.count) === null;
  }

  /** Clusters [from, to) of one quiet group, each from t = 0 to the horizon with its own stream. */
  runClusters(from: number, to: number, streams: TrialStreams): void {
    const { model } = this;
    const g = model.layout.clusterGroup[from];
    model.walkClusters(from, to, streams.seedWord, streams.trialWord, oneInstant(model.config.fleet[g], model.config));
    this.runs += to - from;
  }
}
