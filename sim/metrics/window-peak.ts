import type { SendLog } from './send-log.js';

/** The window of peak10s, in seconds: (t - 10, t]. */
const WINDOW = 10;
/** Bins of the counting pass at most (about 50 MB of scratch at the bound). */
const MAX_BINS = 1 << 22;
/** Bins per second at most. */
const MAX_PER_SECOND = 64;

/** Which of a log's entries a peak counts: every one, those that reached a vault, or one vault's. */
export const EVERY_SEND = -3;
export const ANY_VAULT = -2;

/**
 * The largest number of GETs in any 10-s window (t - 10, t], t a send's time, of a send log in
 * any order, exactly, without sorting it.
 *
 * The log's times are counted into bins of 1/k s (k a power of two, so that t * k is exact and
 * a bin's edges are exact doubles). For a window that ends in bin b, with w = 10 k, every entry
 * of bins b - w + 2 .. b - 1 is surely inside: their times exceed (b + 1 - w) / k, an exact
 * double, which the rounded t - 10 of any t in bin b does not exceed. Entries of bins below
 * b - w are surely outside (their times are below (b - w) / k, which the rounded t - 10 is not
 * below). So the windows ending in bin b hold between full(b) + n(b) (the one ending at b's
 * last entry) and full(b) + n(b) + n(b - w) + n(b - w + 1) GETs, full(b) being the sum over the
 * surely-inside bins. The largest lower bound is a count that some window holds; only the bins
 * whose upper bound exceeds the peak found so far can beat it, and only their entries and those
 * of their two partial bins are ordered (bins hold few entries) and counted exactly as
 * (t - 10, t] in doubles, the arithmetic of a scan of the sorted log. A rollout's 10-s sums
 * vary by tens of GETs while a bin holds a few: a handful of bins are ordered, not the log.
 *
 * Scratch arrays are kept and grown: a call allocates nothing once grown.
 */
export class WindowPeak {
  // Per bin, shifted by w (bin b at b + w, the first w left empty, so that b - w needs no
  // test): its GETs, and its first entry in a chain of entries through `next` (-1: none).
  private weight = new Float64Array(0);
  private head = new Int32Array(0);
  private next = new Int32Array(0);
  // A candidate's entries in time order: its two partial bins' first, then its own.
  private times = new Float64Array(64);
  private counts = new Float64Array(64);

  /** The peak over the entries `which` selects (EVERY_SEND, ANY_VAULT or a vault's index). */
  peak(log: SendLog, which: number): number {
    const n = log.length;
    if (n === 0) return 0;
    const end = Math.max(1, log.maxTime());
    let k = 1;
    while (k < MAX_PER_SECOND && k * end < n) k *= 2;
    while (k > 1 && end * k >= MAX_BINS) k /= 2;
    // Beyond about 48 days of times: the sorted scan (no scenario within the size check gets here).
    if (end * k >= MAX_BINS) return sortedPeak(log, which);
    const w = WINDOW * k;
    const size = Math.floor(end * k) + 1 + w;
    if (this.weight.length < size) {
      this.weight = new Float64Array(size * 2);
      this.head = new Int32Array(size * 2);
    }
    if (this.next.length < n) this.next = new Int32Array(log.times.length);
    const { weight, head } = this;
    weight.fill(0, 0, size);
    head.fill(-1, 0, size);
    countBins(log, which, k, w, weight, head, this.next);
    let peak = lowerBound(weight, size, w);
    let full = 0;
    for (let b = w; b < size; b++) {
      // Rarely true, so a branch the predictor gets right (an empty bin ends no window).
      if (full + weight[b] + weight[b - w] + weight[b - w + 1] > peak && weight[b] > 0) {
        const exact = this.exact(log, b, w, full);
        if (exact > peak) peak = exact;
      }
      full += weight[b] - weight[b - w + 2];
    }
    return peak;
  }

  /**
   * The largest window ending in (shifted) bin b, full GETs surely inside: the entries of b and
   * of its two partial bins in time order, then counted as (t - 10, t] in doubles.
   */
  private exact(log: SendLog, b: number, w: number, full: number): number {
    const partials = this.collect(log, b - w + 1, this.collect(log, b - w, 0));
    const all = this.collect(log, b, partials);
    const { times, counts } = this;
    // The two partial bins' entries are in time order once each bin's are: order both at once.
    insertionSort(times, counts, 0, partials);
    insertionSort(times, counts, partials, all);
    let partial = 0;
    for (let i = 0; i < partials; i++) partial += counts[i];
    let lo = 0;
    let inside = full;
    let peak = 0;
    for (let i = partials; i < all; i++) {
      const since = times[i] - WINDOW;
      while (lo < partials && times[lo] <= since) partial -= counts[lo++];
      inside += counts[i];
      if (inside + partial > peak) peak = inside + partial;
    }
    return peak;
  }

  /** Bin b's entries into the scratch from place `from` on; returns the place after them. */
  private collect(log: SendLog, b: number, from: number): number {
    let j = from;
    for (let i = this.head[b]; i >= 0; i = this.next[i]) {
      if (j === this.times.length) this.growScratch();
      this.times[j] = log.times[i];
      this.counts[j++] = log.counts[i];
    }
    return j;
  }

  private growScratch(): void {
    const t = new Float64Array(this.times.length * 2); t.set(this.times); this.times = t;
    const c = new Float64Array(this.counts.length * 2); c.set(this.counts); this.counts = c;
  }
}

// The passes, each a function of its own (see send-log.ts: one loop per function compiles best).

/** GETs per bin of 1/k s (shifted by w), and each bin's chain of entries. */
function countBins(log: SendLog, which: number, k: number, w: number, weight: Float64Array, head: Int32Array, next: Int32Array): void {
  const { times, vaults, counts, length } = log;
  for (let i = 0; i < length; i++) {
    if (which !== EVERY_SEND && (which === ANY_VAULT ? vaults[i] < 0 : vaults[i] !== which)) continue;
    const b = ((times[i] * k) | 0) + w;
    weight[b] += counts[i];
    next[i] = head[b];
    head[b] = i;
  }
}

/**
 * The largest full(b) + n(b) over the bins: a number of GETs that some window holds. For a bin
 * holding an entry, the window ending at its last entry; for an empty one, full(b) is within
 * the window ending at the last entry before it (the bins between are empty), or 0. So no test
 * of emptiness, and no branch that the predictor misses: the running maximum rarely changes.
 */
function lowerBound(weight: Float64Array, size: number, w: number): number {
  let found = 0;
  let full = 0;
  for (let b = w; b < size; b++) {
    const inside = full + weight[b];
    if (inside > found) found = inside;
    full += weight[b] - weight[b - w + 2];
  }
  return found;
}

/** Insertion sort of [from, to) by time (a bin's few entries). */
function insertionSort(times: Float64Array, counts: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const t = times[i];
    if (t >= times[i - 1]) continue;
    const c = counts[i];
    let j = i - 1;
    while (j >= from && times[j] > t) {
      times[j + 1] = times[j];
      counts[j + 1] = counts[j];
      j--;
    }
    times[j + 1] = t;
    counts[j + 1] = c;
  }
}

/** The scan of the sorted log: for times beyond the bins' reach. */
function sortedPeak(log: SendLog, which: number): number {
  log.sort(log.maxTime());
  const { times, counts, vaults } = log;
  const selected = (v: number) => which === EVERY_SEND || (which === ANY_VAULT ? v >= 0 : v === which);
  let lo = 0;
  let total = 0;
  let peak = 0;
  for (let i = 0; i < log.length; i++) {
    if (!selected(vaults[i])) continue;
    const since = times[i] - WINDOW;
    for (; times[lo] <= since; lo++) if (selected(vaults[lo])) total -= counts[lo];
    total += counts[i];
    if (total > peak) peak = total;
  }
  return peak;
}
