// AssemblyScript, compiled to WebAssembly by the build (sim/build-wasm.mjs): the quiet
// clusters' walk of quiet-walk.ts, the rules its comment states, with every draw and record
// the same as through the cluster model (test/quiet-walk.test.ts, test/engines.test.ts). The
// streams and their draws (a jitter, a steady fleet's first phase, a latency) are
// stream-core.ts's, the one implementation the cluster model also draws through; the start's
// order and the worker's are quiet-walk.ts's, in integers and doubles that WebAssembly computes
// exactly as JavaScript does. The state
// lives in locals and linear memory: a cluster's draws never leave registers, and nothing is
// allocated.
//
// Memory (byte offsets set by the loader, sim/model/wasm-walk.ts): each SecretSync's vault, each
// cluster's first SecretSync and id word, the scratch of one cluster, then the output:
// `capacity` times (f64), then as many vaults and counts (i32), moved apart as it grows.

import { firstUniformsFour, idWord, lognormal, seedKeyedFour, stationaryResidual, takeLane, uniformBelow } from '../../engine/wasm/stream-core';
import { ENTRY, HEAP_HEADER, heapClear, heapInit, heapPeekTime, heapPop, heapPush, POPPED_A } from '../../engine/wasm/event-heap';

/**
 * The first of the four clusters whose streams `lanes` holds (stream-core.ts's seedKeyedFour),
 * for seedCluster (-1: none since `group`, which follows every `layout`). walkInstants
 * overwrites the lanes without it: a group's walks all take the shortcut or none does (`instant`
 * is set by `group`), and the next group starts from -1.
 */
let seeded: i32 = -1;
/** The one-instant walk's four draws. */
const draws: usize = memory.data(32, 16);

// Layout, set by `layout`.
let syncVault: usize = 0;
let clusterFirstSync: usize = 0;
let clusterWord: usize = 0;
/** The start's considerations, in time order. */
let startAt: usize = 0;
let startId: usize = 0;
/** The later ones (next polls): event-heap.ts's heap, one entry a SecretSync at most. */
let heap: usize = 0;
let edited: usize = 0;
let out: usize = 0;
/** Records the output holds. */
export let capacity: i32 = 0;

// The group, set by `group`.
let syncs: i32 = 0;
let horizon: f64 = 0;
let jitter: f64 = 0;
let poll: f64 = 0;
let objects: i32 = 0;
let mu: f64 = 0;
let sigma: f64 = 0;
let rollout: bool = true;
let seedHash: i32 = 0;
let trialWord: i32 = 0;
/** A cluster of the group is one instant (paths.ts's oneInstant): a jitter draw and at most one record. */
let instant: bool = false;

/** Outcomes of the clusters walked since `group`: reconciles started and finished, edits applied, the last one's time. */
export let started: i32 = 0;
export let finished: i32 = 0;
export let forced: i32 = 0;
export let lastForced: f64 = -Infinity;
/** The cluster after the last one walked by `walk`. */
export let next: i32 = 0;

export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of the scratch `layout` needs for clusters of up to maxSyncs SecretSyncs: the start's times and ids, the heap, an edited flag each. */
export function scratchBytes(maxSyncs: i32): usize {
  return HEAP_HEADER + <usize>maxSyncs * (8 + 4 + ENTRY + 1);
}

export function layout(vaults: usize, firsts: usize, words: usize, clusters: i32, scratch: usize, maxSyncs: i32, records: usize, room: i32): void {
  syncVault = vaults;
  clusterFirstSync = firsts;
  clusterWord = words;
  // Each cluster's id word (random.ts's StreamDomain.Cluster is 2), the same in every trial.
  for (let c = 0; c < clusters; c++) setI32(clusterWord, c, idWord(2, c));
  startAt = scratch;
  startId = startAt + (<usize>maxSyncs << 3);
  heap = startId + (<usize>maxSyncs << 2);
  heapInit(heap, heap + HEAP_HEADER, maxSyncs);
  edited = heap + HEAP_HEADER + <usize>maxSyncs * ENTRY;
  out = records;
  capacity = room;
}

export function group(n: i32, h: f64, j: f64, p: f64, o: i32, m: f64, s: f64, start: bool, seed: i32, trial: i32, oneInstant: bool): void {
  syncs = n;
  horizon = h;
  jitter = j;
  poll = p;
  objects = o;
  mu = m;
  sigma = s;
  rollout = start;
  seedHash = seed;
  trialWord = trial;
  instant = oneInstant;
  seeded = -1;
  started = 0;
  finished = 0;
  forced = 0;
  lastForced = -Infinity;
}

/** The streams of clusters c .. c + 3 into `lanes` (words past the fleet's last cluster are whatever memory holds there: their lanes are never read). */
@inline function seedFour(c: i32): void {
  seedKeyedFour(seedHash, i32x4.splat(trialWord), v128.load(clusterWord + (<usize>c << 2)));
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
@inline function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function setF64(base: usize, i: i32, x: f64): void {
  store<f64>(base + (<usize>i << 3), x);
}
@inline function setI32(base: usize, i: i32, x: i32): void {
  store<i32>(base + (<usize>i << 2), x);
}

/** Room for `records` output records: a bigger output when they would not fit (rare: it is kept). */
function reserve(records: i32): void {
  let room = capacity;
  while (room < records) room *= 2;
  const end = out + (<usize>room << 4);
  const size = <usize>memory.size() << 16;
  if (end > size && memory.grow(<i32>((end - size + 0xffff) >>> 16)) < 0) unreachable();
  // The counts, then the vaults, to their new places (the times stay).
  memory.copy(out + (<usize>room << 3) + (<usize>room << 2), out + (<usize>capacity << 3) + (<usize>capacity << 2), <usize>capacity << 2);
  memory.copy(out + (<usize>room << 3), out + (<usize>capacity << 3), <usize>capacity << 2);
  capacity = room;
}

/**
 * Walks clusters from `from` on (of the group set by `group`), each from t = 0 to the horizon,
 * until `to` or until at least `enough` records are written (after a whole cluster); the
 * records go to the output from its start. Returns the number written; `next` is the cluster after the last one walked.
 */
export function walk(from: i32, to: i32, enough: i32): i32 {
  if (instant) return walkInstants(from, to, enough);
  let sent: i32 = 0;
  const n = syncs;
  let c = from;
  while (c < to) {
    seedCluster(c);
    const first = i32At(clusterFirstSync, c);
    heapClear(heap);
    // Insertion sort as they are drawn: equal times keep index order.
    let starts = 0;
    for (let i = 0; i < n; i++) {
      store<u8>(edited + <usize>i, rollout ? 1 : 0);
      const t = rollout ? uniformBelow(jitter) : stationaryResidual(poll, jitter);
      if (t > horizon) continue;
      let j = starts++;
      while (j > 0 && f64At(startAt, j - 1) > t) {
        setF64(startAt, j, f64At(startAt, j - 1));
        setI32(startId, j, i32At(startId, j - 1));
        j--;
      }
      setF64(startAt, j, t);
      setI32(startId, j, i);
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
        s = i32At(startId, nextStart);
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
      started++;
      const v = i32At(syncVault, first + s);
      if (sent + objects > capacity) reserve(sent + objects);
      const times = out;
      const vaults = out + (<usize>capacity << 3);
      const counts = vaults + (<usize>capacity << 2);
      if (sigma < 0) {
        // Latency 0: every object's GET at this instant.
        setF64(times, sent, t);
        setI32(vaults, sent, v);
        setI32(counts, sent, objects);
        sent++;
      } else {
        for (let k = 0; k < objects && t <= horizon; k++) {
          setF64(times, sent, t);
          setI32(vaults, sent, v);
          setI32(counts, sent, 1);
          sent++;
          t += lognormal(mu, sigma);
        }
        // An answer after the horizon never comes: the worker stays busy to the end.
        if (t > horizon) break;
      }
      // The reconcile succeeded: its status, the edit applied, the next poll.
      finished++;
      if (load<u8>(edited + <usize>s) != 0) {
        forced++;
        store<u8>(edited + <usize>s, 0);
        if (t > lastForced) lastForced = t;
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
  next = c;
  return sent;
}

/**
 * `walk` for clusters that are one instant (see `instant`): the same draws and records as the
 * general walk, which for such a cluster draws its one SecretSync's jitter, sends its objects'
 * GETs at that time (if within the horizon) as one record, applies the edit and leaves the next
 * poll's draw out (it falls past the horizon).
 */
function walkInstants(from: i32, to: i32, enough: i32): i32 {
  // The group's settings and the outcomes in locals: this loop is a few nanoseconds a cluster.
  const h = horizon;
  const o = objects;
  // At most one record a cluster, and the call ends once `enough` are written.
  const most = min(enough, to - from);
  if (most > capacity) reserve(most);
  const vaults = out + (<usize>capacity << 3);
  const counts = vaults + (<usize>capacity << 2);
  let last = lastForced;
  let sent: i32 = 0;
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
      setF64(out, sent, t);
      setI32(vaults, sent, i32At(syncVault, i32At(clusterFirstSync, c - 1)));
      setI32(counts, sent, o);
      sent++;
      if (t > last) last = t;
      if (sent >= enough) {
        more = false;
        break;
      }
    }
  }
  started += sent;
  finished += sent;
  forced += sent;
  lastForced = last;
  next = c;
  return sent;
}
