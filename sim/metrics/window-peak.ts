import type { SendLog } from './send-log.js';
import { PEAK_WASM } from './wasm/peak-binary.js';

/** The window of peak10s, in seconds: (t - 10, t]. */
export const PEAK_WINDOW = 10;
/** Bins of the counting pass at most (about 50 MB of scratch at the bound). */
const MAX_BINS = 1 << 22;
/** Bins per second at most. */
const MAX_PER_SECOND = 64;

/**
 * The bins' width, 1/k s, for n entries whose latest time is `end`, `busy` of the seconds
 * holding some (0: not known). Any power of two gives the same peak; k sets the cost: a pass over
 * end k bins against exact counts whose work grows with the entries a bin holds. Fitted on trial
 * logs (measured: docs/performance.md): k about 0.21 n / sqrt(busy end), the nearest power of two,
 * but at least the busy seconds' entries / 20 (where GETs crowd, a bin's insertion sort and the
 * candidates grow fast): the latency-0 rollout's 2,000 entries k = 2 (15.5 microseconds a peak,
 * 23.5 at the one-entry-a-bin rule's k = 8), the rollout window's 40,000 k = 32 (249 against
 * 335), the 2-h case's 80,000 k = 8 (728 against 858), every trial throttling (146,000 in 190
 * busy seconds) k = 64 as before. Without the busy seconds (several vaults), about one entry a
 * bin over the whole span.
 */
export function binsPerSecond(n: number, end: number, busy: number): number {
  let k = 1;
  if (busy > 0) {
    const fit = (0.21 * n) / Math.sqrt(busy * end);
    const crowd = n / busy / 20;
    while (k < MAX_PER_SECOND && (k * Math.SQRT2 < fit || k < crowd)) k *= 2;
  } else {
    while (k < MAX_PER_SECOND && k * end < n) k *= 2;
  }
  return k;
}

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
 * The passes run in WebAssembly (sim/metrics/wasm/peak.ts) over a copy of the log in its
 * memory, one instance per thread: on hot logs of 2,000 to 145,600 entries 0.55 to 0.65 of the
 * cost of the same passes over JavaScript typed arrays (measured). Its memory is kept and
 * grown: a call allocates nothing but the copy's few views once grown.
 */
export class WindowPeak {
  /**
   * The log whose copy the passes' memory holds (`load`), its length and latest time (at least
   * 1; 0 until worked out: by `countSeconds`, which reads every time anyway, or by the first peak).
   */
  private loaded: SendLog | null = null;
  private loadedLength = 0;
  private loadedEnd = 0;
  /** Seconds that hold some entry of the loaded log, from `countSeconds` (0: not counted since `load`). */
  private busySeconds = 0;

  /**
   * The peak over the entries `which` selects (EVERY_SEND, ANY_VAULT or a vault's index), in
   * windows (t - window, t] (10 s: peak10s; a sliding-window limiter's own window for the
   * limiter shapes' check).
   */
  peak(log: SendLog, which: number, window = PEAK_WINDOW): number {
    this.load(log);
    return this.peakOfLoaded(which, undefined, window);
  }

  /**
   * Copies the log into the passes' memory, for `countSeconds` and `peakOfLoaded` (which read
   * that copy: load again after the log changes). The collector loads the log once for its count
   * by seconds and its peaks.
   */
  load(log: SendLog): void {
    const n = log.length;
    const p = (passes ??= new PeakPasses());
    if (n > p.entries) p.lay(2 * n, p.bins, p.seconds);
    const { buffer } = p.x.memory;
    new Float64Array(buffer, p.times, n).set(log.times.subarray(0, n));
    new Int32Array(buffer, p.vaults, n).set(log.vaults.subarray(0, n));
    new Int32Array(buffer, p.counts, n).set(log.counts.subarray(0, n));
    p.holder = this;
    this.busySeconds = 0;
    this.loaded = log;
    this.loadedLength = n;
    this.loadedEnd = 0;
  }

  /**
   * The loaded log's GETs per second into perSecond (seconds + 1 slots: the last for a GET at a
   * whole horizon), those that reached no vault into unreachablePerSecond (as many), each
   * overwritten; returns every GET, and `unreachable` those that reached no vault. Every time is
   * below seconds + 1 and below 2^31 s (trial-collector.ts's countSendsPerSecond says why).
   */
  countSeconds(seconds: number, perSecond: Uint32Array, unreachablePerSecond: Uint32Array): number {
    const p = this.passes();
    if (seconds + 1 > p.seconds) p.lay(p.entries, p.bins, 2 * (seconds + 1));
    const total = p.x.countSeconds(p.times, p.vaults, p.counts, this.loadedLength, seconds, p.perSecond, p.lost);
    const { buffer } = p.x.memory;
    perSecond.set(new Uint32Array(buffer, p.perSecond, seconds + 1));
    unreachablePerSecond.set(new Uint32Array(buffer, p.lost, seconds + 1));
    this.unreachable = p.x.unreached.value as number;
    this.busySeconds = p.x.busy.value as number;
    this.loadedEnd = Math.max(1, p.x.latest.value as number);
    return total;
  }

  /** GETs of the last `countSeconds` that reached no vault. */
  unreachable = 0;

  /** Whether the loaded log's peak over the entries `which` selects, in windows of `window` s, exceeds `limit` (only as much counted as that needs). */
  peakExceeds(which: number, window: number, limit: number): boolean {
    return this.peakOfLoaded(which, undefined, window, limit) > limit;
  }

  /**
   * The loaded log's peak over the entries `which` selects (with bins of 1/`bins` s when given),
   * in windows of `window` s; with `above` (>= 0), a count above it as soon as one is found, else
   * a value at most `above` (peakExceeds).
   */
  peakOfLoaded(which: number, bins?: number, window = PEAK_WINDOW, above = -1): number {
    const n = this.loadedLength;
    if (n === 0) return 0;
    const p = this.passes();
    // Once per load: every peak of the copy (one per vault, with several) needs it.
    if (this.loadedEnd === 0) this.loadedEnd = Math.max(1, p.x.maxTime(p.times, n));
    const end = this.loadedEnd;
    // `bins`: a power of two up to MAX_PER_SECOND in place of the chosen one (tests: the peak is the same for every width).
    let k = bins ?? binsPerSecond(n, end, this.busySeconds);
    while (k > 1 && (end + window) * k >= MAX_BINS) k /= 2;
    // Times and window beyond about 48 days (a long shape's window: a token bucket's capacity over
    // its refill), or a window that is not a whole number of bins (7.3 s), which breaks the bins'
    // argument: the sorted scan.
    if ((end + window) * k >= MAX_BINS || !Number.isInteger(window * k)) return sortedPeak(this.loaded!, which, window);
    const w = window * k;
    const size = Math.floor(end * k) + 1 + w;
    if (size > p.bins) p.lay(p.entries, 2 * size, p.seconds);
    return p.x.peak(p.times, p.vaults, p.counts, p.next, p.weight, p.head, p.scratch, n, which, k, w, size, above);
  }

  /**
   * Whether more than `limit` of the loaded log's GETs that `which` selects fall in one window
   * [phase + j window, phase + (j + 1) window) (a fixed window's verdict on the log): one pass,
   * in any order, in the bins' memory. Undefined for windows too short to count one by one
   * (more than MAX_BINS of them).
   */
  windowCountExceeds(which: number, phase: number, window: number, limit: number): boolean | undefined {
    const p = this.passes();
    for (;;) {
      const got = p.x.windowCountExceeds(p.times, p.vaults, p.counts, this.loadedLength, which, phase, window, limit, p.weight, p.bins);
      if (got >= 0) return got === 1;
      if (p.bins >= MAX_BINS) return undefined;
      p.lay(p.entries, Math.min(MAX_BINS, Math.max(1024, 2 * p.bins)), p.seconds);
    }
  }

  /** Whether the passes' memory holds a copy of `log` loaded by this WindowPeak (since any other's load). */
  holds(log: SendLog): boolean {
    return this.loaded === log && passes !== null && passes.holder === this;
  }

  private passes(): PeakPasses {
    if (this.loaded === null || passes === null) throw new Error('WindowPeak: no log loaded');
    if (passes.holder !== this) throw new Error('WindowPeak: another log was loaded since');
    return passes;
  }
}

/**
 * The passes' module, one instance per thread (a memory per collector cost a memory's
 * reservation per batch), and its layout; `holder` is the WindowPeak whose log it holds.
 */
class PeakPasses {
  readonly x: PeakExports;
  holder: WindowPeak | null = null;
  // Byte offsets: the log's copy (times, vaults, counts) and the chains' next entries for
  // `entries` entries, the bins' GETs and heads for `bins` bins, the counts by second for
  // `seconds` seconds, then the scratch (last: the passes grow the memory under it).
  entries = 0;
  bins = 0;
  seconds = 0;
  times = 0;
  vaults = 0;
  counts = 0;
  next = 0;
  weight = 0;
  head = 0;
  perSecond = 0;
  lost = 0;
  scratch = 0;

  constructor() {
    const module = new WebAssembly.Module(Buffer.from(PEAK_WASM, 'base64'));
    this.x = new WebAssembly.Instance(module, { env: { abort: peakAborted } }).exports as unknown as PeakExports;
  }

  /** Room for `entries` entries, `bins` bins and `seconds` seconds (a change of `entries` moves the log's copy: `load` lays out before it copies). */
  lay(entries: number, bins: number, seconds: number): void {
    const align = (b: number) => (b + 15) & ~15;
    this.entries = entries;
    this.bins = bins;
    this.seconds = seconds;
    this.times = align(this.x.heapBase());
    this.vaults = align(this.times + 8 * entries);
    this.counts = align(this.vaults + 4 * entries);
    this.next = align(this.counts + 4 * entries);
    this.weight = align(this.next + 4 * entries);
    this.head = align(this.weight + 8 * bins);
    this.perSecond = align(this.head + 4 * bins);
    this.lost = align(this.perSecond + 4 * seconds);
    this.scratch = align(this.lost + 4 * seconds);
    const bytes = this.scratch + 16 * 1024;
    const have = this.x.memory.buffer.byteLength;
    if (bytes > have) this.x.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}

/** What sim/metrics/wasm/peak.ts exports. */
interface PeakExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  maxTime(times: number, n: number): number;
  countSeconds(times: number, vaults: number, counts: number, n: number, seconds: number, perSecond: number, lost: number): number;
  unreached: WebAssembly.Global;
  busy: WebAssembly.Global;
  latest: WebAssembly.Global;
  peak(times: number, vaults: number, counts: number, next: number, weight: number, head: number, scratch: number, n: number, which: number, k: number, w: number, size: number, above: number): number;
  windowCountExceeds(times: number, vaults: number, counts: number, n: number, which: number, phase: number, window: number, limit: number, per: number, slots: number): number;
}

let passes: PeakPasses | null = null;

function peakAborted(): never {
  throw new Error('the 10-s peak\'s passes (WebAssembly) aborted');
}

/** The scan of the sorted log: for times beyond the bins' reach. */
function sortedPeak(log: SendLog, which: number, window: number): number {
  log.sort(log.maxTime());
  const { times, counts, vaults } = log;
  const selected = (v: number) => which === EVERY_SEND || (which === ANY_VAULT ? v >= 0 : v === which);
  let lo = 0;
  let total = 0;
  let peak = 0;
  for (let i = 0; i < log.length; i++) {
    if (!selected(vaults[i])) continue;
    const since = times[i] - window;
    for (; times[lo] <= since; lo++) if (selected(vaults[lo])) total -= counts[lo];
    total += counts[i];
    if (total > peak) peak = total;
  }
  return peak;
}
