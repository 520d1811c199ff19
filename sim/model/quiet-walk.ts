import type { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { Outcome } from '../metrics/trial-record.js';
import type { ClusterModel } from './cluster-model.js';
import { oneInstant, quietWalkBlocker } from './paths.js';
import { FIRST_ROOM, WasmWalk } from './wasm-walk.js';

/**
 * The independent driver's fast path for a quiet cluster: one that meets no fleet event (no
 * edit after the start, restart, outage or rotation), has one worker and per-SecretSync poll
 * timers. Every GET it sends is accepted (the independent driver's premise), so nothing can fail
 * and its history is only: the start (a rollout's jitters or a steady fleet's first phases,
 * drawn in SecretSync order), considerations in (time, scheduling) order, one worker taking them
 * first come first served, each object's GET one after another with its latency drawn as it is
 * sent, and at each reconcile's end the next poll with its jitter drawn then.
 *
 * The walk itself is WebAssembly (sim/model/wasm/walk.ts, compiled from AssemblyScript by the
 * build): the rules of cluster-model.ts and reconcile.ts with everything a quiet cluster can
 * never meet left out, the same draws from the cluster's stream in the same order and the same
 * records, so that a trial's bytes are the same as through the cluster model
 * (test/quiet-walk.test.ts compares the two on random fleets; test/engines.test.ts runs
 * every scenario both ways). It keeps no state in the SecretSync table: a quiet cluster's table
 * rows are never read. Here: a run of clusters of one group in one call, the walk's records
 * copied into the send log as its output fills, the outcomes and the convergence summed over
 * the run.
 */
export class QuietWalk {
  private readonly walk: WasmWalk;
  /** Clusters run so far (a count for tests and benchmarks). */
  runs = 0;

  constructor(private readonly model: ClusterModel, maxSyncs: number) {
    const { layout } = model;
    this.walk = new WasmWalk(layout.syncVault, layout.clusterFirstSync, maxSyncs);
  }

  /** Whether the clusters of group g may take the fast path, given that no fleet action names them. */
  quietGroup(g: number): boolean {
    const { config, staleness } = this.model;
    return quietWalkBlocker(config.fleet[g], staleness.rotations.count) === null;
  }

  /**
   * Clusters [from, to) of one quiet group, each from t = 0 to the horizon with its own stream:
   * their sends recorded in `collector`.
   */
  runClusters(from: number, to: number, horizon: number, collector: TrialCollector, streams: TrialStreams): void {
    const { model, walk } = this;
    const { layout } = model;
    const log = collector.sends;
    const g = layout.clusterGroup[from];
    walk.group(
      layout.clusterSyncCount[from], horizon, layout.jitterSeconds[g], layout.pollInterval[g], layout.objectsPerSync[g],
      layout.latencyMu[g], layout.latencySigma[g], model.config.start === 'rollout', streams.seedWord, streams.trialWord,
      oneInstant(model.config.fleet[g], model.config),
    );
    for (let c = from; c < to; ) c = walk.walkInto(log, c, to, RECORDS_PER_CALL);
    this.runs += to - from;
    const forced = walk.forced;
    if (forced > 0) model.convergence.succeededMany(forced, walk.lastForced);
    collector.fetchesNeeded(walk.started * layout.objectsPerSync[g]);
    collector.outcomes(Outcome.ValueChangeOrForce, forced);
    collector.outcomes(Outcome.NoValueChange, walk.finished - forced);
  }
}

/** Whole clusters per call of the walk until at least this many records: a quarter of its output's first room, which a cluster's records then rarely outgrow. */
const RECORDS_PER_CALL = FIRST_ROOM / 4;
