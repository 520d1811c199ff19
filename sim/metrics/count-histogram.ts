/**
 * Per timeseries bin, how many trials had each count of GETs in that bin: an exact histogram of
 * non-negative integers, so that a quantile across trials (requests_p99) is the same as from
 * the sorted values, and two histograms merge by adding. Its size follows the spread of the
 * counts in each bin, not the number of trials.
 *
 * Each bin holds a dense run of frequencies from its smallest count seen (`lo`) on, grown at
 * either end as new counts come.
 */
export class CountHistograms {
  private readonly lo: Float64Array;
  private readonly freq: Float64Array[];
  /** Values added per bin (every bin gets one per trial). */
  private total = 0;

  constructor(readonly bins: number) {
    this.lo = new Float64Array(bins);
    this.freq = Array.from({ length: bins }, () => new Float64Array(0));
  }

  /** One trial's counts per bin: values[offset + k] for bin k. */
  addTrial(values: ArrayLike<number>, offset: number): void {
    const { lo, freq } = this;
    for (let k = 0; k < this.bins; k++) {
      const v = values[offset + k];
      const f = freq[k];
      const i = v - lo[k];
      // One test: a negative i wraps to a large unsigned value.
      if (i >>> 0 < f.length) f[i]++;
      else this.addTo(k, v, 1);
    }
    this.total++;
  }

  merge(other: CountHistograms): void {
    if (other.bins !== this.bins) throw new Error(`histograms of ${other.bins} and ${this.bins} bins`);
    for (let k = 0; k < this.bins; k++) {
      const f = other.freq[k];
      const lo = other.lo[k];
      for (let i = 0; i < f.length; i++) if (f[i] > 0) this.addTo(k, lo + i, f[i]);
    }
    this.total += other.total;
  }

  /**
   * Bin k's quantile q across the trials, type 7 (linear between order statistics, as
   * quantileSorted in stats.ts and numpy's default). NaN when empty.
   */
  quantile(k: number, q: number): number {
    const n = this.total;
    if (n === 0) return NaN;
    const h = (n - 1) * q;
    const below = Math.floor(h);
    const a = this.orderStatistic(k, below);
    if (h === below) return a;
    const b = this.orderStatistic(k, Math.min(n - 1, below + 1));
    return a + (h - below) * (b - a);
  }

  /** The i-th smallest (0-based) count of bin k. */
  private orderStatistic(k: number, i: number): number {
    const f = this.freq[k];
    let seen = 0;
    for (let j = 0; j < f.length; j++) {
      seen += f[j];
      if (seen > i) return this.lo[k] + j;
    }
    throw new Error(`bin ${k}: order statistic ${i} of ${seen}`);
  }

  private addTo(k: number, value: number, times: number): void {
    let f = this.freq[k];
    let i = value - this.lo[k];
    if (f.length === 0 || i < 0 || i >= f.length) {
      f = this.widen(k, value);
      i = value - this.lo[k];
    }
    f[i] += times;
  }

  /** Bin k's run widened to hold `value`, with room to spare at the end it grew. */
  private widen(k: number, value: number): Float64Array {
    const old = this.freq[k];
    const oldLo = this.lo[k];
    if (old.length === 0) {
      this.lo[k] = value;
      return (this.freq[k] = new Float64Array(8));
    }
    const lo = Math.min(oldLo, value);
    const hi = Math.max(oldLo + old.length, value + 1);
    // Grow to twice the span, toward the side that grew (not below 0): a few widenings per bin.
    const spare = Math.max(8, hi - lo);
    const newLo = value < oldLo ? Math.max(0, lo - spare) : lo;
    const newHi = value < oldLo ? hi : hi + spare;
    const f = new Float64Array(newHi - newLo);
    f.set(old, oldLo - newLo);
    this.lo[k] = newLo;
    return (this.freq[k] = f);
  }

  /** Per bin: [lo, frequencies...] trimmed of zeros at both ends, for a shard's file. */
  toJSON(): { total: number; bins: Array<[number, ...number[]]> } {
    const bins = Array.from({ length: this.bins }, (_, k): [number, ...number[]] => {
      const f = this.freq[k];
      let a = 0;
      let b = f.length;
      while (a < b && f[a] === 0) a++;
      while (b > a && f[b - 1] === 0) b--;
      return [this.lo[k] + a, ...Array.from(f.subarray(a, b))];
    });
    return { total: this.total, bins };
  }

  static fromJSON(data: { total: number; bins: Array<[number, ...number[]]> }): CountHistograms {
    const h = new CountHistograms(data.bins.length);
    data.bins.forEach(([lo, ...freq], k) => {
      h.lo[k] = lo;
      h.freq[k] = Float64Array.from(freq);
    });
    h.total = data.total;
    return h;
  }
}
