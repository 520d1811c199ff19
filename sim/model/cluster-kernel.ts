import { EventQueue } from '../engine/event-queue.js';
import { RandomStream, type TrialStreams } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { Outcome } from '../metrics/trial-record.js';
import { jitterDelay, type ClusterModel } from './cluster-model.js';
import { steadyResidual } from './initial-phases.js';
import type { VaultCheck } from './vault-check.js';

/**
 * The independent driver's fast path for a quiet cluster: one that meets no fleet event (no
 * edit after the start, restart, outage or rotation), has one worker and per-SecretSync poll
 * timers. Every GET it sends is accepted (the independent driver's premise), so nothing can fail
 * and its history is only: the start (a rollout's jitters or a steady fleet's first phases,
 * drawn in SecretSync order), considerations in (time, scheduling) order, one worker taking them
 * first come first served, each object's GET one after another with its latency drawn as it is
 * sent, and at each reconcile's end the next poll with its jitter drawn then.
 *
 * These are the rules of cluster-model.ts and reconcile.ts, with everything a quiet cluster can
 * never meet left out: the same draws from the cluster's stream in the same order, the same
 * records in the same order, so a trial's bytes are the same as through the cluster model
 * (test/cluster-kernel.test.ts compares the two on random fleets; test/engines.test.ts runs
 * every scenario both ways). It keeps no state in the SecretSync table: a quiet cluster's table
 * rows are never read. About a fifth of the cluster model's cost per GET.
 *
 * It takes a run of clusters of one group in one call, each seeded into one stream object as it
 * comes: the group's constants are read once, the sends written into the log's arrays directly,
 * the vault check's count taken over the new entries every few hundred, the outcomes and the
 * convergence summed over the run (a call per GET or per cluster cost more than the walk).
 */
export class ClusterKernel {
  /**
   * The start's considerations, sorted by (time, SecretSync index): they were scheduled first,
   * in index order. Later ones (the next polls) wait in `wakes`, in (time, scheduling order).
   */
  private readonly startAt: Float64Array;
  private readonly startId: Int32Array;
  private readonly wakes: EventQueue;
  /** Per SecretSync: edited by the start's rollout and not yet applied (then forced, and awaited). */
  private readonly edited: Uint8Array;
  /** The stream of the cluster being run (seeded as the walk takes the cluster). */
  readonly rng = new RandomStream();
  /** Clusters run so far (a count for tests and benchmarks). */
  runs = 0;

  constructor(private readonly model: ClusterModel, maxSyncs: number) {
    this.startAt = new Float64Array(maxSyncs);
    this.startId = new Int32Array(maxSyncs);
    this.wakes = new EventQueue(maxSyncs + 16);
    this.edited = new Uint8Array(maxSyncs);
  }

  /** Whether the clusters of group g may take the fast path, given that no fleet action names them. */
  quietGroup(g: number): boolean {
    const { layout, staleness } = this.model;
    return layout.maxConcurrentReconciles[g] === 1 && layout.perSyncTimers[g] === 1 && staleness.rotations.count === 0;
  }

  /**
   * Clusters [from, to) of one quiet group, each from t = 0 to the horizon with its own stream:
   * their sends recorded in `col` and counted by `check`. Returns false as soon as the check
   * finds a second no vault could accept (the rest of the trial is the coupled driver's).
   */
  runClusters(from: number, to: number, horizon: number, col: TrialCollector, check: VaultCheck, streams: TrialStreams): boolean {
    const { model, startAt, startId, wakes, edited, rng } = this;
    const { layout } = model;
    const log = col.sends;
    const g = layout.clusterGroup[from];
    const n = layout.clusterSyncCount[from];
    const jitter = layout.jitterSeconds[g];
    const poll = layout.pollInterval[g];
    const objects = layout.objectsPerSync[g];
    const mu = layout.latencyMu[g];
    const sigma = layout.latencySigma[g];
    const syncVault = layout.syncVault;
    const rollout = model.config.start === 'rollout';
    let started = 0;
    let finished = 0;
    let forced = 0;
    let lastForced = -Infinity;
    // The log's arrays, written here directly (a call per GET costs more than the walk).
    let sent = log.length;
    let times = log.times;
    let vaults = log.vaults;
    let counts = log.counts;
    let checked = sent;
    for (let c = from; c < to; c++) {
      streams.seedClusterInto(rng, c);
      const first = layout.clusterFirstSync[c];
      wakes.clear();
      // Insertion sort as they are drawn: equal times keep index order.
      let starts = 0;
      for (let i = 0; i < n; i++) {
        edited[i] = rollout ? 1 : 0;
        const t = rollout ? jitterDelay(jitter, rng) : steadyResidual(poll, jitter, rng);
        if (t > horizon) continue;
        let j = starts++;
        while (j > 0 && startAt[j - 1] > t) {
          startAt[j] = startAt[j - 1];
          startId[j] = startId[j - 1];
          j--;
        }
        startAt[j] = t;
        startId[j] = i;
      }
      let nextStart = 0;

      // The worker serves considerations in (time, scheduling) order, each as soon as it is
      // free: a reconcile starts at max(consideration, end of the one before). A consideration
      // is always scheduled before its time comes (a next poll lies a poll interval ahead), so
      // taking the earliest pending one at each step is the event loop's order, ties included
      // (one that comes as the worker frees was scheduled first and queued, so it is served
      // next either way).
      let free = 0;
      for (;;) {
        // The earliest consideration; at equal times the start's, scheduled before any other.
        const startWake = nextStart < starts ? startAt[nextStart] : Infinity;
        const laterWake = wakes.peekTime();
        let s: number;
        let t: number;
        if (startWake <= laterWake) {
          if (startWake === Infinity) break;
          s = startId[nextStart++];
          t = startWake;
        } else {
          wakes.pop();
          s = wakes.poppedA;
          t = laterWake;
        }
        if (free > t) t = free;
        // A reconcile of s starts at t: its objects' GETs one after another, each sent as the
        // answer to the one before comes.
        started++;
        const v = syncVault[first + s];
        if (sent + objects > times.length) {
          log.length = sent;
          log.reserve(objects);
          times = log.times;
          vaults = log.vaults;
          counts = log.counts;
        }
        if (sigma < 0) {
          // Latency 0: every object's GET at this instant.
          times[sent] = t;
          vaults[sent] = v;
          counts[sent++] = objects;
        } else {
          for (let k = 0; k < objects && t <= horizon; k++) {
            times[sent] = t;
            vaults[sent] = v;
            counts[sent++] = 1;
            t += rng.lognormal(mu, sigma);
          }
          // An answer after the horizon never comes: the worker stays busy to the end.
          if (t > horizon) break;
        }
        // The reconcile succeeded: its status, the edit applied, the next poll.
        finished++;
        if (edited[s]) {
          forced++;
          edited[s] = 0;
          if (t > lastForced) lastForced = t;
        }
        free = t;
        // With latency 0 no later draw of this cluster decides anything once a next poll falls
        // past the horizon (every later reconcile's would too): the draw is left out.
        if (sigma < 0 && t + poll > horizon) continue;
        const next = t + poll + jitterDelay(jitter, rng);
        if (next <= horizon) wakes.push(next, s, 0);
      }
      // The sends so far meet the vault check every few clusters: a fleet that surely throttles
      // stops early.
      if (sent - checked >= CHECK_EVERY || c === to - 1) {
        log.length = sent;
        if (!check.addLogged(log, checked)) {
          this.runs += c + 1 - from;
          return false;
        }
        checked = sent;
      }
    }
    this.runs += to - from;
    if (forced > 0) model.convergence.succeededMany(forced, lastForced);
    col.fetchesNeeded(started * objects);
    col.outcomes(Outcome.ValueChangeOrForce, forced);
    col.outcomes(Outcome.NoValueChange, finished - forced);
    return true;
  }
}

/** Log entries between two passes of the vault check's per-second count. */
const CHECK_EVERY = 256;
