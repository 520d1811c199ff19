// AssemblyScript: the cluster side of the fleet, written once (docs/model.md): each SecretSync's
// considerations (edits, polls, restarts, requeues, tickers), its jitter, the cluster's work
// queue, its reconciles (each object's GET, the SDK's retries, the outcome and the requeue).
// Both drivers run it: the coupled one with the whole fleet in one calendar, each GET answered
// by the vault side (JavaScript's, imported); the independent one cluster by cluster in a heap,
// every GET that reaches a vault accepted. Everything a cluster draws comes from its own stream
// (stream-core.ts), kept here per cluster.
//
// Memory: blocks.ts's. The fleet's layout and each trial's actions are written by the loader
// (sim/model/cluster-model.ts) into blocks it asks for.
import { allocate, heapRoomForOne, newHeap, release } from '../../engine/wasm/blocks';
import { calendarClear, calendarNear, calendarNew, calendarPop, calendarPush } from '../../engine/wasm/calendar';
import { heapClear, heapPop, heapPush, POPPED_A, POPPED_B, POPPED_TIME } from '../../engine/wasm/event-heap';
import { idWord, loadState, lognormal, seedKeyedFour, stationaryResidual, storeState, takeLane, uniform, uniformBelow } from '../../engine/wasm/stream-core';

// The vault side and the probes, JavaScript's (sim/model/cluster-model.ts).
/** Vault v's answer to one GET at t (coupled): 0 accepted, 1 throttled (429). */
@external('env', 'vaultRequest') declare function vaultRequest(v: i32, t: f64): i32;
/** Of n GETs to vault v at t, how many in a row it accepts (coupled); those are counted. */
@external('env', 'vaultAcceptMany') declare function vaultAcceptMany(v: i32, t: f64, n: i32): i32;
/** The Retry-After vault v sends with a 429 at t (NaN: none). */
@external('env', 'vaultRetryAfter') declare function vaultRetryAfter(v: i32, t: f64): f64;
/** Another application's request to vault v at t (counted if it reaches the vault); returns the time of its next one. */
@external('env', 'background') declare function background(v: i32, t: f64, reachable: bool): f64;
/** A 429 to a GET of the fleet at t from vault v. */
@external('env', 'throttled') declare function throttled(t: f64, v: i32): void;
/** The reconcile of s ending at t wrote what its first GET read at readAt: whether it read a rotation. */
@external('env', 'staleRead') declare function staleRead(s: i32, t: f64, readAt: f64): bool;
/** A SecretSync of cluster c started failing (+1) or recovered (-1) at t. */
@external('env', 'healthChange') declare function healthChange(t: f64, c: i32, delta: i32): void;

// Event kinds, in the low 3 bits of an event's first word: (id << 3) | kind.
const WAKE = 0; // a SecretSync's consideration (and its jitter) is over: enqueue it
const RESPONSE = 1; // the vault's answer to its current GET arrives
const SEND = 2; // an SDK retry of its current GET goes out
const BACKGROUND = 3; // another application's request to a vault (coupled only)
const ACTION = 4; // a fleet action
const TICK = 5; // a cluster's ticker (scheduling: cluster-ticker)
/** An Action event's second word: apply it to every cluster it names. */
const ALL_CLUSTERS = -1;

// SecretSync states, reasons and a GET's answers.
const IDLE: u8 = 0;
const QUEUED: u8 = 1;
const PROCESSING: u8 = 2;
const POLL: u8 = 0;
const REQUEUE: u8 = 1;
const EDIT: u8 = 2;
const RESTART: u8 = 3;
const OK: u8 = 0;
const THROTTLED = 1;
const UNAVAILABLE = 2;
// Outcomes (trial-record.ts's Outcome).
export const NO_VALUE_CHANGE = 0;
export const VALUE_CHANGE_OR_FORCE = 1;
const PARTIAL = 2;
const PROVIDER_ERROR = 3;

/** A SecretSync's row in the table: 64 bytes, one cache line, so that an event touches one place. */
@unmanaged class Sync {
  wakeGen: i32;
  fetchGen: i32;
  failures: i32;
  fetched: u16;
  failed: u16;
  attempt: u16;
  state: u8;
  reason: u8;
  lastAnswer: u8;
  dirty: bool;
  forced: bool;
  runForced: bool;
  awaiting: bool;
  wakePending: bool;
  unhealthy: bool;
  lastRetryAfter: f64;
  startedAt: f64;
  editedAt: f64;
  readAt: f64;
}

/** A group's settings (sigma < 0: latency 0), 64 bytes apart. */
@unmanaged class Group {
  objects: i32;
  workers: i32;
  poll: f64;
  jitter: f64;
  mu: f64;
  sigma: f64;
  partial: bool;
  perSync: bool;
  jitterOnRequeue: bool;
  jitterOnRestart: bool;
}

/** A fleet action: its kind (0 rollout, 1 restart, 2 outage start, 3 outage end), the clusters (rollout, restart) or vaults (outage) it names. */
@unmanaged class Action {
  kind: i32;
  tracked: bool;
  ids: usize;
  count: i32;
  timeout: f64;
}
/** An action's size, for the loader's list. */
export const ACTION_BYTES = offsetof<Action>();

// The fleet, set by `fleet`.
let clusters: i32 = 0;
let syncs: i32 = 0;
let syncCluster: usize = 0;
export let syncVault: usize = 0;
let clusterGroup: usize = 0;
let clusterFirstSync: usize = 0;
let clusterSyncCount: usize = 0;
let groups: usize = 0;
let vaultCount: i32 = 0;
export let horizon: f64 = 0;
export let rolloutStart: bool = false;
let steadyStart: bool = false;
// The SDK's retry and the controller's requeue.
let maxRetries: i32 = 0;
let retryBase: f64 = 0;
let retryMax: f64 = 0;
let retryLo: f64 = 0;
let retryHi: f64 = 0;
let requeueBase: f64 = 0;
let requeueMax: f64 = 0;
let bucketRate: f64 = 0;
let bucketBurst: f64 = 0;
let hasBucket: bool = false;

// State.
let rows: usize = 0;
let queueBuf: usize = 0;
let queueHead: usize = 0;
let queueLen: usize = 0;
let busy: usize = 0;
let tokens: usize = 0;
let tokensLast: usize = 0;
let touched: usize = 0;
let bucketTrial: i32 = 1;
let streams: usize = 0;
let down: usize = 0;
let outageTimeout: usize = 0;
let coupled: bool = false;
let actions: usize = 0;
/** The heap of one cluster's events (independent) and the fleet's calendar (coupled, made when first needed). */
export let heap: usize = 0;
let calendar: usize = 0;
/** The calendar's heap, where it leaves a popped event. */
let calendarHeap: usize = 0;
/** The stream whose state is in stream-core's registers (-1: none). */
let current: i32 = -1;
/** Each cluster's stream's id word (stream-core.ts's idWord(Cluster, c)), for seeding four at once. */
export let clusterWords: usize = 0;
/** The most SecretSyncs of one cluster. */
export let maxSyncs: i32 = 0;

// What a trial records, read by the loader after a run.
let unavailable: f64 = 0;
let retries: f64 = 0;
let requeues: f64 = 0;
let fetchesNeeded: f64 = 0;
let converged: f64 = 0;
let lastConverged: f64 = -Infinity;
const outcomeCounts: usize = memory.data(32, 16);
/** Where `counts` writes them: the four outcomes, then unavailable, retries, requeues, fetchesNeeded, converged, lastConverged (f64). */
const countsOut: usize = memory.data(80, 16);
/** The sends: `capacity` times (f64), vaults and counts (i32). */
let out: usize = 0;
export let capacity: i32 = 0;
export let sent: i32 = 0;

/** Cluster c's group's settings. */
@inline export function groupOf(c: i32): Group {
  return changetype<Group>(groups + (<usize>load<i32>(clusterGroup + (<usize>c << 2)) << 6));
}
@inline function clusterOf(s: i32): i32 {
  return load<i32>(syncCluster + (<usize>s << 2));
}
@inline export function firstOf(c: i32): i32 {
  return load<i32>(clusterFirstSync + (<usize>c << 2));
}
@inline export function countOf(c: i32): i32 {
  return load<i32>(clusterSyncCount + (<usize>c << 2));
}
@inline function row(s: i32): Sync {
  return changetype<Sync>(rows + (<usize>s << 6));
}
@inline export function i32Of(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline export function setI32Of(base: usize, i: i32, x: i32): void {
  store<i32>(base + (<usize>i << 2), x);
}

/** The fleet: the layout's arrays (written by the loader into blocks from `allocate`), its group count and the client's settings; each group's settings follow (`setGroup`). */
export function fleet(
  nClusters: i32, nSyncs: i32, nVaults: i32, sc: usize, sv: usize, cg: usize, cf: usize, cn: usize, nGroups: i32,
  h: f64, start: i32, retryN: i32, rBase: f64, rMax: f64, rLo: f64, rHi: f64, qBase: f64, qMax: f64, bRate: f64, bBurst: f64,
): void {
  clusters = nClusters;
  syncs = nSyncs;
  vaultCount = nVaults;
  syncCluster = sc;
  syncVault = sv;
  clusterGroup = cg;
  clusterFirstSync = cf;
  clusterSyncCount = cn;
  groups = allocate(<usize>max(1, nGroups) << 6);
  horizon = h;
  rolloutStart = start == 1;
  steadyStart = start == 2;
  maxRetries = retryN;
  retryBase = rBase;
  retryMax = rMax;
  retryLo = rLo;
  retryHi = rHi;
  requeueBase = qBase;
  requeueMax = qMax;
  hasBucket = bRate == bRate;
  bucketRate = bRate;
  bucketBurst = bBurst;
  rows = allocate(<usize>nSyncs << 6);
  queueBuf = allocate(<usize>nSyncs << 2);
  queueHead = allocate(<usize>nClusters << 2);
  queueLen = allocate(<usize>nClusters << 2);
  busy = allocate(<usize>nClusters << 2);
  tokens = allocate(<usize>nClusters << 3);
  tokensLast = allocate(<usize>nClusters << 3);
  touched = allocate(<usize>nClusters << 2);
  memory.fill(touched, 0, <usize>nClusters << 2);
  streams = allocate(<usize>nClusters << 4);
  down = allocate(<usize>nVaults << 2);
  outageTimeout = allocate(<usize>nVaults << 3);
  clusterWords = allocate(<usize>(nClusters + 4) << 2);
  maxSyncs = 0;
  for (let c = 0; c < nClusters; c++) {
    setI32Of(clusterWords, c, idWord(2, c));
    if (countOf(c) > maxSyncs) maxSyncs = countOf(c);
  }
  // A cluster's events: at most one consideration and one GET's answer or retry a SecretSync, and its actions.
  heap = newHeap(2 * maxSyncs + 64);
  capacity = 4096;
  out = allocate(<usize>capacity << 4);
}

export { allocate };

/** Group g's settings (sigma < 0: latency 0). */
export function setGroup(g: i32, objects: i32, workers: i32, poll: f64, jitter: f64, mu: f64, sigma: f64, partial: bool, perSync: bool, jitterOnRequeue: bool, jitterOnRestart: bool): void {
  const x = changetype<Group>(groups + (<usize>g << 6));
  x.objects = objects;
  x.workers = workers;
  x.poll = poll;
  x.jitter = jitter;
  x.mu = mu;
  x.sigma = sigma;
  x.partial = partial;
  x.perSync = perSync;
  x.jitterOnRequeue = jitterOnRequeue;
  x.jitterOnRestart = jitterOnRestart;
}

/** Action i of the list at `list` (ACTION_BYTES each), naming `count` clusters or vaults at `ids`. */
export function setAction(list: usize, i: i32, kind: i32, tracked: bool, ids: usize, count: i32, timeout: f64): void {
  const a = changetype<Action>(list + <usize>i * ACTION_BYTES);
  a.kind = kind;
  a.tracked = tracked;
  a.ids = ids;
  a.count = count;
  a.timeout = timeout;
}

// The streams: cluster c's state in memory, in stream-core's registers while it draws.
@inline function use(c: i32): void {
  if (c == current) return;
  putBack();
  loadState(streams + (<usize>c << 4), 4);
  current = c;
}

/** The stream in the registers back to its cluster's place in memory. */
@inline function putBack(): void {
  if (current >= 0) storeState(streams + (<usize>current << 4));
}

/** Cluster c's stream at the start of the trial (random.ts's seedStream: (seed, trial, Cluster, c)). */
function seedCluster(c: i32, seedHash: i32, trialWord: i32): void {
  putBack();
  seedKeyedFour(seedHash, i32x4.splat(trialWord), i32x4.splat(i32Of(clusterWords, c)));
  takeLane(0);
  current = c;
}

/** The walk (walk.ts) draws from streams of its own in the registers: none of the clusters' is there. */
export function streamsLeft(): void {
  putBack();
  current = -1;
}

@inline function jitterOf(c: i32): f64 {
  use(c);
  return uniformBelow(groupOf(c).jitter);
}

// The loop: a heap (one cluster) or the calendar (the fleet).
@inline function schedule(t: f64, a: i32, b: i32): void {
  if (coupled) calendarPush(calendar, t, a, b);
  else if (t <= horizon) {
    heapRoomForOne(heap);
    heapPush(heap, t, a, b);
  }
}

function scheduleWake(s: i32, t: f64, why: u8): void {
  const r = row(s);
  r.reason = why;
  r.wakePending = true;
  schedule(t, (s << 3) | WAKE, ++r.wakeGen);
}

/** Handles events in order until none is left at or before the horizon. */
function run(): void {
  if (coupled) {
    while (calendarPop(calendar)) {
      const t = load<f64>(calendarHeap, POPPED_TIME);
      if (t > horizon) break;
      handle(t, load<i32>(calendarHeap, POPPED_A), load<i32>(calendarHeap, POPPED_B));
    }
  } else {
    while (heapPop(heap)) handle(load<f64>(heap, POPPED_TIME), load<i32>(heap, POPPED_A), load<i32>(heap, POPPED_B));
  }
}

function handle(t: f64, a: i32, b: i32): void {
  const id = a >> 3;
  switch (a & 7) {
    case WAKE: {
      const r = row(id);
      if (b == r.wakeGen) {
        r.wakePending = false;
        consider(id, t);
      }
      break;
    }
    case RESPONSE:
      if (b == row(id).fetchGen && respond(id, t)) proceed(id, t);
      dispatch(clusterOf(id), t);
      break;
    case SEND:
      if (b == row(id).fetchGen) proceed(id, t);
      dispatch(clusterOf(id), t);
      break;
    case BACKGROUND:
      schedule(background(id, t, i32Of(down, id) == 0), a, 0);
      break;
    case ACTION:
      applyAction(id, t, b);
      break;
    case TICK:
      tick(id, t);
      break;
  }
}

// The start of a trial, per cluster.
function startRollout(c: i32): void {
  if (rolloutStart) edit(c, 0, true);
}

/** A steady fleet's SecretSyncs on per-sync timers: each first considered at the stationary residual of its polls' gaps P + U[0, J). */
function startSteady(c: i32): void {
  if (!steadyStart || !groupOf(c).perSync) return;
  const first = firstOf(c);
  const end = first + countOf(c);
  const g = groupOf(c);
  for (let s = first; s < end; s++) {
    use(c);
    scheduleWake(s, stationaryResidual(g.poll, g.jitter), POLL);
  }
}

/** scheduling: cluster-ticker: one ticker per cluster with period P and a uniformly random phase. */
function startTicker(c: i32): void {
  if (groupOf(c).perSync) return;
  use(c);
  schedule(uniform() * groupOf(c).poll, (c << 3) | TICK, 0);
}

/** A tick considers every SecretSync of the cluster at once (each then waits its jitter). */
function tick(c: i32, t: f64): void {
  const first = firstOf(c);
  const end = first + countOf(c);
  for (let s = first; s < end; s++) scheduleWake(s, t + jitterOf(c), POLL);
  schedule(t + groupOf(c).poll, (c << 3) | TICK, 0);
}

/** A spec edit of every SecretSync of cluster c at time t (a CI rollout). */
function edit(c: i32, t: f64, tracked: bool): void {
  const first = firstOf(c);
  const end = first + countOf(c);
  for (let s = first; s < end; s++) {
    const r = row(s);
    r.forced = true;
    r.editedAt = t;
    if (tracked) r.awaiting = true;
    scheduleWake(s, t + jitterOf(c), EDIT);
  }
}

/** A controller restart: the queue, in-flight reconciles and backoff state are lost; the new controller has a full requeue bucket. */
function restart(c: i32, t: f64): void {
  const first = firstOf(c);
  const end = first + countOf(c);
  const jitter = groupOf(c).jitterOnRestart;
  clearQueue(c);
  bucketRestart(c, t);
  for (let s = first; s < end; s++) {
    const r = row(s);
    r.state = IDLE;
    r.dirty = false;
    r.failures = 0;
    r.fetchGen++;
    scheduleWake(s, t + (jitter ? jitterOf(c) : 0), RESTART);
  }
}

/** Fleet action i at t, on every cluster it names or (`only` >= 0) on that cluster alone. */
function applyAction(i: i32, t: f64, only: i32): void {
  const a = changetype<Action>(actions + <usize>i * ACTION_BYTES);
  const kind = a.kind;
  const ids = a.ids;
  const n = a.count;
  if (kind <= 1) {
    const tracked = a.tracked;
    if (only >= 0) {
      if (kind == 0) edit(only, t, tracked);
      else restart(only, t);
    } else {
      for (let k = 0; k < n; k++) {
        if (kind == 0) edit(i32Of(ids, k), t, tracked);
        else restart(i32Of(ids, k), t);
      }
    }
  } else {
    for (let k = 0; k < n; k++) {
      const v = i32Of(ids, k);
      if (kind == 2) {
        setI32Of(down, v, i32Of(down, v) + 1);
        store<f64>(outageTimeout + (<usize>v << 3), a.timeout);
      } else {
        setI32Of(down, v, i32Of(down, v) - 1);
      }
    }
  }
}

/** The consideration's jitter is over: enqueue (workqueue semantics: no duplicates). */
function consider(s: i32, t: f64): void {
  const r = row(s);
  if (r.state == IDLE) {
    const c = clusterOf(s);
    // A free worker and nobody ahead in the queue: it starts now (what enqueue and dispatch would do).
    if (i32Of(queueLen, c) == 0 && i32Of(busy, c) < groupOf(c).workers) {
      start(s, c, t);
    } else {
      enqueue(s);
      dispatch(c, t);
    }
  } else if (r.state == PROCESSING) {
    r.dirty = true;
  }
}

/** Cluster c's work queue empty and its workers free. */
function clearQueue(c: i32): void {
  setI32Of(queueHead, c, 0);
  setI32Of(queueLen, c, 0);
  setI32Of(busy, c, 0);
}

function enqueue(s: i32): void {
  const c = clusterOf(s);
  const n = countOf(c);
  const len = i32Of(queueLen, c);
  let at = i32Of(queueHead, c) + len;
  if (at >= n) at -= n;
  setI32Of(queueBuf, firstOf(c) + at, s);
  setI32Of(queueLen, c, len + 1);
  row(s).state = QUEUED;
}

/** Free workers of cluster c take queued SecretSyncs (FIFO) and run as far as they can now. */
function dispatch(c: i32, t: f64): void {
  while (i32Of(queueLen, c) > 0 && i32Of(busy, c) < groupOf(c).workers) {
    const head = i32Of(queueHead, c);
    const s = i32Of(queueBuf, firstOf(c) + head);
    setI32Of(queueHead, c, head + 1 == countOf(c) ? 0 : head + 1);
    setI32Of(queueLen, c, i32Of(queueLen, c) - 1);
    start(s, c, t);
  }
}

/** What the controller does after a reconcile of s ended at t. */
function afterReconcile(s: i32, t: f64, succeeded: bool): void {
  const r = row(s);
  const c = clusterOf(s);
  if (r.dirty) {
    // Considered again while it ran: the workqueue hands it back at once.
    r.dirty = false;
    enqueue(s);
  } else if (r.wakePending) {
    // An edit came while it ran and its jitter is still running: that consideration comes next.
  } else if (succeeded) {
    // Under a cluster ticker the next poll is the cluster's next tick.
    if (groupOf(c).perSync) scheduleWake(s, t + groupOf(c).poll + jitterOf(c), POLL);
  } else {
    // The larger of the item's backoff and the wait for the controller's requeue bucket.
    const backoff = requeueDelay(r.failures);
    const bucket = bucketWait(c, t);
    const delay = backoff > bucket ? backoff : bucket;
    scheduleWake(s, t + delay + (groupOf(c).jitterOnRequeue ? jitterOf(c) : 0), REQUEUE);
  }
}

/** controller-runtime's per-item backoff: base * 2^(n-1) for the n-th consecutive failure, capped. */
@inline function requeueDelay(failures: i32): f64 {
  const delay = requeueBase * Math.pow(2, <f64>(failures - 1));
  return delay < requeueMax ? delay : requeueMax;
}

/** Cluster c's controller (re)started at t: a new requeue bucket, full. */
function bucketRestart(c: i32, t: f64): void {
  if (!hasBucket) return;
  store<f64>(tokens + (<usize>c << 3), bucketBurst);
  store<f64>(tokensLast + (<usize>c << 3), t);
  setI32Of(touched, c, bucketTrial);
}

/** A requeue of cluster c scheduled at t takes a token: how long it must wait for it (0: none). */
function bucketWait(c: i32, t: f64): f64 {
  if (!hasBucket) return 0;
  if (i32Of(touched, c) != bucketTrial) bucketRestart(c, 0);
  let k = load<f64>(tokens + (<usize>c << 3)) + (t - load<f64>(tokensLast + (<usize>c << 3))) * bucketRate;
  if (k > bucketBurst) k = bucketBurst;
  k -= 1;
  store<f64>(tokens + (<usize>c << 3), k);
  store<f64>(tokensLast + (<usize>c << 3), t);
  return k >= 0 ? 0 : -k / bucketRate;
}

// One reconcile.

/** A worker of cluster c starts a reconcile of s at t and runs it as far as it can now. */
function start(s: i32, c: i32, t: f64): void {
  const r = row(s);
  r.state = PROCESSING;
  setI32Of(busy, c, i32Of(busy, c) + 1);
  r.attempt = 0;
  r.fetched = 0;
  r.failed = 0;
  r.startedAt = t;
  r.readAt = NaN;
  r.runForced = r.forced;
  if (r.reason != REQUEUE) needFetches(groupOf(c).objects);
  proceed(s, t);
}

/** A send: n GETs at t to vault v (-1: into an outage). */
@inline export function record(t: f64, v: i32, n: i32): void {
  if (sent == capacity) growSends();
  const vaults = out + (<usize>capacity << 3);
  store<f64>(out + (<usize>sent << 3), t);
  store<i32>(vaults + (<usize>sent << 2), v);
  store<i32>(vaults + (<usize>capacity << 2) + (<usize>sent << 2), n);
  sent++;
}

/** Twice the room for sends (the times stay in place; the vaults and counts move). */
function growSends(): void {
  const room = capacity * 2;
  const bigger = allocate(<usize>room << 4);
  memory.copy(bigger, out, <usize>capacity << 3);
  memory.copy(bigger + (<usize>room << 3), out + (<usize>capacity << 3), <usize>capacity << 2);
  memory.copy(bigger + (<usize>room << 3) + (<usize>room << 2), out + (<usize>capacity << 3) + (<usize>capacity << 2), <usize>capacity << 2);
  release(out, <usize>capacity << 4);
  out = bigger;
  capacity = room;
}

/** Fetches the reconcile's objects one after another until it must wait, or it ends. */
function proceed(s: i32, t: f64): void {
  const r = row(s);
  const c = clusterOf(s);
  const g = groupOf(c);
  const objects = g.objects;
  const partial = g.partial;
  const sigma = g.sigma;
  const v = i32Of(syncVault, s);
  for (;;) {
    const object = <i32>r.fetched + <i32>r.failed;
    if (object >= objects || (r.failed > 0 && !partial)) {
      finish(s, t);
      return;
    }
    // The first object's GET (this attempt of it) reads any rotation sent before now.
    if (object == 0) r.readAt = t;
    const isDown = i32Of(down, v) > 0;
    if (sigma < 0 && !isDown) {
      // Latency 0: the remaining GETs go out at this instant; those the vault accepts, before
      // the first rejection, are one weighted event.
      const k = coupled ? vaultAcceptMany(v, t, objects - object) : objects - object;
      if (k > 0) {
        record(t, v, k);
        r.fetched = <u16>(<i32>r.fetched + k);
        r.attempt = 0;
        r.lastAnswer = OK;
        continue;
      }
    }
    const answer = isDown ? UNAVAILABLE : coupled ? vaultRequest(v, t) : OK;
    record(t, answer == UNAVAILABLE ? -1 : v, 1);
    if (answer == THROTTLED) throttled(t, v);
    r.lastAnswer = <u8>answer;
    if (answer == THROTTLED) {
      r.lastRetryAfter = vaultRetryAfter(v, t);
    } else if (answer == UNAVAILABLE) {
      unavailable++;
      markUnhealthy(s, t);
      const timeout = load<f64>(outageTimeout + (<usize>v << 3));
      if (timeout > 0) {
        schedule(t + timeout, (s << 3) | RESPONSE, r.fetchGen);
        return;
      }
    }
    if (answer != UNAVAILABLE && sigma >= 0) {
      use(c);
      schedule(t + lognormal(g.mu, sigma), (s << 3) | RESPONSE, r.fetchGen);
      return;
    }
    if (!respond(s, t)) return;
  }
}

/** The answer to the current GET is in; false when an SDK retry now waits. */
function respond(s: i32, t: f64): bool {
  const r = row(s);
  const answer = <i32>r.lastAnswer;
  if (answer == OK) {
    r.fetched++;
    r.attempt = 0;
    return true;
  }
  // A Retry-After comes only with a 429; an unreachable vault sends nothing.
  const retryAfter = answer == THROTTLED ? r.lastRetryAfter : NaN;
  const delay = retryDelay(<i32>r.attempt + 1, retryAfter, clusterOf(s));
  if (delay >= 0) {
    r.attempt++;
    retries++;
    schedule(t + delay, (s << 3) | SEND, r.fetchGen);
    return false;
  }
  if (<i32>r.fetched + <i32>r.failed == 0) r.readAt = NaN;
  r.failed++;
  r.attempt = 0;
  return true;
}

/**
 * The Azure SDK's retry: seconds before retry number `retry` (1 for the first), or -1 when it
 * gives up; a Retry-After (NaN: none) of at most the cap replaces the computed delay.
 */
function retryDelay(retry: i32, retryAfter: f64, c: i32): f64 {
  if (retry > maxRetries) return -1;
  if (retryAfter == retryAfter) return retryAfter <= retryMax ? retryAfter : -1;
  use(c);
  const delay = (Math.pow(2, <f64>retry) - 1) * retryBase * (retryLo + (retryHi - retryLo) * uniform());
  return delay < retryMax ? delay : retryMax;
}

/** The reconcile is over: its status reason, what it served, and what the controller does next. */
function finish(s: i32, t: f64): void {
  const r = row(s);
  const c = clusterOf(s);
  const partial = groupOf(c).partial;
  setI32Of(busy, c, i32Of(busy, c) - 1);
  r.state = IDLE;
  const succeeded = <i32>r.fetched == groupOf(c).objects;
  // The first object is written unless the reconcile failed fast; it carries any rotation read.
  const readAt = r.readAt;
  const changed = (succeeded || partial) && readAt == readAt && staleRead(s, t, readAt);
  if (succeeded) {
    outcome(r.runForced || changed ? VALUE_CHANGE_OR_FORCE : NO_VALUE_CHANGE);
    markHealthy(s, t);
    if (r.startedAt >= r.editedAt) {
      // Nothing was edited while it ran: the edit is applied.
      r.forced = false;
      if (r.awaiting) {
        r.awaiting = false;
        converge(t);
      }
    }
    r.failures = 0;
  } else {
    outcome(r.fetched > 0 && partial ? PARTIAL : PROVIDER_ERROR);
    markUnhealthy(s, t);
    r.failures++;
    requeues++;
  }
  afterReconcile(s, t, succeeded);
}

/** A SecretSync the tracked rollout edited succeeded at t. */
@inline export function converge(t: f64): void {
  converged++;
  if (t > lastConverged) lastConverged = t;
}

/** n SecretSyncs the tracked rollout edited succeeded, the last of them at t (as n calls of `converge`). */
@inline export function convergeMany(n: i32, t: f64): void {
  converged += <f64>n;
  if (n > 0 && t > lastConverged) lastConverged = t;
}

/** n more object fetches that reconciles need (reconciles not caused by a failure's requeue). */
@inline export function needFetches(n: i32): void {
  fetchesNeeded += <f64>n;
}

@inline export function outcome(kind: i32): void {
  outcomes(kind, 1);
}

/** n reconciles ended with outcome `kind`. */
@inline export function outcomes(kind: i32, n: i32): void {
  const at = outcomeCounts + (<usize>kind << 3);
  store<f64>(at, load<f64>(at) + <f64>n);
}

function markUnhealthy(s: i32, t: f64): void {
  const r = row(s);
  if (!r.unhealthy) {
    r.unhealthy = true;
    healthChange(t, clusterOf(s), 1);
  }
}

function markHealthy(s: i32, t: f64): void {
  const r = row(s);
  if (r.unhealthy) {
    r.unhealthy = false;
    healthChange(t, clusterOf(s), -1);
  }
}

// The drivers' entries.

/** The counts since `clearCounts`, at the returned address (see countsOut), and back to 0. */
export function takeCounts(): usize {
  memory.copy(countsOut, outcomeCounts, 32);
  store<f64>(countsOut, unavailable, 32);
  store<f64>(countsOut, retries, 40);
  store<f64>(countsOut, requeues, 48);
  store<f64>(countsOut, fetchesNeeded, 56);
  store<f64>(countsOut, converged, 64);
  store<f64>(countsOut, lastConverged, 72);
  unavailable = 0;
  retries = 0;
  requeues = 0;
  fetchesNeeded = 0;
  converged = 0;
  lastConverged = -Infinity;
  memory.fill(outcomeCounts, 0, 32);
  return countsOut;
}

/** The sends are drained: the output starts again. */
export function clearSends(): void {
  sent = 0;
}

export function sendsAt(): usize {
  return out;
}

/** The trial's actions (`setAction`'s list) and each cluster's requeue bucket full again (the runs clear the outages they meet). */
export function trial(actionList: usize): void {
  actions = actionList;
  bucketTrial++;
}

/**
 * The independent driver's run of cluster c from t = 0 to the horizon, alone, every GET that
 * reaches a vault accepted: its stream seeded, its rows and queue reset, the actions that name
 * it (their indices at `named`, n of them) scheduled at their times (`times`).
 */
export function runCluster(c: i32, seedHash: i32, trialWord: i32, named: usize, times: usize, n: i32, outages: bool): void {
  coupled = false;
  seedCluster(c, seedHash, trialWord);
  heapClear(heap);
  if (outages) memory.fill(down, 0, <usize>vaultCount << 2);
  for (let k = 0; k < n; k++) schedule(load<f64>(times + (<usize>k << 3)), (i32Of(named, k) << 3) | ACTION, c);
  const first = firstOf(c);
  memory.fill(changetype<usize>(row(first)), 0, <usize>countOf(c) << 6);
  clearQueue(c);
  startRollout(c);
  startSteady(c);
  startTicker(c);
  run();
}

/**
 * The coupled driver's run of the whole fleet: every cluster's stream seeded, the rows and
 * queues reset, the actions scheduled first (`times`, each to every cluster it names), then the
 * starts and each vault's first other request (`firstBackground`, Infinity: none).
 */
export function runFleet(seedHash: i32, trialWord: i32, times: usize, n: i32, firstBackground: usize, span: f64, width: f64, pending: i32): void {
  coupled = true;
  if (calendar == 0) {
    calendar = calendarNew(span, width, pending, horizon);
    calendarHeap = calendarNear(calendar);
  }
  calendarClear(calendar);
  for (let c = 0; c < clusters; c++) {
    seedCluster(c, seedHash, trialWord);
    storeState(streams + (<usize>c << 4));
  }
  current = -1;
  memory.fill(rows, 0, <usize>syncs << 6);
  memory.fill(queueHead, 0, <usize>clusters << 2);
  memory.fill(queueLen, 0, <usize>clusters << 2);
  memory.fill(busy, 0, <usize>clusters << 2);
  memory.fill(down, 0, <usize>vaultCount << 2);
  for (let k = 0; k < n; k++) schedule(load<f64>(times + (<usize>k << 3)), (k << 3) | ACTION, ALL_CLUSTERS);
  for (let c = 0; c < clusters; c++) startRollout(c);
  for (let c = 0; c < clusters; c++) startSteady(c);
  for (let c = 0; c < clusters; c++) startTicker(c);
  for (let v = 0; v < vaultCount; v++) {
    const first = load<f64>(firstBackground + (<usize>v << 3));
    if (first != Infinity) schedule(first, (v << 3) | BACKGROUND, 0);
  }
  run();
}

// The rules of a retry's and a requeue's delay, alone (test/sdk-retry.test.ts).

/** Cluster c's stream as at the start of trial `trialWord` (seedHash: the scenario seed's). */
export function seedStream(c: i32, seedHash: i32, trialWord: i32): void {
  seedCluster(c, seedHash, trialWord);
}

/** The SDK's delay before retry `retry` of a GET of cluster c (NaN retryAfter: none sent), drawn from c's stream. */
export function retryDelayOf(c: i32, retry: i32, retryAfter: f64): f64 {
  return retryDelay(retry, retryAfter, c);
}

/** The per-item backoff after `failures` consecutive failures. */
export function requeueDelayOf(failures: i32): f64 {
  return requeueDelay(failures);
}
