import { EVENTS_WASM } from './wasm/events-binary.js';

/** What sim/engine/wasm/events.ts exports. */
interface EventExports {
  memory: WebAssembly.Memory;
  newHeap(capacity: number): number;
  freeHeap(h: number): void;
  push(h: number, t: number, a: number, b: number): void;
  insert(h: number, t: number, s: number, a: number, b: number): void;
  pop(h: number): number;
  size(h: number): number;
  heapClear(h: number): void;
}

/** The events module, one instance per thread. */
const X = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(EVENTS_WASM, 'base64')), {
  env: { abort: () => { throw new Error('the events module aborted'); } },
}).exports as unknown as EventExports;

/** The heaps' memory, as doubles and as words: made again when the memory has grown. */
let f64 = new Float64Array(X.memory.buffer);
let i32 = new Int32Array(X.memory.buffer);

// Where a heap's header holds the popped event (event-heap.ts's POPPED_*), in doubles and words.
const POPPED_TIME = 48 / 8;
const POPPED_A = 56 / 4;
const POPPED_B = 60 / 4;

/** A collected queue's heap goes back to the module. */
const collected = new FinalizationRegistry<number>((h) => X.freeHeap(h));

/**
 * A priority queue of events: (time, a, b), a and b two int32 words chosen by the caller (a kind
 * and an id, say), popped in (time, scheduling order), so that events at equal times always pop
 * in the order they were scheduled. The heap is WebAssembly (sim/engine/wasm/event-heap.ts, the
 * one implementation: the quiet clusters' walk compiles the same source); nothing is allocated
 * per event.
 */
export class EventQueue {
  private readonly h: number;

  /** Time, first and second word of the event that `pop` returned last. */
  poppedTime = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(initialCapacity = 1024) {
    this.h = X.newHeap(Math.max(16, initialCapacity));
    collected.register(this, this.h);
  }

  get size(): number {
    return X.size(this.h);
  }

  clear(): void {
    X.heapClear(this.h);
  }

  push(t: number, a: number, b: number): void {
    X.push(this.h, t, a, b);
  }

  /** Inserts with a sequence number chosen by the caller (a queue built on this heap). */
  insert(t: number, s: number, a: number, b: number): void {
    X.insert(this.h, t, s, a, b);
  }

  /** Removes the earliest event into poppedTime/poppedA/poppedB; false when empty. */
  pop(): boolean {
    const h = this.h;
    if (X.pop(h) === 0) return false;
    if (f64.length === 0) {
      // The memory grew since (a heap's room): the old views are detached.
      f64 = new Float64Array(X.memory.buffer);
      i32 = new Int32Array(X.memory.buffer);
    }
    this.poppedTime = f64[(h >> 3) + POPPED_TIME];
    this.poppedA = i32[(h >> 2) + POPPED_A];
    this.poppedB = i32[(h >> 2) + POPPED_B];
    return true;
  }
}
