/**
 * Every GET a trial's fleet sent: (time, vault, count), count > 1 for the same-instant GETs of a
 * latency-0 reconcile; vault -1 for a GET that never reached a vault (an outage). Appended in
 * any order (the independent driver runs one cluster after another), sorted by time on demand
 * (the vault check's replay; the 10-s peaks need no order, see window-peak.ts).
 * Growable typed arrays, reused across trials: appending allocates nothing once grown.
 */
export class SendLog {
  times: Float64Array;
  vaults: Int32Array;
  counts: Int32Array;
  length = 0;
  // Scratch for the bucket sort, grown with the log.
  private keys: Int32Array = new Int32Array(0);
  private buckets: Int32Array = new Int32Array(0);
  private perSecond: Int32Array = new Int32Array(0);
  private spareTimes: Float64Array = new Float64Array(0);
  private spareVaults: Int32Array = new Int32Array(0);
  private spareCounts: Int32Array = new Int32Array(0);

  /** `capacity`: a first guess of the sends of a trial (the log grows beyond it). */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.times = new Float64Array(n);
    this.vaults = new Int32Array(n);
    this.counts = new Int32Array(n);
  }

  clear(): void {
    this.length = 0;
  }

  /** Appends one entry. Nothing else is kept up to date (the order, the latest time): a push is three stores. */
  push(t: number, vault: number, count: number): void {
    const i = this.length;
    if (i === this.times.length) this.grow();
    this.times[i] = t;
    this.vaults[i] = vault;
    this.counts[i] = count;
    this.length = i + 1;
  }

  /** The latest time logged (0 when empty). */
  maxTime(): number {
    const { times, length } = this;
    let max = 0;
    for (let i = 0; i < length; i++) if (times[i] > max) max = times[i];
    return max;
  }

  private isSorted(): boolean {
    const { times, length } = this;
    for (let i = 1; i < length; i++) if (times[i] < times[i - 1]) return false;
    return true;
  }

  /**
   * Orders the entries by time (equal times in any order: nothing read from the log depends on
   * their order). A bucket sort with one bucket per entry, each second of [0, horizon] getting as
   * many buckets as it has entries (a rollout crowds its GETs into a few minutes of a long
   * horizon), then an insertion pass that only meets the few entries sharing a bucket: O(n).
   */
  sort(horizon: number): void {
    if (this.isSorted()) return;
    const n = this.length;
    const seconds = Math.max(1, Math.ceil(horizon)) + 1;
    if (this.keys.length < n) {
      this.keys = new Int32Array(this.times.length);
      this.spareTimes = new Float64Array(this.times.length);
      this.spareVaults = new Int32Array(this.times.length);
      this.spareCounts = new Int32Array(this.times.length);
    }
    if (this.buckets.length < n + 1) this.buckets = new Int32Array(2 * n + 1);
    if (this.perSecond.length < seconds + 1) this.perSecond = new Int32Array(seconds + 1);
    const { times, vaults, counts, keys, buckets, perSecond } = this;
    const t2 = this.spareTimes, v2 = this.spareVaults, c2 = this.spareCounts;
    secondsOf(times, n, seconds, keys, perSecond);
    bucketKeys(times, n, perSecond, keys, buckets);
    scatter(times, vaults, counts, n, keys, buckets, t2, v2, c2);
    insertionPass(t2, v2, c2, n);
    // The sorted copy becomes the log; the old arrays become the scratch.
    this.spareTimes = times; this.spareVaults = vaults; this.spareCounts = counts;
    this.times = t2; this.vaults = v2; this.counts = c2;
  }

  /**
   * Room for n more entries past `length`, for a writer that stores into the arrays itself and
   * then sets `length` (the quiet clusters' walk): the arrays may be new ones after this call.
   */
  reserve(n: number): void {
    while (this.length + n > this.times.length) this.grow();
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n); t.set(this.times); this.times = t;
    const v = new Int32Array(n); v.set(this.vaults); this.vaults = v;
    const c = new Int32Array(n); c.set(this.counts); this.counts = c;
  }
}

// The sort's passes, each a function of its own: called once per trial, each loop is compiled
// on its own (on-stack replacement) with the feedback of its own past calls. In one function,
// the code compiled in the first loop met the later loops without feedback and deoptimized at
// every call.

/**
 * The second of each entry's time, clamped to [0, seconds), into keys[i]; entries per second
 * into perSecond[1..seconds], then their running sum.
 */
function secondsOf(times: Float64Array, n: number, seconds: number, keys: Int32Array, perSecond: Int32Array): void {
  perSecond.fill(0, 0, seconds + 1);
  const last = seconds - 1;
  for (let i = 0; i < n; i++) {
    // Times are >= 0, so truncation is floor (a time past 2^31 s lands in the last second, and
    // the insertion pass still orders it).
    let s = times[i] | 0;
    if (s > last || s < 0) s = last;
    keys[i] = s;
    perSecond[s + 1]++;
  }
  for (let s = 0; s < seconds; s++) perSecond[s + 1] += perSecond[s];
}

/**
 * Each entry's bucket, in place of its second in keys: second s, holding m entries, owns buckets
 * [first[s], first[s] + m) (the running sum), one per equal fraction of the second. The buckets'
 * sizes into starts[1..n], then their running sum.
 */
function bucketKeys(times: Float64Array, n: number, first: Int32Array, keys: Int32Array, starts: Int32Array): void {
  starts.fill(0, 0, n + 1);
  for (let i = 0; i < n; i++) {
    const t = times[i];
    const s = keys[i];
    const from = first[s];
    const m = first[s + 1] - from;
    let j = ((t - s) * m) | 0;
    if (j > m - 1) j = m - 1;
    const k = from + j;
    keys[i] = k;
    starts[k + 1]++;
  }
  for (let k = 0; k < n; k++) starts[k + 1] += starts[k];
}

/** The entries into their buckets' places (stable). */
function scatter(
  times: Float64Array, vaults: Int32Array, counts: Int32Array, n: number, keys: Int32Array, starts: Int32Array,
  t2: Float64Array, v2: Int32Array, c2: Int32Array,
): void {
  for (let i = 0; i < n; i++) {
    const j = starts[keys[i]]++;
    t2[j] = times[i];
    v2[j] = vaults[i];
    c2[j] = counts[i];
  }
}

/** Insertion sort of bucket-sorted entries: it only meets the few that share a bucket. */
function insertionPass(t2: Float64Array, v2: Int32Array, c2: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const t = t2[i];
    if (t >= t2[i - 1]) continue;
    const v = v2[i], c = c2[i];
    let j = i - 1;
    while (j >= 0 && t2[j] > t) {
      t2[j + 1] = t2[j]; v2[j + 1] = v2[j]; c2[j + 1] = c2[j];
      j--;
    }
    t2[j + 1] = t; v2[j + 1] = v; c2[j + 1] = c;
  }
}
