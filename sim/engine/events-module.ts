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
 * The events module (sim/engine/wasm/events.ts: the event heap and the calendar queue, the one
 * implementations), one instance per thread, shared by every EventQueue and CalendarQueue.
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
