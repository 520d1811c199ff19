/**
 * A sum of doubles kept exactly, so that its value does not depend on the order of the terms or
 * on how they were grouped: the sums of shards merged in any order round to the same double as
 * one machine's sum of every trial, bit for bit (sim merge's byte-identity rests on it).
 *
 * The exact sum is held as a list of non-overlapping partial sums in increasing magnitude
 * (Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric
 * Predicates", 1997: Grow-Expansion with Two-Sum), and read as the correctly rounded double
 * (round half to even) by the final step of Python's math.fsum (msum, R. Hettinger's recipe
 * after Shewchuk), which depends on the exact value only. No maintained npm package offers a
 * correctly rounded, mergeable sum: @stdlib's sums are compensated (Kahan-Babuska, not exact)
 * and the expansion libraries give an estimate, not the rounded value. Tests check it against
 * BigInt arithmetic (test/exact-sum.test.ts).
 *
 * Terms must be finite. A typical sum has one to three partials; adding allocates only when
 * the list grows.
 */
export class ExactSum {
  /** The partials: p[0 .. n). */
  private p = new Float64Array(4);
  private n = 0;

  add(x: number): void {
    const p = this.p;
    let i = 0;
    for (let j = 0; j < this.n; j++) {
      // Two-Sum (Knuth): hi + lo = x + y exactly, whichever is larger.
      const y = p[j];
      const hi = x + y;
      const yv = hi - x;
      const lo = x - (hi - yv) + (y - yv);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (i === p.length) {
      this.p = new Float64Array(2 * p.length);
      this.p.set(p);
    }
    this.p[i] = x;
    this.n = i + 1;
  }

  /** Adds another sum's terms (exactly: the order of merges does not matter). */
  merge(other: ExactSum): void {
    for (let j = 0; j < other.n; j++) this.add(other.p[j]);
  }

  /** The exact sum rounded to the nearest double (ties to even). */
  value(): number {
    const p = this.p;
    let n = this.n;
    if (n === 0) return 0;
    let hi = p[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n];
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-way cases: the partials below decide the rounding direction.
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }

  /** The partials, for a shard's file (doubles survive JSON exactly). */
  toJSON(): number[] {
    return Array.from(this.p.subarray(0, this.n));
  }

  static fromJSON(partials: number[]): ExactSum {
    const s = new ExactSum();
    for (const x of partials) s.add(x);
    return s;
  }
}

/**
 * Two-product: a * b = hi + lo exactly (Dekker's split, Shewchuk section 2.6), for squares that
 * stay exact in a sum of squares. Returns lo; hi is a * b.
 */
export function productError(a: number, b: number): number {
  const hi = a * b;
  const SPLIT = 134217729; // 2^27 + 1
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return al * bl - (hi - ah * bh - al * bh - ah * bl);
}
