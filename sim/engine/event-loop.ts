import './v8-tuning.js';
import { CalendarQueue } from './calendar-queue.js';
import { EventQueue } from './event-queue.js';

/** Whoever handles the events of a loop: the model. `a` and `b` are its own two words. */
export interface EventHandler {
  handle(t: number, a: number, b: number): void;
}

/** What the model tells the loop about its workload, so that the loop can size its calendar. */
export interface LoadHint {
  /** Events per simulated second at the busiest stretch the model expects (0: unknown; one heap). */
  eventsPerSecond: number;
  /** About how many events are pending at once. */
  pending: number;
}

/** Below this many pending events one heap is faster than a calendar of buckets. */
const SMALL = 256;

/**
 * The clock and the run loop (SimPy's Environment): events of two int32 words at float times,
 * handled in (time, scheduling order), so that equal times always pop in the same order. Events
 * after the horizon are never handled, so they are not kept. A large workload gets a calendar
 * queue (per-bucket lists in front of a small heap); a small one, such as one cluster's, a
 * plain binary heap.
 */
export class EventLoop {
  private readonly calendar: CalendarQueue | null;
  private readonly heap: EventQueue | null;

  constructor(readonly horizon: number, hint: LoadHint) {
    if (hint.pending <= SMALL || !(hint.eventsPerSecond > 0)) {
      this.heap = new EventQueue(hint.pending + 16);
      this.calendar = null;
    } else {
      // About six events a bucket, at most 1 s and at most a million buckets.
      const width = Math.min(1, Math.max(6 / hint.eventsPerSecond, horizon / 1e6));
      this.calendar = new CalendarQueue(horizon, width, hint.pending + 64, horizon);
      this.heap = null;
    }
  }

  /** Empties the loop: the clock starts again at 0. */
  reset(): void {
    if (this.heap !== null) this.heap.clear();
    else this.calendar!.clear();
  }

  schedule(t: number, a: number, b: number): void {
    if (this.heap !== null) {
      if (t <= this.horizon) this.heap.push(t, a, b);
    } else {
      this.calendar!.push(t, a, b);
    }
  }

  /** Handles events in order until none is left at or before the horizon. */
  run(handler: EventHandler): void {
    // Two copies of the loop, so that each pop is a call of one known class.
    const horizon = this.horizon;
    if (this.heap !== null) {
      const q = this.heap;
      while (q.pop()) handler.handle(q.poppedTime, q.poppedA, q.poppedB);
      return;
    }
    const q = this.calendar!;
    while (q.pop()) {
      const t = q.poppedTime;
      if (t > horizon) break;
      handler.handle(t, q.poppedA, q.poppedB);
    }
  }
}
