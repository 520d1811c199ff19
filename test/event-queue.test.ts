import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENTS, EventQueue } from './queues.js';
import { RandomStream } from '../sim/engine/random.js';

test('pops in time order, equal times in insertion order, and grows past its capacity', () => {
  const q = new EventQueue(16);
  const rng = new RandomStream('queue');
  const pushed: Array<[number, number]> = [];
  for (let i = 0; i < 5000; i++) {
    const t = Math.floor(rng.uniform() * 50); // many equal times
    q.push(t, i, -i);
    pushed.push([t, i]);
  }
  const expected = [...pushed].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const got: Array<[number, number]> = [];
  while (q.pop()) {
    assert.is(q.poppedB, -q.poppedA);
    got.push([q.poppedTime, q.poppedA]);
  }
  assert.equal(got, expected);
  assert.is(q.size, 0);
  assert.is(q.pop(), false);
});

test('equal times keep their push order through the slot in front of the heap, and its size counts it', () => {
  const q = new EventQueue();
  const order = () => {
    const got: number[] = [];
    while (q.pop()) got.push(q.poppedA);
    return got;
  };
  // The first goes to the slot; the second, at the same time, must queue behind it.
  q.push(1, 0, 0);
  q.push(1, 1, 0);
  assert.is(q.size, 2);
  assert.equal(order(), [0, 1]);
  // The heap's earliest at 2; a push at 2 must not take the slot ahead of it.
  q.push(1, 0, 0);
  q.push(2, 1, 0);
  assert.ok(q.pop() && q.poppedA === 0);
  q.push(2, 2, 0);
  assert.is(q.size, 2);
  assert.equal(order(), [1, 2]);
  // The slot's event rejoins the heap behind an equal-time event scheduled after it, when an
  // earlier one takes the slot: it must still pop first of the two.
  q.push(2, 0, 0);
  q.push(2, 1, 0);
  q.push(1, 2, 0);
  assert.equal(order(), [2, 0, 1]);
});

test('interleaved push and pop (the hold pattern) keeps the order', () => {
  const q = new EventQueue();
  const rng = new RandomStream('hold');
  for (let i = 0; i < 1000; i++) q.push(rng.uniform() * 10, i, 0);
  let last = -Infinity;
  for (let i = 0; i < 20000; i++) {
    q.pop();
    assert.ok(q.poppedTime >= last, 'time never goes backwards');
    last = q.poppedTime;
    q.push(last + rng.uniform() * 10, i, 0);
  }
  assert.is(q.size, 1000);
  assert.ok(q.pop() && q.poppedTime >= last);
});
test('a simulation\'s pattern (pop, then push events due now, soon and later) pops exactly by (time, push order)', () => {
  // Against a reference that sorts every pending event: the slot in front of the heap must not
  // change the order, whether a push comes before, at or after the held event and the heap's top.
  const rng = new RandomStream('slot');
  for (const steps of [[0, 0.5, 3], [0, 0, 1], [1, 2, 2]]) {
    const q = new EventQueue(16);
    const pending: Array<[number, number, number]> = [];
    let seq = 0;
    const push = (t: number) => {
      q.push(t, seq, 0);
      pending.push([t, seq++, 0]);
    };
    for (let i = 0; i < 30; i++) push(Math.floor(rng.uniform() * 20));
    for (let i = 0; i < 5000 && pending.length > 0; i++) {
      pending.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const [t, id] = pending.shift()!;
      assert.ok(q.pop());
      assert.equal([q.poppedTime, q.poppedA], [t, id], `step ${i}`);
      // Due at once (a tie with the popped time), soon, or later: whole numbers make ties common.
      for (let k = rng.int(3); k > 0; k--) push(t + steps[rng.int(3)] * rng.int(3));
    }
  }
});


test('a freed heap\'s and calendar\'s memory is handed out again (a collected queue\'s), and a grown heap gives its old room back', () => {
  const h = EVENTS.newHeap(64);
  EVENTS.freeHeap(h);
  assert.is(EVENTS.newHeap(64), h, 'the same header again');
  EVENTS.freeHeap(h);
  const round = () => {
    const q = EVENTS.calendarNew(7200, 0.01, 4096, 7200);
    const g = EVENTS.newHeap(16);
    // Grown four times: each old block of entries is given back as it moves.
    for (let k = 0; k < 200; k++) EVENTS.push(g, 200 - k, k, 0);
    EVENTS.freeHeap(g);
    EVENTS.calendarFree(q);
  };
  round();
  const bytes = EVENTS.memory.buffer.byteLength;
  // 2,000 more calendars of 720,000 buckets would need 11 GB if none were reused.
  for (let i = 0; i < 2000; i++) round();
  assert.is(EVENTS.memory.buffer.byteLength, bytes);
});

test.run();
