// AssemblyScript, part of the cluster model's module (cluster.ts): the quiet walk, the model's
// specialisation for a quiet cluster (paths.ts): one that meets no fleet event (no edit after the
// start, restart, outage or rotation), has one worker and per-SecretSync poll timers. Every GET it
// sends is accepted (the independent driver's premise), so nothing can fail and its history is
// only: the start (a rollout's jitters or a steady fleet's first phases, drawn in SecretSync
// order), considerations in (time, scheduling) order, one worker taking them first come first
// served, each object's GET one after another with its latency drawn as it is sent, and at each
// reconcile's end the next poll with its jitter drawn then. Its draws are the cluster's stream's
// (stream-core.ts) in the model's order, its pending polls in the model's heap (event-heap.ts),
// its sends, outcomes and convergence recorded by the model's record, outcome, converge: what a
// trial records is the same as through the model's events (test/quiet-walk.test.ts,
// test/engines.test.ts). It keeps no state in the SecretSync table, and allocates nothing.

import { firstUniformsFour, lognormal, seedKeyedFour, stationaryResidual, takeLane, uniformBelow } from '../../engine/wasm/stream-core';
import { allocate } from '../../engine/wasm/blocks';
import { heapClear, heapPeekTime, heapPop, heapPush, POPPED_A } from '../../engine/wasm/event-heap';
import { clusterWords, converge, convergeMany, countOf, firstOf, groupOf, heap, horizon, i32Of, maxSyncs, needFetches, NO_VALUE_CHANGE, outcome, outcomes, record, rolloutStart, sent, setI32Of, streamsLeft, syncVault, VALUE_CHANGE_OR_FORCE } from './cluster';

/**
 * The first of the four clusters whose streams the lanes hold (stream-core.ts's seedKeyedFour),
 * for seedCluster (-1: none since `walkGroup`). walkInstants overwrites the lanes without it: a
 * group's walks all take the shortcut or none does (`instant` is set by `walkGroup`), and the
 * next group starts from -1.
 */
let seeded: i32 = -1;
/** The one-instant walk's four draws. */
const draws: usize = memory.data(32, 16);

// The scratch of one cluster: the start's considerations in time order, each SecretSync's edit
// not yet applied; for clusters of up to `room` SecretSyncs.
let startAt: usize = 0;
let startId: usize = 0;
let edited: usize = 0;
let room: i32 = 0;

// The group's settings (the model's), set by `walkGroup`.
let syncs: i32 = 0;
let jitter: f64 = 0;
let poll: f64 = 0;
let objects: i32 = 0;
let mu: f64 = 0;
let sigma: f64 = 0;
let seedHash: i32 = 0;
let trialWord: i32 = 0;
/** A cluster of the group is one instant (paths.ts's oneInstant): a jitter draw and at most one record. */
let instant: bool = false;

/** A run of clusters of the group of cluster c from here on (seed and trial name the streams, cluster.ts's seedCluster). */
export function walkGroup(c: i32, seed: i32, trial: i32, oneInstant: bool): void {
  syncs = countOf(c);
  const g = groupOf(c);
  jitter = g.jitter;
  poll = g.poll;
  objects = g.objects;
  mu = g.mu;
  sigma = g.sigma;
  seedHash = seed;
  trialWord = trial;
  instant = oneInstant;
  seeded = -1;
  streamsLeft();
  if (maxSyncs > room) {
    room = maxSyncs;
    startAt = allocate(<usize>room << 3);
    startId = allocate(<usize>room << 2);
    edited = allocate(<usize>room);
  }
}

/** The streams of clusters c .. c + 3 into `lanes` (words past the fleet's last cluster are whatever memory holds there: their lanes are never read). */
@inline function seedFour(c: i32): void {
  seedKeyedFour(seedHash, i32x4.splat(trialWord), v128.load(clusterWords + (<usize>c << 2)));
}

/** Cluster c's stream (its block of four seeded once a group: the general walk goes cluster by cluster). */
@inline function seedCluster(c: i32): void {
  const block = c & ~3;
  if (block != seeded) {
    seedFour(block);
    seeded = block;
  }
  takeLane(c & 3);
}

// Element i of the array of f64s or i32s at byte offset `base`.
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function setF64(base: usize, i: i32, x: f64): void {
  store<f64>(base + (<usize>i << 3), x);
}

/**
 * Walks clusters from `from` on (of the group set by `walkGroup`), each from t = 0 to the
 * horizon, until `to` or until the model holds at least `enough` sends (after a whole cluster).
 * Returns the cluster after the last one walked.
 */
export function walk(from: i32, to: i32, enough: i32): i32 {
  if (instant) return walkInstants(from, to, enough);
  const n = syncs;
  let c = from;
  while (c < to) {
    seedCluster(c);
    const first = firstOf(c);
    heapClear(heap);
    // Insertion sort as they are drawn: equal times keep index order.
    let starts = 0;
    for (let i = 0; i < n; i++) {
      store<u8>(edited + <usize>i, rolloutStart ? 1 : 0);
      const t = rolloutStart ? uniformBelow(jitter) : stationaryResidual(poll, jitter);
      if (t > horizon) continue;
      let j = starts++;
      while (j > 0 && f64At(startAt, j - 1) > t) {
        setF64(startAt, j, f64At(startAt, j - 1));
        setI32Of(startId, j, i32Of(startId, j - 1));
        j--;
      }
      setF64(startAt, j, t);
      setI32Of(startId, j, i);
    }
    let nextStart = 0;
    // The worker serves considerations in (time, scheduling) order, each as soon as it is free:
    // a reconcile starts at max(consideration, end of the one before). A consideration is always
    // scheduled before its time comes (a next poll lies a poll interval ahead), so taking the
    // earliest pending one at each step is the event loop's order, ties included (one that comes
    // as the worker frees was scheduled first and queued, so it is served next either way).
    let free: f64 = 0;
    for (;;) {
      // The earliest consideration; at equal times the start's, scheduled before any other.
      const startWake = nextStart < starts ? f64At(startAt, nextStart) : Infinity;
      const laterWake = heapPeekTime(heap);
      let s: i32;
      let t: f64;
      if (startWake <= laterWake) {
        if (startWake == Infinity) break;
        s = i32Of(startId, nextStart);
        nextStart++;
        t = startWake;
      } else {
        heapPop(heap);
        s = load<i32>(heap, POPPED_A);
        t = laterWake;
      }
      if (free > t) t = free;
      // A reconcile of s starts at t: its objects' GETs one after another, each sent as the
      // answer to the one before comes.
      needFetches(objects);
      const v = i32Of(syncVault, first + s);
      if (sigma < 0) {
        // Latency 0: every object's GET at this instant.
        record(t, v, objects);
      } else {
        for (let k = 0; k < objects && t <= horizon; k++) {
          record(t, v, 1);
          t += lognormal(mu, sigma);
        }
        // An answer after the horizon never comes: the worker stays busy to the end.
        if (t > horizon) break;
      }
      // The reconcile succeeded: its status, the edit applied, the next poll.
      if (load<u8>(edited + <usize>s) != 0) {
        outcome(VALUE_CHANGE_OR_FORCE);
        converge(t);
        store<u8>(edited + <usize>s, 0);
      } else {
        outcome(NO_VALUE_CHANGE);
      }
      free = t;
      // With latency 0 no later draw of this cluster decides anything once a next poll falls
      // past the horizon (every later reconcile's would too): the draw is left out.
      if (sigma < 0 && t + poll > horizon) continue;
      const at = t + poll + uniformBelow(jitter);
      if (at <= horizon) heapPush(heap, at, s, 0);
    }
    c++;
    if (sent >= enough) break;
  }
  return c;
}

/**
 * `walk` for clusters that are one instant (see `instant`): the same draws and records as the
 * general walk, which for such a cluster draws its one SecretSync's jitter, sends its objects'
 * GETs at that time (if within the horizon) as one record, applies the edit and leaves the next
 * poll's draw out (it falls past the horizon).
 */
function walkInstants(from: i32, to: i32, enough: i32): i32 {
  const h = horizon;
  const o = objects;
  // What each cluster records but its send, counted here and recorded once: a few nanoseconds a cluster.
  let n = 0;
  let last = -Infinity;
  let c = from;
  let more = true;
  while (more && c < to) {
    // Four clusters' jitter draws (uniformBelow's, lane by lane), then each cluster in turn.
    seedFour(c);
    if (jitter > 0) {
      firstUniformsFour(jitter, draws);
    } else {
      v128.store(draws, f64x2.splat(0));
      v128.store(draws, f64x2.splat(0), 16);
    }
    const four = min(4, to - c);
    for (let k = 0; k < four; k++) {
      const t = f64At(draws, k);
      c++;
      if (t > h) continue;
      record(t, i32Of(syncVault, firstOf(c - 1)), o);
      n++;
      if (t > last) last = t;
      if (sent >= enough) {
        more = false;
        break;
      }
    }
  }
  // Each sent cluster's one reconcile: its fetches, its outcome, the edit applied.
  needFetches(n * o);
  outcomes(VALUE_CHANGE_OR_FORCE, n);
  convergeMany(n, last);
  return c;
}
