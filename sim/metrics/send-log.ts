/**
 * Every GET a trial's fleet sent: (time, vault, count), count > 1 for the same-instant GETs of a
 * latency-0 reconcile; vault -1 for a GET that never reached a vault (an outage). Appended in
 * any order (the independent driver runs one cluster after another), sorted by time on demand.
 * Growable typed arrays, reused across trials: appending allocates nothing once grown.
 */
export class SendLog {
  times: Float64Array;
  vaults: Int32Array;
  counts: Int32Array;
  length = 0;
  private sorted = true;
  // Scratch for the bucket sort, grown with the log.
  private keys: Int32Array = new Int32Array(0);
  private buckets: Int32Array = new Int32Array(0);
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
    this.sorted = true;
  }

  push(t: number, vault: number, count: number): void {
    const i = this.length;
    if (i === this.times.length) this.grow();
    if (i > 0 && t < this.times[i - 1]) this.sorted = false;
    this.times[i] = t;
    this.vaults[i] = vault;
    this.counts[i] = count;
    this.length = i + 1;
  }

  /**
   * Orders the entries by time (equal times in any order: nothing read from the log depends on
   * their order). A bucket sort into about one bucket per entry over [0, horizon], then an
   * insertion pass that only meets the few entries sharing a bucket: O(n) for spread times.
   */
  sort(horizon: number): void {
    if (this.sorted) return;
    const n = this.length;
    const nb = Math.max(1, n);
    if (this.keys.length < n) {
      this.keys = new Int32Array(this.times.length);
      this.spareTimes = new Float64Array(this.times.length);
      this.spareVaults = new Int32Array(this.times.length);
      this.spareCounts = new Int32Array(this.times.length);
    }
    if (this.buckets.length < nb + 1) this.buckets = new Int32Array(2 * nb + 1);
    const { times, vaults, counts, keys } = this;
    const starts = this.buckets;
    starts.fill(0, 0, nb + 1);
    const scale = nb / Math.max(horizon, 1e-9);
    for (let i = 0; i < n; i++) {
      const k = Math.min(nb - 1, Math.max(0, Math.floor(times[i] * scale)));
      keys[i] = k;
      starts[k + 1]++;
    }
    for (let k = 0; k < nb; k++) starts[k + 1] += starts[k];
    const t2 = this.spareTimes, v2 = this.spareVaults, c2 = this.spareCounts;
    for (let i = 0; i < n; i++) {
      const j = starts[keys[i]]++;
      t2[j] = times[i];
      v2[j] = vaults[i];
      c2[j] = counts[i];
    }
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
    // The sorted copy becomes the log; the old arrays become the scratch.
    this.spareTimes = times; this.spareVaults = vaults; this.spareCounts = counts;
    this.times = t2; this.vaults = v2; this.counts = c2;
    this.sorted = true;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n); t.set(this.times); this.times = t;
    const v = new Int32Array(n); v.set(this.vaults); this.vaults = v;
    const c = new Int32Array(n); c.set(this.counts); this.counts = c;
  }
}

/** The largest count of GETs in any 10-s window (t - 10, t] of a time-sorted log. */
export function peak10s(log: SendLog): number {
  const { times, counts } = log;
  let lo = 0;
  let total = 0;
  let peak = 0;
  for (let i = 0; i < log.length; i++) {
    const since = times[i] - 10;
    while (times[lo] <= since) total -= counts[lo++];
    total += counts[i];
    if (total > peak) peak = total;
  }
  return peak;
}

/** The same over one vault's entries, or (ANY_VAULT) over every entry that reached a vault. */
export function peak10sOf(log: SendLog, vault: number): number {
  const { times, counts, vaults } = log;
  let lo = 0;
  let total = 0;
  let peak = 0;
  for (let i = 0; i < log.length; i++) {
    const v = vaults[i];
    if (vault === ANY_VAULT ? v < 0 : v !== vault) continue;
    const since = times[i] - 10;
    for (; times[lo] <= since; lo++) {
      const w = vaults[lo];
      if (vault === ANY_VAULT ? w >= 0 : w === vault) total -= counts[lo];
    }
    total += counts[i];
    if (total > peak) peak = total;
  }
  return peak;
}

export const ANY_VAULT = -2;
