import { EVENTS, readPopped, type Popped } from './events-module.js';

/** A collected queue's heap goes back to the module. */
const collected = new FinalizationRegistry<number>((h) => EVENTS.freeHeap(h));

/**
 * A priority queue of events: (time, a, b), a and b two int32 words chosen by the caller (a kind
 * and an id, say), popped in (time, scheduling order), so that events at equal times always pop
 * in the order they were scheduled. The heap is WebAssembly (sim/engine/wasm/event-heap.ts, the
 * one implementation: the quiet clusters' walk compiles the same source); nothing is allocated
 * per event.
 */
export class EventQueue implements Popped {
  private readonly h: number;

  /** Time, first and second word of the event that `pop` returned last. */
  poppedTime = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(initialCapacity = 1024) {
    this.h = EVENTS.newHeap(Math.max(16, initialCapacity));
    collected.register(this, this.h);
  }

  get size(): number {
    return EVENTS.size(this.h);
  }

  clear(): void {
    EVENTS.heapClear(this.h);
  }

  push(t: number, a: number, b: number): void {
    EVENTS.push(this.h, t, a, b);
  }

  /** Removes the earliest event into poppedTime/poppedA/poppedB; false when empty. */
  pop(): boolean {
    if (EVENTS.pop(this.h) === 0) return false;
    readPopped(this.h, this);
    return true;
  }
}
