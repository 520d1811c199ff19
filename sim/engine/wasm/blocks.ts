// AssemblyScript: a module's memory (the cluster model's; the event queues' test module's), in
// blocks of a power of two bytes, cut from the end of what is in use and, once freed (a queue
// collected, an array moved to a bigger block), kept for the next block of their size.

import { ENTRY, HEAP_HEADER, heapCapacity, heapCount, heapEntries, heapInit, heapMoved } from './event-heap';

/** The end of the memory cut into blocks so far. */
let top: usize = (__heap_base + 15) & ~15;
/** Per size class k (blocks of 2^k bytes): the first free block; each free block's first word is the next. */
const freeBlocks: usize = memory.data(4 * 32, 16);

@inline function sizeClass(bytes: usize): i32 {
  return 32 - clz<u32>(<u32>(bytes - 1));
}

/** A block of at least `bytes` bytes (at least 4), 16-byte aligned. */
export function allocate(bytes: usize): usize {
  const k = max(sizeClass(bytes), 4);
  const list = freeBlocks + (<usize>k << 2);
  const free = <usize>load<u32>(list);
  if (free != 0) {
    store<u32>(list, load<u32>(free));
    return free;
  }
  const at = top;
  top += <usize>1 << k;
  // Past 4 GiB the address wraps: the memory is full.
  if (top < at) unreachable();
  const size = <usize>memory.size() << 16;
  if (top > size && memory.grow(<i32>((top - size + 0xffff) >>> 16)) < 0) unreachable();
  return at;
}

/** Gives back a block that `allocate(bytes)` returned. */
export function release(at: usize, bytes: usize): void {
  const list = freeBlocks + (<usize>max(sizeClass(bytes), 4) << 2);
  store<u32>(at, load<u32>(list));
  store<u32>(list, <u32>at);
}

/** `bytes` bytes moved to a block of `bigger` bytes (the old one given back); returns the new block. */
export function moveTo(at: usize, bytes: usize, bigger: usize): usize {
  const to = allocate(bigger);
  memory.copy(to, at, bytes);
  release(at, bytes);
  return to;
}

/** Room in heap h for one more entry: twice the room when it is full. */
export function heapRoomForOne(h: usize): void {
  const n = heapCapacity(h);
  if (heapCount(h) < n) return;
  const entries = <usize>n * ENTRY;
  heapMoved(h, moveTo(heapEntries(h), entries, entries * 2), n * 2);
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
