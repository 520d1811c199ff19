import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventQueue } from '../sim/engine/event-queue.js';
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
  assert.is(q.peekTime() >= last, true);
});
test.run();
