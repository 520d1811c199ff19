import { EVENTS_WASM } from './wasm/events-binary.js';

/** What sim/engine/wasm/events.ts exports. */
export interface EventExports {
  memory: WebAssembly.Memory;
  newHeap(capacity: number): number;
  freeHeap(h: number): void;
  push(h: number, t: number, a: number, b: number): void;
  pop(h: number): number;
  size(h: number): number;
  heapClear(h: number): void;
  calendarNew(span: number, width: number, capacity: number, drop: number): number;
  calendarFree(q: number): void;
  calendarNear(q: number): number;
  calendarPush(q: number, t: number, a: number, b: number): void;
  calendarPop(q: number): number;
  calendarSize(q: number): number;
  calendarClear(q: number): void;
}

/**
 * The cluster model's event queues (sim/engine/wasm/event-heap.ts and calendar.ts, the one
 * implementations, compiled into the model's module) alone, for their tests and the hold
 * benchmark: test/wasm/events.ts compiles them into a module of their own, one instance per
 * thread, shared by every EventQueue and CalendarQueue here.
 */
export const EVENTS = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(EVENTS_WASM, 'base64')), {
  env: { abort: () => { throw new Error('the events module aborted'); } },
}).exports as unknown as EventExports;

/** Whoever reads popped events: their time and words. */
export interface Popped {
  poppedTime: number;
  poppedA: number;
  poppedB: number;
}

/** The module's memory, as doubles and as words: made again when it has grown. */
let f64 = new Float64Array(EVENTS.memory.buffer);
let i32 = new Int32Array(EVENTS.memory.buffer);

/** The event heap h's pop left in its header (event-heap.ts's POPPED_* at 48, 56, 60) into `to`. */
export function readPopped(h: number, to: Popped): void {
  if (f64.length === 0) {
    // The memory grew since (a queue's room): the old views are detached.
    f64 = new Float64Array(EVENTS.memory.buffer);
    i32 = new Int32Array(EVENTS.memory.buffer);
  }
  to.poppedTime = f64[(h + 48) >> 3];
  to.poppedA = i32[(h + 56) >> 2];
  to.poppedB = i32[(h + 60) >> 2];
}

/** A collected queue's heap goes back to the module. */
const collectedHeaps = new FinalizationRegistry<number>((h) => EVENTS.freeHeap(h));

/**
 * A priority queue of events: (time, a, b), a and b two int32 words chosen by the caller (a kind
 * and an id, say), popped in (time, scheduling order), so that events at equal times always pop
 * in the order they were scheduled (sim/engine/wasm/event-heap.ts); nothing is allocated per
 * event.
 */
export class EventQueue implements Popped {
  private readonly h: number;

  /** Time, first and second word of the event that `pop` returned last. */
  poppedTime = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(initialCapacity = 1024) {
    this.h = EVENTS.newHeap(Math.max(16, initialCapacity));
    collectedHeaps.register(this, this.h);
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

/** A collected queue's calendar goes back to the module. */
const collectedCalendars = new FinalizationRegistry<number>((q) => EVENTS.calendarFree(q));

/**
 * A two-level event queue for simulations whose timers reach far ahead (a poll an hour away)
 * while the action is near: the current time bucket's events in a small heap, later ones in
 * per-bucket lists, popped in exactly the order of one big heap, (time, scheduling order).
 * WebAssembly (sim/engine/wasm/calendar.ts, which says how); buckets cover [0, span) in steps of
 * `width`, later events wait in an overflow list, and events after `drop` (the simulation's
 * horizon) are never stored.
 */
export class CalendarQueue implements Popped {
  private readonly q: number;
  /** The calendar's heap, whose header holds a popped event. */
  private readonly near: number;

  poppedTime = 0;
  poppedA = 0;
  poppedB = 0;

  /** Buckets of `width` seconds covering [0, span); capacity is a first guess of pending events. */
  constructor(span: number, width = 1, capacity = 1024, drop = Infinity) {
    this.q = EVENTS.calendarNew(span, width, capacity, drop);
    this.near = EVENTS.calendarNear(this.q);
    collectedCalendars.register(this, this.q);
  }

  get size(): number {
    return EVENTS.calendarSize(this.q);
  }

  clear(): void {
    EVENTS.calendarClear(this.q);
  }

  push(t: number, a: number, b: number): void {
    EVENTS.calendarPush(this.q, t, a, b);
  }

  /** Removes the earliest event into poppedTime/poppedA/poppedB; false when empty. */
  pop(): boolean {
    if (EVENTS.calendarPop(this.q) === 0) return false;
    readPopped(this.near, this);
    return true;
  }
}
