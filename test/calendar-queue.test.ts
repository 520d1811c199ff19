import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CalendarQueue, EventQueue } from './queues.js';
import { RandomStream } from '../sim/engine/random.js';

interface Popper {
  push(t: number, a: number, b: number): void;
  pop(): boolean;
  poppedTime: number;
  poppedA: number;
  poppedB: number;
}

/**
 * A simulation-like workload: a burst of far timers, then holds that schedule near events
 * (some at the same instant, some on bucket edges) and far ones (past the calendar's span).
 * Returns the popped (time, a, b) sequence.
 */
function drive(q: Popper, seed: string): number[] {
  const rng = new RandomStream(seed);
  const out: number[] = [];
  let id = 0;
  for (let i = 0; i < 3000; i++) q.push(Math.floor(rng.uniform() * 400) / 4, id++, i); // many equal times, on edges
  for (let i = 0; i < 20000 && q.pop(); i++) {
    const t = q.poppedTime;
    out.push(t, q.poppedA, q.poppedB);
    const r = rng.uniform();
    if (r < 0.3) q.push(t, id++, 0); // same instant
    else if (r < 0.6) q.push(t + rng.uniform() * 0.05, id++, 1); // an answer a few ms later
    else if (r < 0.9) q.push(t + 10 + rng.uniform() * 90, id++, 2); // a poll
    else if (r < 0.95) q.push(t + 150, id++, 3); // past the span: the overflow list
  }
  while (q.pop()) out.push(q.poppedTime, q.poppedA, q.poppedB);
  return out;
}

function heapSequence(seed: string, drop = Infinity): number[] {
  const heap = new EventQueue(16);
  const filtered: Popper = {
    push: (t, a, b) => (t > drop ? undefined : heap.push(t, a, b)),
    pop: () => {
      const ok = heap.pop();
      filtered.poppedTime = heap.poppedTime;
      filtered.poppedA = heap.poppedA;
      filtered.poppedB = heap.poppedB;
      return ok;
    },
    poppedTime: 0,
    poppedA: 0,
    poppedB: 0,
  };
  return drive(filtered, seed);
}

test('pops exactly the binary heap order (time, then insertion) for every bucket width', () => {
  const expected = heapSequence('calendar');
  assert.ok(expected.length > 3 * 20000, 'the workload ran');
  for (const width of [1, 0.25, 0.02, 0.001, 7, 200]) {
    const q = new CalendarQueue(120, width, 16);
    assert.equal(drive(q, 'calendar'), expected, `width ${width}`);
    assert.is(q.size, 0);
  }
});

test('events after the drop horizon are never stored or popped, and the same order holds for the rest', () => {
  const drop = 60;
  const expected = heapSequence('drop', drop);
  const q = new CalendarQueue(60, 0.5, 16, drop);
  const got = drive(q, 'drop');
  assert.equal(got, expected);
  for (let i = 0; i < got.length; i += 3) assert.ok(got[i] <= drop);
});

test('a cleared queue is as good as new, also when it was left with events in its buckets', () => {
  const q = new CalendarQueue(120, 0.02, 16);
  for (let i = 0; i < 5000; i++) q.push(i * 0.013, i, 0); // every bucket has some
  assert.is(q.size, 5000);
  for (let i = 0; i < 100; i++) q.pop(); // a few buckets joined the heap, the rest wait
  assert.is(q.size, 4900);
  q.clear();
  assert.is(q.size, 0);
  assert.is(q.pop(), false);
  assert.equal(drive(q, 'reuse'), heapSequence('reuse'));
  // Pushed latest first into a new queue: the highest bucket used is not the last one pushed
  // to, and clear must still empty it.
  const fresh = new CalendarQueue(120, 0.02, 16);
  for (let i = 4999; i >= 0; i--) fresh.push(i * 0.013, i, 0);
  fresh.clear();
  assert.equal(drive(fresh, 'reuse'), heapSequence('reuse'));
});

test.run();
