// AssemblyScript: the event heap, the one implementation. The build (sim/build-wasm.mjs)
// compiles it into the cluster model's module (sim/model/wasm/cluster.ts: one cluster's events,
// the calendar's near events, the quiet walk's pending polls) and, for its tests, into
// test/wasm/events.ts.
//
// A binary min-heap of events (a time and two i32 words chosen by the caller), ordered by
// (time, scheduling sequence) so that events at equal times always pop in the order they were
// scheduled. One event may wait in a slot in front of the heap: an event pushed earlier than
// everything pending (a simulation's next step, such as a GET's answer) is popped from there
// without going through the heap. The pop order is the heap's.
//
// A heap is a header at `h` and its entries (time, sequence, a, b: 24 bytes) from the address in
// the header; whoever owns the memory makes room (`HEAP_HEADER` bytes, then `capacity` entries)
// before an insert would exceed it.

/** Bytes of a heap's header. */
export const HEAP_HEADER: usize = 80;
/** Bytes of an entry. */
export const ENTRY: usize = 24;

// The header's fields (byte offsets).
const COUNT = 0; // i32: entries in the heap (the slot not counted)
const CAPACITY = 4; // i32: entries the memory at ENTRIES holds
const NEXT_SEQ = 8; // f64: the next push's sequence
const HELD = 16; // i32: 1 when the slot holds an event
const ENTRIES = 20; // u32: the entries' address
const HELD_TIME = 24; // f64
const HELD_SEQ = 32; // f64
const HELD_A = 40; // i32
const HELD_B = 44; // i32
/** Where `heapPop` leaves the event it removed: its time (f64) and words (i32). */
export const POPPED_TIME: usize = 48;
export const POPPED_A: usize = 56;
export const POPPED_B: usize = 60;

/** An empty heap at h whose entries (room for `capacity`) are at `entries`. */
export function heapInit(h: usize, entries: usize, capacity: i32): void {
  memory.fill(h, 0, HEAP_HEADER);
  store<u32>(h, <u32>entries, ENTRIES);
  store<i32>(h, capacity, CAPACITY);
}

/** The entries are now at `entries` (copied there by the memory's owner), with room for `capacity`. */
export function heapMoved(h: usize, entries: usize, capacity: i32): void {
  store<u32>(h, <u32>entries, ENTRIES);
  store<i32>(h, capacity, CAPACITY);
}

@inline export function heapCount(h: usize): i32 {
  return load<i32>(h, COUNT);
}

/** The address of the entries. */
@inline export function heapEntries(h: usize): usize {
  return <usize>load<u32>(h, ENTRIES);
}

@inline export function heapCapacity(h: usize): i32 {
  return load<i32>(h, CAPACITY);
}

/** Pending events, the slot's included. */
@inline export function heapSize(h: usize): i32 {
  return load<i32>(h, COUNT) + load<i32>(h, HELD);
}

/** Empties the heap; sequences start again at 0. */
@inline export function heapClear(h: usize): void {
  store<i32>(h, 0, COUNT);
  store<f64>(h, 0, NEXT_SEQ);
  store<i32>(h, 0, HELD);
}

@inline function entryOf(base: usize, i: i32): usize {
  return base + <usize>i * ENTRY;
}

@inline function timeAt(e: usize): f64 {
  return load<f64>(e);
}

@inline function seqAt(e: usize): f64 {
  return load<f64>(e, 8);
}

@inline function setEntry(e: usize, t: f64, s: f64, a: i32, b: i32): void {
  store<f64>(e, t);
  store<f64>(e, s, 8);
  store<i32>(e, a, 16);
  store<i32>(e, b, 20);
}

@inline function copyEntry(to: usize, from: usize): void {
  store<i64>(to, load<i64>(from));
  store<i64>(to, load<i64>(from, 8), 8);
  store<i64>(to, load<i64>(from, 16), 16);
}

/** Schedules (a, b) at t, after every event scheduled before at the same time. */
@inline export function heapPush(h: usize, t: f64, a: i32, b: i32): void {
  const s = load<f64>(h, NEXT_SEQ);
  store<f64>(h, s + 1, NEXT_SEQ);
  if (load<i32>(h, HELD) != 0) {
    const heldTime = load<f64>(h, HELD_TIME);
    if (t >= heldTime) {
      heapInsert(h, t, s, a, b);
      return;
    }
    // The new event goes first: the held one joins the heap.
    heapInsert(h, heldTime, load<f64>(h, HELD_SEQ), load<i32>(h, HELD_A), load<i32>(h, HELD_B));
  } else if (load<i32>(h, COUNT) > 0 && t >= timeAt(heapEntries(h))) {
    heapInsert(h, t, s, a, b);
    return;
  }
  store<i32>(h, 1, HELD);
  store<f64>(h, t, HELD_TIME);
  store<f64>(h, s, HELD_SEQ);
  store<i32>(h, a, HELD_A);
  store<i32>(h, b, HELD_B);
}

/** Inserts with a sequence chosen by the caller (a queue built on this heap); the room must be there. */
@inline export function heapInsert(h: usize, t: f64, s: f64, a: i32, b: i32): void {
  const base = heapEntries(h);
  let i = load<i32>(h, COUNT);
  store<i32>(h, i + 1, COUNT);
  // Sift up: move parents down until the slot fits, then write once.
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pe = entryOf(base, p);
    const pt = timeAt(pe);
    if (pt < t || (pt == t && seqAt(pe) < s)) break;
    copyEntry(entryOf(base, i), pe);
    i = p;
  }
  setEntry(entryOf(base, i), t, s, a, b);
}

/** The earliest event's time (+Infinity when there is none). */
@inline export function heapPeekTime(h: usize): f64 {
  const n = load<i32>(h, COUNT);
  const top = n > 0 ? timeAt(heapEntries(h)) : Infinity;
  if (load<i32>(h, HELD) == 0) return top;
  const held = load<f64>(h, HELD_TIME);
  return held < top ? held : top;
}

/** Removes the earliest event (its time and words to POPPED_*); false when there is none. */
@inline export function heapPop(h: usize): bool {
  const n0 = load<i32>(h, COUNT);
  const base = heapEntries(h);
  if (load<i32>(h, HELD) != 0) {
    // The slot holds an event earlier than the heap's (or equal and scheduled before it).
    const heldTime = load<f64>(h, HELD_TIME);
    const top = base;
    if (n0 == 0 || heldTime < timeAt(top) || (heldTime == timeAt(top) && load<f64>(h, HELD_SEQ) < seqAt(top))) {
      store<i32>(h, 0, HELD);
      store<f64>(h, heldTime, POPPED_TIME);
      store<i32>(h, load<i32>(h, HELD_A), POPPED_A);
      store<i32>(h, load<i32>(h, HELD_B), POPPED_B);
      return true;
    }
  }
  if (n0 == 0) return false;
  const top = base;
  store<f64>(h, timeAt(top), POPPED_TIME);
  store<i32>(h, load<i32>(top, 16), POPPED_A);
  store<i32>(h, load<i32>(top, 20), POPPED_B);
  const n = n0 - 1;
  store<i32>(h, n, COUNT);
  if (n == 0) return true;
  const last = entryOf(base, n);
  const t = timeAt(last);
  const s = seqAt(last);
  const a = load<i32>(last, 16);
  const b = load<i32>(last, 20);
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    const r = c + 1;
    let ce = entryOf(base, c);
    if (r < n) {
      const re = entryOf(base, r);
      if (timeAt(re) < timeAt(ce) || (timeAt(re) == timeAt(ce) && seqAt(re) < seqAt(ce))) {
        c = r;
        ce = re;
      }
    }
    const ct = timeAt(ce);
    if (t < ct || (t == ct && s < seqAt(ce))) break;
    copyEntry(entryOf(base, i), ce);
    i = c;
  }
  setEntry(entryOf(base, i), t, s, a, b);
  return true;
}
