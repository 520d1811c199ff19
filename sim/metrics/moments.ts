import { ExactSum, productError } from './exact-sum.js';

/**
 * The count, sum and sum of squares of the finite values of a metric across trials, each sum
 * exact (exact-sum.ts): a fixed-size summary that merges in any order to the same bits, from
 * which a mean and its t interval follow (stats.ts, momentInterval). NaN (does not exist) and
 * Infinity (longer than the trial) are left out, as meanInterval leaves them out.
 */
export class Moments {
  n = 0;
  readonly sum = new ExactSum();
  readonly squares = new ExactSum();

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.n++;
    this.sum.add(v);
    // v * v exactly: the rounded square and its rounding error (none for a count below 2^26).
    this.squares.add(v * v);
    if (!(Number.isInteger(v) && Math.abs(v) < 67108864)) {
      const err = productError(v, v);
      if (err !== 0) this.squares.add(err);
    }
  }

  merge(other: Moments): void {
    this.n += other.n;
    this.sum.merge(other.sum);
    this.squares.merge(other.squares);
  }

  toJSON(): MomentsData {
    return [this.n, this.sum.toJSON(), this.squares.toJSON()];
  }

  static fromJSON([n, sum, squares]: MomentsData): Moments {
    const m = new Moments();
    m.n = n;
    m.sum.merge(ExactSum.fromJSON(sum));
    m.squares.merge(ExactSum.fromJSON(squares));
    return m;
  }
}

export type MomentsData = [n: number, sum: number[], squares: number[]];
