// AssemblyScript, compiled by the build (sim/build-wasm.mjs) for the tests and the hold
// benchmark: the cluster model's event heap and calendar (sim/engine/wasm/event-heap.ts and
// calendar.ts) alone, behind test/queues.ts's EventQueue and CalendarQueue; blocks.ts finds the
// memory.
import { freeHeap, heapRoomForOne, newHeap } from '../../sim/engine/wasm/blocks';
import { calendarClear, calendarFree, calendarNear, calendarNew, calendarPop, calendarPush, calendarSize } from '../../sim/engine/wasm/calendar';
import { heapClear as clear, heapPop, heapPush, heapSize } from '../../sim/engine/wasm/event-heap';

export function push(h: usize, t: f64, a: i32, b: i32): void {
  heapRoomForOne(h);
  heapPush(h, t, a, b);
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

export { freeHeap, newHeap };
export { calendarClear, calendarFree, calendarNear, calendarNew, calendarPop, calendarPush, calendarSize };
