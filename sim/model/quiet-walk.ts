import type { TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { Outcome } from '../metrics/trial-record.js';
import type { ClusterModel } from './cluster-model.js';
import type { OptimisticCheck } from './optimistic-check.js';
import { oneInstant, quietWalkBlocker } from './paths.js';
import { WasmWalk } from './wasm-walk.js';

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
 * copied into the send log every few hundred and counted for the vault check (by the walk itself
 * where a count by seconds is all the check needs, handed over once a trial; a fleet that surely
 * throttles stops early), the outcomes and the convergence summed over the run.
 */
export class QuietWalk {
  private readonly walk: WasmWalk;
  /** The walk counts its GETs by seconds for the vault check (check.secondsToCount). */
  private readonly counts: boolean;
  /** The walk ran in this trial: its count is to be handed over, and cleared before the next. */
  private walked = false;
  /** Clusters run so far (a count for tests and benchmarks). */
  runs = 0;

  constructor(private readonly model: ClusterModel, maxSyncs: number, private readonly check: OptimisticCheck) {
    const { layout } = model;
    const counted = check.secondsToCount();
    this.counts = counted !== null;
    this.walk = new WasmWalk(layout.syncVault, layout.clusterFirstSync, maxSyncs, counted?.seconds ?? 0);
  }

  /** A new trial: the walk's count by seconds from 0. */
  begin(): void {
    if (this.walked) this.walk.clearSeconds();
    this.walked = false;
  }

  /** The trial's clusters are all run: the walk's count to the optimistic check. */
  submitCounts(): void {
    if (this.counts && this.walked) this.check.addSeconds(this.walk.countedSeconds());
  }

  /** Whether the clusters of group g may take the fast path, given that no fleet action names them. */
  quietGroup(g: number): boolean {
    const { config, staleness } = this.model;
    return quietWalkBlocker(config.fleet[g], staleness.rotations.count) === null;
  }

  /**
   * Clusters [from, to) of one quiet group, each from t = 0 to the horizon with its own stream:
   * their sends recorded in `collector` and counted by `check`.
   */
  runClusters(from: number, to: number, horizon: number, collector: TrialCollector, streams: TrialStreams): void {
    const { model, walk, check } = this;
    const { layout } = model;
    this.walked = true;
    const log = collector.sends;
    const g = layout.clusterGroup[from];
    walk.group(
      layout.clusterSyncCount[from], horizon, layout.jitterSeconds[g], layout.pollInterval[g], layout.objectsPerSync[g],
      layout.latencyMu[g], layout.latencySigma[g], model.config.start === 'rollout', streams.seedWord, streams.trialWord,
      oneInstant(model.config.fleet[g], model.config),
    );
    for (let c = from; c < to; ) {
      // A few hundred records at a time (whole clusters), then the optimistic check's count over
      // them, unless the walk counts them itself.
      const at = log.length;
      c = walk.walkInto(log, c, to, CHECK_EVERY);
      if (!this.counts) check.addLogged(log, at);
    }
    this.runs += to - from;
    const forced = walk.forced;
    if (forced > 0) model.convergence.succeededMany(forced, walk.lastForced);
    collector.fetchesNeeded(walk.started * layout.objectsPerSync[g]);
    collector.outcomes(Outcome.ValueChangeOrForce, forced);
    collector.outcomes(Outcome.NoValueChange, walk.finished - forced);
  }
}

/** Log entries between two passes of the vault check's per-second count. */
const CHECK_EVERY = 256;
