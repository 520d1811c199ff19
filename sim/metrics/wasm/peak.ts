// AssemblyScript, compiled to WebAssembly by the build (sim/build-wasm.mjs): the 10-s
// peak's passes of window-peak.ts over a send log copied into this module's memory, line for
// line in the same doubles (the argument is window-peak.ts's comment). In WebAssembly each pass
// costs a third to a quarter of the same loop over JavaScript typed arrays on the machines we
// measured (test/window-peak.test.ts holds both to the direct count).
//
// Memory (byte offsets from the caller): the log's times (f64), vaults and counts (i32); each
// entry's next entry in its bin's chain (i32); per bin its GETs (f64) and first entry (i32); last,
// a candidate's entries in time order (f64 time, f64 count pairs), grown here as needed.

const EVERY_SEND: i32 = -3;
const ANY_VAULT: i32 = -2;
/** The window's length in seconds, w / k of the current peak (10 for peak10s). */
let windowSeconds: f64 = 10;

let times: usize = 0;
let vaults: usize = 0;
let counts: usize = 0;
let next: usize = 0;
let weight: usize = 0;
let head: usize = 0;
let scratch: usize = 0;

export function heapBase(): usize {
  return __heap_base;
}

/** GETs of the last `countSeconds` that reached no vault. */
export let unreached: f64 = 0;
/** Seconds [0, seconds] that hold some entry, and the latest time (0 when none is later), in the last `countSeconds`. */
export let busy: i32 = 0;
export let latest: f64 = 0;

/**
 * trial-collector.ts's count by seconds, over the n entries at t, v, c: GETs per second into the
 * u32 array at `per` (seconds + 1 slots: the last for a GET at a whole horizon) and, for those
 * that reached no vault, into the one at `lost` (as many); returns every GET, and sets
 * `busy` and `latest` (maxTime's answer). Times are >= 0 and below 2^31 s: truncation is the floor.
 */
export function countSeconds(t: usize, v: usize, c: usize, n: i32, seconds: i32, per: usize, lost: usize): f64 {
  memory.fill(per, 0, <usize>(seconds + 1) << 2);
  memory.fill(lost, 0, <usize>(seconds + 1) << 2);
  let total: f64 = 0;
  let missed: f64 = 0;
  let occupied: i32 = 0;
  let max: f64 = 0;
  for (let i = 0; i < n; i++) {
    const k = load<i32>(c + (<usize>i << 2));
    const x = load<f64>(t + (<usize>i << 3));
    if (x > max) max = x;
    const s = <i32>x;
    total += <f64>k;
    if (s <= seconds) {
      const at = per + (<usize>s << 2);
      const was = load<u32>(at);
      // An entry's count is at least 1: a second's first entry finds 0.
      occupied += <i32>(was == 0);
      store<u32>(at, was + <u32>k);
    }
    if (load<i32>(v + (<usize>i << 2)) < 0) {
      missed += <f64>k;
      if (s <= seconds) {
        const at = lost + (<usize>s << 2);
        store<u32>(at, load<u32>(at) + <u32>k);
      }
    }
  }
  unreached = missed;
  busy = occupied;
  latest = max;
  return total;
}

/**
 * Whether more than `limit` of the n entries `which` selects fall in one window [phase + j w,
 * phase + (j + 1) w): each counted into its window, j worked out as fixed-window.ts's `roll`
 * does (the same doubles), into the f64 array at `per` (`slots` of them, window j at j + 1).
 * 1 or 0; -1 when a window lies outside the slots (the caller lays more, or replays).
 */
export function windowCountExceeds(t: usize, v: usize, c: usize, n: i32, which: i32, phase: f64, w: f64, limit: f64, per: usize, slots: i32): i32 {
  memory.fill(per, 0, <usize>slots << 3);
  for (let i = 0; i < n; i++) {
    if (which != EVERY_SEND) {
      const vault = load<i32>(v + (<usize>i << 2));
      if (which == ANY_VAULT ? vault < 0 : vault != which) continue;
    }
    // Times >= 0 and 0 <= phase < w: j >= 0; outside the slots either way, the caller decides.
    const x = Math.floor((load<f64>(t + (<usize>i << 3)) - phase) / w) + 1;
    if (!(x >= 0 && x < <f64>slots)) return -1;
    const j = <i32>x;
    const at = per + (<usize>j << 3);
    const sum = load<f64>(at) + <f64>load<i32>(c + (<usize>i << 2));
    if (sum > limit) return 1;
    store<f64>(at, sum);
  }
  return 0;
}

/** The latest of the first n times (0 when none is later). */
export function maxTime(t: usize, n: i32): f64 {
  let max: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(t + (<usize>i << 3));
    if (x > max) max = x;
  }
  return max;
}

@inline function weightAt(b: i32): f64 {
  return load<f64>(weight + (<usize>b << 3));
}

/**
 * The peak over the n entries `which` selects, in bins of 1/k s shifted by w, `size` bins; the
 * arrays at the given offsets (the scratch last in memory). With `above` >= 0 the question is
 * only whether the peak exceeds it: the answer is a count above it (some window's) as soon as
 * one is found, else at most `above`, and only bins that could hold more are counted exactly.
 */
export function peak(t: usize, v: usize, c: usize, nx: usize, wt: usize, hd: usize, sc: usize, n: i32, which: i32, k: f64, w: i32, size: i32, above: f64): f64 {
  windowSeconds = <f64>w / k;
  times = t;
  vaults = v;
  counts = c;
  next = nx;
  weight = wt;
  head = hd;
  scratch = sc;
  memory.fill(weight, 0, <usize>size << 3);
  // Every byte 0xff: every head -1.
  memory.fill(head, 0xff, <usize>size << 2);
  // GETs per bin of 1/k s (shifted by w), and each bin's chain of entries.
  for (let i = 0; i < n; i++) {
    if (which != EVERY_SEND) {
      const vault = load<i32>(vaults + (<usize>i << 2));
      if (which == ANY_VAULT ? vault < 0 : vault != which) continue;
    }
    const b = <i32>(load<f64>(times + (<usize>i << 3)) * k) + w;
    const wp = weight + (<usize>b << 3);
    store<f64>(wp, load<f64>(wp) + <f64>load<i32>(counts + (<usize>i << 2)));
    const hp = head + (<usize>b << 2);
    store<i32>(next + (<usize>i << 2), load<i32>(hp));
    store<i32>(hp, i);
  }
  // The lower bound: the largest full(b) + n(b).
  let found: f64 = 0;
  let full: f64 = 0;
  for (let b = w; b < size; b++) {
    const x = weightAt(b);
    const inside = full + x;
    if (inside > found) found = inside;
    full += x - weightAt(b - w + 2);
  }
  if (above >= 0 && found > above) return found;
  // The bins whose upper bound exceeds the peak so far (or `above`), counted exactly.
  let best = above > found ? above : found;
  full = 0;
  for (let b = w; b < size; b++) {
    const x = weightAt(b);
    if (full + x + weightAt(b - w) + weightAt(b - w + 1) > best && x > 0) {
      const e = exact(b, w, full);
      if (e > best) best = e;
      if (above >= 0 && best > above) return best;
    }
    full += x - weightAt(b - w + 2);
  }
  return best;
}

/**
 * The largest window ending in (shifted) bin b, `full` GETs surely inside: the entries of b and
 * of its two partial bins in time order, then counted as (t - window, t] in doubles.
 */
function exact(b: i32, w: i32, full: f64): f64 {
  const partials = collect(b - w + 1, collect(b - w, 0));
  const all = collect(b, partials);
  insertionSort(0, partials);
  insertionSort(partials, all);
  let partial: f64 = 0;
  for (let i = 0; i < partials; i++) partial += countOf(i);
  let lo = 0;
  let inside = full;
  let best: f64 = 0;
  for (let i = partials; i < all; i++) {
    const since = timeOf(i) - windowSeconds;
    while (lo < partials && timeOf(lo) <= since) {
      partial -= countOf(lo);
      lo++;
    }
    inside += countOf(i);
    if (inside + partial > best) best = inside + partial;
  }
  return best;
}

@inline function timeOf(i: i32): f64 {
  return load<f64>(scratch + (<usize>i << 4));
}

@inline function countOf(i: i32): f64 {
  return load<f64>(scratch + (<usize>i << 4), 8);
}

/** Bin b's entries into the scratch from place `from` on; returns the place after them. */
function collect(b: i32, from: i32): i32 {
  let j = from;
  for (let i = load<i32>(head + (<usize>b << 2)); i >= 0; i = load<i32>(next + (<usize>i << 2))) {
    const at = scratch + (<usize>j << 4);
    const end = at + 16;
    const size = <usize>memory.size() << 16;
    if (end > size && memory.grow(<i32>((end - size + 0xffff) >>> 16) + 1) < 0) unreachable();
    store<f64>(at, load<f64>(times + (<usize>i << 3)));
    store<f64>(at, <f64>load<i32>(counts + (<usize>i << 2)), 8);
    j++;
  }
  return j;
}

/** Insertion sort of the scratch's [from, to) by time (a bin's few entries). */
function insertionSort(from: i32, to: i32): void {
  for (let i = from + 1; i < to; i++) {
    const t = timeOf(i);
    if (t >= timeOf(i - 1)) continue;
    const c = countOf(i);
    let j = i - 1;
    while (j >= from && timeOf(j) > t) {
      store<f64>(scratch + (<usize>(j + 1) << 4), timeOf(j));
      store<f64>(scratch + (<usize>(j + 1) << 4), countOf(j), 8);
      j--;
    }
    store<f64>(scratch + (<usize>(j + 1) << 4), t);
    store<f64>(scratch + (<usize>(j + 1) << 4), c, 8);
  }
}
