// AssemblyScript, compiled by the build (sim/build-wasm.mjs): event-queue.ts's heaps. Each
// EventQueue owns a heap here (event-heap.ts, the one implementation); this module finds the
// memory: blocks of a power of two bytes, cut from the end of what is in use and, once freed
// (a queue collected, or a heap's entries moved to a bigger block), kept for the next block of
// their size.
import { ENTRY, HEAP_HEADER, heapCapacity, heapCount, heapEntries, heapInit, heapInsert, heapMove, heapPop, heapPush, heapClear as clear, heapSize } from './event-heap';

/** The end of the memory cut into blocks so far. */
let top: usize = (__heap_base + 15) & ~15;
/** Per size class k (blocks of 2^k bytes): the first free block; each free block's first word is the next. */
const freeBlocks: usize = memory.data(4 * 32, 16);

@inline function sizeClass(bytes: usize): i32 {
  return 32 - clz<u32>(<u32>(bytes - 1));
}

function allocate(bytes: usize): usize {
  const k = sizeClass(bytes);
  const list = freeBlocks + (<usize>k << 2);
  const free = <usize>load<u32>(list);
  if (free != 0) {
    store<u32>(list, load<u32>(free));
    return free;
  }
  const at = top;
  top += <usize>1 << k;
  const size = <usize>memory.size() << 16;
  if (top > size && memory.grow(<i32>((top - size + 0xffff) >>> 16)) < 0) unreachable();
  return at;
}

function release(at: usize, bytes: usize): void {
  const list = freeBlocks + (<usize>sizeClass(bytes) << 2);
  store<u32>(at, load<u32>(list));
  store<u32>(list, <u32>at);
}

/** A new, empty heap with room for `capacity` entries; returns its address. */
export function newHeap(capacity: i32): usize {
  const h = allocate(HEAP_HEADER);
  heapInit(h, allocate(<usize>capacity * ENTRY), capacity);
  return h;
}

/** Gives a heap's memory back (its queue was collected). */
export function freeHeap(h: usize): void {
  release(heapEntries(h), <usize>heapCapacity(h) * ENTRY);
  release(h, HEAP_HEADER);
}

/** Room for one more entry: twice the room when it is full. */
@inline function room(h: usize): void {
  const n = heapCapacity(h);
  if (heapCount(h) < n) return;
  const old = heapEntries(h);
  heapMove(h, allocate(<usize>n * 2 * ENTRY), n * 2);
  release(old, <usize>n * ENTRY);
}

export function push(h: usize, t: f64, a: i32, b: i32): void {
  room(h);
  heapPush(h, t, a, b);
}

export function insert(h: usize, t: f64, s: f64, a: i32, b: i32): void {
  room(h);
  heapInsert(h, t, s, a, b);
}

export function pop(h: usize): bool {
  return heapPop(h);
}

export function size(h: usize): i32 {
  return heapSize(h);
}

export function heapClear(h: usize): void {
  clear(h);
}
