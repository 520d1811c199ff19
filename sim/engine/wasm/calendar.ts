// AssemblyScript: the calendar queue, the one implementation (the cluster model's fleet-wide
// loop, sim/model/wasm/cluster.ts; test/wasm/events.ts for its tests), for simulations whose
// timers reach far ahead (a poll an hour away) while the action is near: events of the current time bucket live in a
// small heap (event-heap.ts), later ones are appended, unsorted, to per-bucket lists and move
// into the heap when their bucket comes up. Pops come out in exactly the order of one big heap,
// (time, scheduling sequence), but the heap stays small and cache-resident: a push to a later
// bucket is O(1), and the heap only ever holds one bucket's events.
//
// Buckets cover [0, buckets x width); later events wait in an overflow list that joins the heap
// when the calendar is used up. Events after `drop` (the simulation's horizon) are never
// popped, so they are not stored at all. A popped event is in the heap's POPPED_* fields.
import { allocate, freeHeap, heapRoomForOne, moveTo, newHeap, release } from './blocks';
import { heapClear, heapInsert, heapPop, heapSize } from './event-heap';

/** Bytes of a calendar's header. */
export const CALENDAR_HEADER: usize = 80;
/** Bytes of a node of a bucket's list: time, sequence (f64), a, b, next (i32). */
const NODE: usize = 32;

// The header's fields (byte offsets).
const NEAR = 0; // u32: the heap
const BUCKETS = 4; // i32: buckets (the overflow list is one more)
const WIDTH = 8; // f64
const DROP = 16; // f64
const HEAD = 24; // u32: per bucket, its first node (-1: none)
const TAIL = 28; // u32: and its last
const NODES = 32; // u32
const NODE_CAPACITY = 36; // i32
const FREE = 40; // i32: the first free node (-1: none), through `next`
const USED = 44; // i32: nodes ever handed out
const IN_BUCKETS = 48; // i32: events in the lists
const CURRENT = 52; // i32: buckets up to this one are in the heap
const NEXT_SEQ = 56; // f64
const HIGHEST = 64; // i32: the highest bucket that has had an event since the last clear

/** A calendar of buckets of `width` seconds covering [0, span), room for `capacity` events in its lists first. */
export function calendarNew(span: f64, width: f64, capacity: i32, drop: f64): usize {
  const q = allocate(CALENDAR_HEADER);
  const buckets = max(1, <i32>Math.ceil(span / width));
  store<u32>(q, <u32>newHeap(256), NEAR);
  store<i32>(q, buckets, BUCKETS);
  store<f64>(q, width, WIDTH);
  store<f64>(q, drop, DROP);
  const lists = (<usize>buckets + 1) << 2;
  store<u32>(q, <u32>allocate(lists), HEAD);
  store<u32>(q, <u32>allocate(lists), TAIL);
  memory.fill(<usize>load<u32>(q, HEAD), 0xff, lists);
  memory.fill(<usize>load<u32>(q, TAIL), 0xff, lists);
  const n = max(16, capacity);
  store<u32>(q, <u32>allocate(<usize>n * NODE), NODES);
  store<i32>(q, n, NODE_CAPACITY);
  store<i32>(q, 0, HIGHEST);
  calendarClearCounts(q);
  return q;
}

@inline export function calendarNear(q: usize): usize {
  return <usize>load<u32>(q, NEAR);
}

export function calendarSize(q: usize): i32 {
  return heapSize(calendarNear(q)) + load<i32>(q, IN_BUCKETS);
}

@inline function headOf(q: usize, k: i32): usize {
  return <usize>load<u32>(q, HEAD) + (<usize>k << 2);
}

@inline function tailOf(q: usize, k: i32): usize {
  return <usize>load<u32>(q, TAIL) + (<usize>k << 2);
}

@inline function node(q: usize, i: i32): usize {
  return <usize>load<u32>(q, NODES) + <usize>i * NODE;
}

function calendarClearCounts(q: usize): void {
  store<i32>(q, -1, FREE);
  store<i32>(q, 0, USED);
  store<i32>(q, 0, IN_BUCKETS);
  store<f64>(q, 0, NEXT_SEQ);
  store<i32>(q, 0, CURRENT);
}

export function calendarClear(q: usize): void {
  heapClear(calendarNear(q));
  // Buckets up to the current one were emptied as they joined the heap.
  const from = load<i32>(q, CURRENT) + 1;
  const to = load<i32>(q, HIGHEST) + 1;
  if (to > from) {
    memory.fill(headOf(q, from), 0xff, <usize>(to - from) << 2);
    memory.fill(tailOf(q, from), 0xff, <usize>(to - from) << 2);
  }
  store<i32>(q, 0, HIGHEST);
  calendarClearCounts(q);
}

export function calendarPush(q: usize, t: f64, a: i32, b: i32): void {
  const s = load<f64>(q, NEXT_SEQ);
  store<f64>(q, s + 1, NEXT_SEQ);
  if (t > load<f64>(q, DROP)) return;
  const buckets = load<i32>(q, BUCKETS);
  const f = Math.floor(t / load<f64>(q, WIDTH));
  const k = f < <f64>buckets ? <i32>f : buckets;
  if (k <= load<i32>(q, CURRENT)) {
    const near = calendarNear(q);
    heapRoomForOne(near);
    heapInsert(near, t, s, a, b);
    return;
  }
  const i = newNode(q);
  const e = node(q, i);
  store<f64>(e, t);
  store<f64>(e, s, 8);
  store<i32>(e, a, 16);
  store<i32>(e, b, 20);
  store<i32>(e, -1, 24);
  const tail = load<i32>(tailOf(q, k));
  if (tail < 0) store<i32>(headOf(q, k), i);
  else store<i32>(node(q, tail), i, 24);
  store<i32>(tailOf(q, k), i);
  if (k > load<i32>(q, HIGHEST)) store<i32>(q, k, HIGHEST);
  store<i32>(q, load<i32>(q, IN_BUCKETS) + 1, IN_BUCKETS);
}

/** Removes the earliest event (to the near heap's POPPED_* fields); false when there is none. */
export function calendarPop(q: usize): bool {
  const near = calendarNear(q);
  while (heapSize(near) == 0) {
    if (load<i32>(q, IN_BUCKETS) == 0 || load<i32>(q, CURRENT) >= load<i32>(q, BUCKETS)) return false;
    advance(q);
  }
  return heapPop(near);
}

/** The next bucket's events join the heap (the overflow's with the last step). */
function advance(q: usize): void {
  const k = load<i32>(q, CURRENT) + 1;
  store<i32>(q, k, CURRENT);
  const near = calendarNear(q);
  let free = load<i32>(q, FREE);
  let moved = 0;
  for (let i = load<i32>(headOf(q, k)); i >= 0; ) {
    const e = node(q, i);
    const after = load<i32>(e, 24);
    heapRoomForOne(near);
    heapInsert(near, load<f64>(e), load<f64>(e, 8), load<i32>(e, 16), load<i32>(e, 20));
    store<i32>(e, free, 24);
    free = i;
    moved++;
    i = after;
  }
  store<i32>(q, free, FREE);
  store<i32>(q, load<i32>(q, IN_BUCKETS) - moved, IN_BUCKETS);
  store<i32>(headOf(q, k), -1);
  store<i32>(tailOf(q, k), -1);
}

function newNode(q: usize): i32 {
  const free = load<i32>(q, FREE);
  if (free >= 0) {
    store<i32>(q, load<i32>(node(q, free), 24), FREE);
    return free;
  }
  const used = load<i32>(q, USED);
  const n = load<i32>(q, NODE_CAPACITY);
  if (used == n) {
    store<u32>(q, <u32>moveTo(<usize>load<u32>(q, NODES), <usize>n * NODE, <usize>n * 2 * NODE), NODES);
    store<i32>(q, n * 2, NODE_CAPACITY);
  }
  store<i32>(q, used + 1, USED);
  return used;
}

/** Gives a calendar's memory back (its queue was collected). */
export function calendarFree(q: usize): void {
  freeHeap(calendarNear(q));
  const lists = (<usize>load<i32>(q, BUCKETS) + 1) << 2;
  release(<usize>load<u32>(q, HEAD), lists);
  release(<usize>load<u32>(q, TAIL), lists);
  release(<usize>load<u32>(q, NODES), <usize>load<i32>(q, NODE_CAPACITY) * NODE);
  release(q, CALENDAR_HEADER);
}
