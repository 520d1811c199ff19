import { CalendarQueue } from './calendar-queue.js';

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
 * after the horizon are never handled, so they are not kept.
 */
export class EventLoop {
  private readonly queue: CalendarQueue;
  /** The time of the event being handled. */
  now = 0;

  constructor(readonly horizon: number, hint: LoadHint) {
    // About six events a bucket, at most 1 s and at most a million buckets; a small workload
    // gets one bucket (a plain heap).
    const width = hint.pending <= SMALL || !(hint.eventsPerSecond > 0) ? Infinity : Math.min(1, Math.max(6 / hint.eventsPerSecond, horizon / 1e6));
    this.queue = new CalendarQueue(horizon, width, hint.pending + 64, horizon);
  }

  /** Empties the loop and sets the clock back to 0. */
  reset(): void {
    this.queue.clear();
    this.now = 0;
  }

  schedule(t: number, a: number, b: number): void {
    this.queue.push(t, a, b);
  }

  /** Handles events in order until none is left at or before the horizon. */
  run(handler: EventHandler): void {
    const q = this.queue;
    const horizon = this.horizon;
    while (q.pop()) {
      const t = q.poppedTime;
      if (t > horizon) break;
      this.now = t;
      handler.handle(t, q.poppedA, q.poppedB);
    }
  }
}
