// AssemblyScript, compiled by the build (sim/build-wasm.mjs): event-queue.ts's heaps and
// calendar-queue.ts's calendars. Each queue owns one here (event-heap.ts and calendar.ts, the
// one implementations); blocks.ts finds the memory.
import { freeHeap, heapRoomForOne, newHeap } from './blocks';
import { calendarClear, calendarFree, calendarNear, calendarNew, calendarPop, calendarPush, calendarSize } from './calendar';
import { heapClear as clear, heapPop, heapPush, heapSize } from './event-heap';

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
