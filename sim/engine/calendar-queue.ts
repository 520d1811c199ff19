import { EVENTS, readPopped, type Popped } from './events-module.js';

/** A collected queue's calendar goes back to the module. */
const collected = new FinalizationRegistry<number>((q) => EVENTS.calendarFree(q));

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
    collected.register(this, this.q);
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
