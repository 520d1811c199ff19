import { EventQueue } from './event-queue.js';

/**
 * A two-level event queue for simulations whose timers reach far ahead (a poll an hour away)
 * while the action is near: events of the current time bucket live in a small binary heap,
 * later ones are appended, unsorted, to per-bucket lists (a calendar on typed arrays) and move
 * into the heap when their bucket comes up. Pops come out in exactly the order of one big heap,
 * (time, insertion sequence), but the heap stays small and cache-resident: a push to a later
 * bucket is O(1), and the heap only ever holds one bucket's events.
 *
 * Buckets cover [0, buckets x width); later events wait in an overflow list that joins the heap
 * when the calendar is used up. Events after `drop` (the simulation's horizon) are never
 * popped, so they are not stored at all.
 */
export class CalendarQueue {
  private readonly near: EventQueue;
  private readonly width: number;
  private readonly buckets: number;
  /** Per bucket (the last one is the overflow): first and last node, -1 if empty. */
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  // Nodes of the bucket lists, with a free list through `next`.
  private nodeTime: Float64Array;
  private nodeSeq: Float64Array;
  private nodeA: Int32Array;
  private nodeB: Int32Array;
  private next: Int32Array;
  private free = -1;
  private used = 0;
  private inBuckets = 0;
  private nextSeq = 0;
  /** Buckets up to this one are in the heap. */
  private current = 0;
  /** The highest bucket that has had an event since the last clear. */
  private highest = 0;

  poppedTime = 0;
  poppedA = 0;
  poppedB = 0;

  /** Buckets of `width` seconds covering [0, span); capacity is a first guess of pending events. */
  constructor(span: number, width = 1, capacity = 1024, private readonly drop = Infinity) {
    this.width = width;
    this.buckets = Math.max(1, Math.ceil(span / width));
    this.head = new Int32Array(this.buckets + 1).fill(-1);
    this.tail = new Int32Array(this.buckets + 1).fill(-1);
    this.near = new EventQueue(256);
    const n = Math.max(16, capacity);
    this.nodeTime = new Float64Array(n);
    this.nodeSeq = new Float64Array(n);
    this.nodeA = new Int32Array(n);
    this.nodeB = new Int32Array(n);
    this.next = new Int32Array(n);
  }

  get size(): number {
    return this.near.size + this.inBuckets;
  }

  clear(): void {
    this.near.clear();
    // Buckets up to `current` were emptied as they joined the heap.
    this.head.fill(-1, this.current + 1, this.highest + 1);
    this.tail.fill(-1, this.current + 1, this.highest + 1);
    this.highest = 0;
    this.free = -1;
    this.used = 0;
    this.inBuckets = 0;
    this.nextSeq = 0;
    this.current = 0;
  }

  push(t: number, a: number, b: number): void {
    const s = this.nextSeq++;
    if (t > this.drop) return;
    const k = Math.min(this.buckets, Math.floor(t / this.width));
    if (k <= this.current) {
      this.near.insert(t, s, a, b);
      return;
    }
    const node = this.node();
    this.nodeTime[node] = t;
    this.nodeSeq[node] = s;
    this.nodeA[node] = a;
    this.nodeB[node] = b;
    this.next[node] = -1;
    if (this.tail[k] < 0) this.head[k] = node;
    else this.next[this.tail[k]] = node;
    this.tail[k] = node;
    if (k > this.highest) this.highest = k;
    this.inBuckets++;
  }

  /** Removes the earliest event into poppedTime/poppedA/poppedB; false when empty. */
  pop(): boolean {
    while (this.near.size === 0) {
      if (this.inBuckets === 0 || this.current >= this.buckets) return false;
      this.advance();
    }
    this.near.pop();
    this.poppedTime = this.near.poppedTime;
    this.poppedA = this.near.poppedA;
    this.poppedB = this.near.poppedB;
    return true;
  }

  /** The next bucket's events join the heap (the overflow's with the last step). */
  private advance(): void {
    const k = ++this.current;
    for (let node = this.head[k]; node >= 0; ) {
      const after = this.next[node];
      this.near.insert(this.nodeTime[node], this.nodeSeq[node], this.nodeA[node], this.nodeB[node]);
      this.next[node] = this.free;
      this.free = node;
      this.inBuckets--;
      node = after;
    }
    this.head[k] = this.tail[k] = -1;
  }

  private node(): number {
    if (this.free >= 0) {
      const n = this.free;
      this.free = this.next[n];
      return n;
    }
    if (this.used === this.next.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    const n = this.next.length * 2;
    const t = new Float64Array(n); t.set(this.nodeTime); this.nodeTime = t;
    const s = new Float64Array(n); s.set(this.nodeSeq); this.nodeSeq = s;
    const a = new Int32Array(n); a.set(this.nodeA); this.nodeA = a;
    const b = new Int32Array(n); b.set(this.nodeB); this.nodeB = b;
    const x = new Int32Array(n); x.set(this.next); this.next = x;
  }
}
