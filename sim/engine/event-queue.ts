/**
 * A binary min-heap of events on typed arrays, ordered by (time, insertion sequence) so that
 * events at equal times always pop in the order they were scheduled. An event is two int32
 * words chosen by the caller (a kind and an id, say); nothing is allocated per event.
 *
 * One event may wait in a slot in front of the heap: an event pushed earlier than everything
 * pending (a simulation's next step, such as a GET's answer) is popped from there without
 * going through the heap. The pop order is the heap's.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private wordA: Int32Array;
  private wordB: Int32Array;
  private count = 0;
  private nextSeq = 0;
  private held = false;
  private heldTime = 0;
  private heldSeq = 0;
  private heldA = 0;
  private heldB = 0;

  /** Time, first and second word of the event that `pop` returned last. */
  poppedTime = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity);
    this.time = new Float64Array(n);
    this.seq = new Float64Array(n);
    this.wordA = new Int32Array(n);
    this.wordB = new Int32Array(n);
  }

  get size(): number {
    return this.count + (this.held ? 1 : 0);
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    if (this.held) return this.heldTime;
    return this.count > 0 ? this.time[0] : Infinity;
  }

  clear(): void {
    this.count = 0;
    this.nextSeq = 0;
    this.held = false;
  }

  push(t: number, a: number, b: number): void {
    const s = this.nextSeq++;
    if (this.held) {
      if (t >= this.heldTime) {
        this.insert(t, s, a, b);
        return;
      }
      // The new event goes first: the held one joins the heap.
      this.insert(this.heldTime, this.heldSeq, this.heldA, this.heldB);
    } else if (this.count > 0 && t >= this.time[0]) {
      this.insert(t, s, a, b);
      return;
    }
    this.held = true;
    this.heldTime = t;
    this.heldSeq = s;
    this.heldA = a;
    this.heldB = b;
  }

  /** Inserts with a sequence number chosen by the caller (a queue built on this heap). */
  insert(t: number, s: number, a: number, b: number): void {
    if (this.count === this.time.length) this.grow();
    // Sift up: move parents down until the slot fits, then write once.
    let i = this.count++;
    const time = this.time, seq = this.seq, wa = this.wordA, wb = this.wordB;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = time[p];
      if (pt < t || (pt === t && seq[p] < s)) break;
      time[i] = pt; seq[i] = seq[p]; wa[i] = wa[p]; wb[i] = wb[p];
      i = p;
    }
    time[i] = t; seq[i] = s; wa[i] = a; wb[i] = b;
  }

  /** Removes the earliest event into poppedTime/poppedA/poppedB; false when empty. */
  pop(): boolean {
    if (this.held) {
      // The slot holds an event earlier than the heap's (or equal and scheduled before it).
      if (this.count === 0 || this.heldTime < this.time[0] || (this.heldTime === this.time[0] && this.heldSeq < this.seq[0])) {
        this.held = false;
        this.poppedTime = this.heldTime;
        this.poppedA = this.heldA;
        this.poppedB = this.heldB;
        return true;
      }
    }
    if (this.count === 0) return false;
    const time = this.time, seq = this.seq, wa = this.wordA, wb = this.wordB;
    this.poppedTime = time[0];
    this.poppedA = wa[0];
    this.poppedB = wb[0];
    const n = --this.count;
    if (n === 0) return true;
    const t = time[n], s = seq[n], a = wa[n], b = wb[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (time[r] < time[c] || (time[r] === time[c] && seq[r] < seq[c]))) c = r;
      const ct = time[c];
      if (t < ct || (t === ct && s < seq[c])) break;
      time[i] = ct; seq[i] = seq[c]; wa[i] = wa[c]; wb[i] = wb[c];
      i = c;
    }
    time[i] = t; seq[i] = s; wa[i] = a; wb[i] = b;
    return true;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const time = new Float64Array(n); time.set(this.time); this.time = time;
    const seq = new Float64Array(n); seq.set(this.seq); this.seq = seq;
    const wa = new Int32Array(n); wa.set(this.wordA); this.wordA = wa;
    const wb = new Int32Array(n); wb.set(this.wordB); this.wordB = wb;
  }
}
