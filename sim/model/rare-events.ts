import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import type { RandomStream } from '../engine/random.js';
import type { LimiterConfig } from './config.js';
import { combineRare, type RareEstimate, type RareSums } from '../metrics/rare-estimate.js';
import { createLimiter } from './limiters/index.js';
import { SendLog } from '../metrics/send-log.js';
import { VaultGateway } from './vault-gateway.js';
import { replaySends } from './vault-replay.js';

/**
 * Rare events of a jittered rollout by importance sampling (docs/model.md, "Rare events: importance
 * sampling", which states the method and proves which union holds each event): the recipe's fleet
 * (N clusters, each fetching its S secrets at one instant uniform on [0, J), no retries, no other
 * load), where a throttling probability of 1e-9 is out of reach of plain Monte Carlo. Each event
 * E lies inside a union of events A_w = "more than k clusters land in run w of bins", of exact
 * binomial probability p_w; trials are drawn from the mixture of the A_w's conditional laws
 * (component w with probability p_w / P), and 1[E] P / M(x), M(x) the number of A_w that occur,
 * is unbiased for P(E) (Adler, Blanchet and Liu, Ann. Appl. Probab. 22, 2012, section 3).
 */

/** The rollout: N clusters, S GETs each at one instant uniform on [0, J). */
export interface RecipeRollout {
  clusters: number;
  secretsPerCluster: number;
  jitterSeconds: number;
}

/**
 * The union's events: the window [0, J) cut into bins of 1 / binsPerSecond s, and for each run
 * entry, every run of `width` consecutive bins holding more than `above` clusters.
 */
export interface Cover {
  binsPerSecond: number;
  runs: ReadonlyArray<{ width: number; above: number }>;
  /** The grid of bins at a phase drawn per trial (a fixed window's boundaries), not at 0. */
  randomPhase?: boolean;
}

/**
 * What a trial's arrivals decide: 1 when the event happened (a number in [0, 1] for a share);
 * `counts` are the clusters per bin of the cover.
 */
export type RolloutEvent = (times: Float64Array, counts: Int32Array, phase: number) => number;

export { combineRare, type RareEstimate, type RareSums };

/** P(Binomial(n, p) = x) for x = k + 1 .. while the terms matter: the tail's terms, for sampling. */
function tailTerms(n: number, p: number, k: number): { from: number; terms: Float64Array; total: number } {
  const out: number[] = [];
  let total = 0;
  const mode = Math.floor((n + 1) * p);
  for (let x = k + 1; x <= n; x++) {
    const term = binomialPmf(x, n, p);
    out.push(term);
    total += term;
    // Past the mode the terms only fall: stop once they no longer count (or underflow to 0).
    if (x > mode && (term < total * 1e-17 || term === 0)) break;
  }
  return { from: k + 1, terms: Float64Array.from(out), total };
}

/**
 * The cover's runs laid on a grid of bins: the components, their probabilities, the union. The
 * components of one run width are kept as a group (its runs at every position, all of the same
 * probability but those clipped at the window's ends), not one by one: a token bucket's 1/16-s
 * cover of a long rollout has tens of millions of components.
 */
interface Layout {
  /** Bin b is [edge(b), edge(b + 1)) in units of 1 / k s: edges at shift + b - 1, clipped to [0, J k). */
  shift: number;
  bins: number;
  specs: Array<{ width: number; above: number }>;
  groups: Group[];
  /** Cumulative share of the union up to and including each group. */
  pick: Float64Array;
  union: number;
  /** The summed probability of the runs left out (an upper bound): the estimate may miss at most this. */
  dropped: number;
}

/** One run width's components: runs at positions `from`..`to` (first bins) with the full-width tail, and the clipped ones. */
interface Group {
  width: number;
  from: number;
  to: number;
  full: Tail | null;
  clipped: Array<{ at: number; tail: Tail }>;
  total: number;
}

type Tail = ReturnType<typeof tailTerms>;

/** The start of bin b, in units of 1 / k s, on a grid whose edges lie at shift + integer, clipped to [0, span]. */
function binEdge(shift: number, span: number, b: number): number {
  return Math.min(span, Math.max(0, shift + b - (shift > 0 ? 1 : 0)));
}

/**
 * The components of the cover on bins of 1 / k s whose edges lie at shift + integer (shift in
 * [0, 1): 0 aligns them to 0; with shift > 0 a first partial bin [0, shift) comes first).
 */
function layout(n: number, span: number, cover: Cover, shift: number, tails: Map<string, Tail>, measureOnly = false): Layout {
  const edge = (b: number) => binEdge(shift, span, b);
  const bins = Math.max(1, Math.ceil(span - shift) + (shift > 0 ? 1 : 0));
  // Run lengths whose full-length run is less likely than 1e-15 of the likeliest are left out
  // (a token bucket's long runs, thousands of them in a large fleet): the estimate then misses
  // at most their summed probability, a share of the union below 1e-15 x runs (`dropped`).
  const tailOf = (mass: number, above: number): Tail => {
    const key = `${mass} ${above}`;
    let tail = tails.get(key);
    if (!tail) tails.set(key, (tail = tailTerms(n, Math.min(1, mass), above)));
    return tail;
  };
  const all = cover.runs.map(({ width, above }) => ({ width: Math.min(width, bins), above })).filter((c) => c.above < n);
  const full = all.map(({ width, above }) => tailOf(Math.min(span, width) / span, above).total);
  const likeliest = Math.max(0, ...full);
  const specs = all.filter((_, i) => full[i] >= likeliest * 1e-15);
  let dropped = 0;
  all.forEach((c, i) => {
    if (full[i] < likeliest * 1e-15) dropped += full[i] * (bins - c.width + 1);
  });
  const groups: Group[] = [];
  let union = 0;
  // Terms that underflowed to 0, counted (adding denormal doubles one by one is very slow).
  let underflowed = 0;
  const usable = (tail: Tail): boolean => {
    // Every term of its tail underflowed (each below the least double): bounded, not impossible.
    if (tail.total === 0) underflowed += n - tail.from + 1;
    return tail.total > 0;
  };
  for (const { width, above } of specs) {
    const last = bins - width;
    if (last < 0) continue;
    // Only the runs at the window's ends can be clipped (a first partial bin, a last one).
    const clippedAt = (w: number) => edge(w + width) - edge(w) !== width;
    const ends = last === 0 ? [0] : [0, last];
    const clipped = ends.filter(clippedAt).flatMap((at) => {
      const tail = tailOf((edge(at + width) - edge(at)) / span, above);
      return usable(tail) ? [{ at, tail }] : [];
    });
    const from = clippedAt(0) ? 1 : 0;
    const to = last > 0 && clippedAt(last) ? last - 1 : last;
    const whole = to >= from ? tailOf(width / span, above) : null;
    const wholeRuns = whole && usable(whole) ? to - from + 1 : 0;
    if (whole && whole.total === 0) underflowed += (to - from) * (n - whole.from + 1);
    const total = wholeRuns * (whole?.total ?? 0) + clipped.reduce((t, c) => t + c.tail.total, 0);
    if (total === 0) continue;
    if (!measureOnly) groups.push({ width, from, to: wholeRuns > 0 ? to : from - 1, full: wholeRuns > 0 ? whole : null, clipped, total });
    union += total;
  }
  dropped += underflowed * Number.MIN_VALUE;
  const pick = new Float64Array(groups.length);
  let acc = 0;
  groups.forEach((g, i) => (pick[i] = acc += g.total / union));
  return { shift, bins, specs, groups, pick, union, dropped };
}

/**
 * Of several covers of one event (aligned to 0), the one whose union is least likely. Each
 * trial's contribution z = 1[E] P / M has E[z^2] = E_rollout[1[E] P / M] <= P P(E), so the
 * estimator's relative variance per trial is at most P / P(E) - 1: the smallest P bounds it best.
 */
export function tightestCover(r: RecipeRollout, covers: Cover[]): Cover {
  let best = covers[0];
  let least = Infinity;
  for (const cover of covers) {
    const union = coverUnion(r, cover);
    if (union < least) [best, least] = [cover, union];
  }
  return best;
}

/** P(the cover's union), exactly, for a cover aligned to 0; NaN with a random phase (its union is a mean over the phase). */
function coverUnion(r: RecipeRollout, cover: Cover): number {
  if (cover.randomPhase) return NaN;
  const lay = layout(r.clusters, Math.max(1, r.jitterSeconds * cover.binsPerSecond), cover, 0, new Map(), true);
  return lay.union + lay.dropped;
}

/**
 * `trials` draws from the cover's mixture, each weighted by its likelihood ratio times E's
 * indicator (or share): their sums, to be combined into an estimate of P(E) or E's mean
 * (combineRare). E must lie inside the cover's union (see above). With `randomPhase`, each
 * trial first draws the grid's phase, uniform over a bin, and the event is told it (a fixed
 * window's boundaries): the estimate is then of P(E) averaged over the phase.
 */
export function sampleRare(r: RecipeRollout, cover: Cover, event: RolloutEvent, trials: number, rng: RandomStream): RareSums {
  const n = r.clusters;
  const k = cover.binsPerSecond;
  // Times in units of 1 / k s: the window [0, J) is [0, span).
  const span = Math.max(1, r.jitterSeconds * k);
  const tails = new Map<string, Tail>();
  const fixed = cover.randomPhase ? null : layout(n, span, cover, 0, tails);
  // Contributions are summed over a scale, the union at phase 0: far in a tail (a union near
  // 1e-200) their squares would underflow to 0 and take the error bars with them.
  const scale = (fixed ?? layout(n, span, cover, 0, tails, true)).union || 1;
  const times = new Float64Array(n);
  const counts = new Int32Array(Math.ceil(span) + 2);
  const prefix = new Int32Array(counts.length + 1);
  const most = new Int32Array(Math.max(1, 33 - Math.clz32(counts.length)));
  let sum = 0;
  let squares = 0;
  let largest = 0;
  let smallest = Infinity;
  // With a random phase the union varies with it: its mean over the phases drawn bounds P(E).
  let unions = 0;
  for (let i = 0; i < trials; i++) {
    const shift = fixed ? 0 : rng.uniform();
    const lay = fixed ?? layout(n, span, cover, shift, tails);
    unions += lay.union + lay.dropped;
    if (lay.union === 0) continue;
    // The component: its group (binary search on the cumulative), then its run within the
    // group from the same uniform's place in the group's share; then its count from the tail,
    // by inversion.
    const u = rng.uniform();
    let lo = 0;
    let hi = lay.groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lay.pick[mid] <= u) lo = mid + 1;
      else hi = mid;
    }
    const group = lay.groups[lo];
    const below = lo > 0 ? lay.pick[lo - 1] : 0;
    let v = (Math.min(1, Math.max(0, (u - below) / (lay.pick[lo] - below)))) * group.total;
    let at = -1;
    let tail: Tail = group.full!;
    const runs = group.to - group.from + 1;
    if (group.full && runs > 0 && (v < runs * group.full.total || group.clipped.length === 0)) {
      at = group.from + Math.min(runs - 1, Math.floor(v / group.full.total));
    } else {
      if (group.full) v -= runs * group.full.total;
      for (const c of group.clipped) {
        at = c.at;
        tail = c.tail;
        if (v < c.tail.total) break;
        v -= c.tail.total;
      }
    }
    let x = tail.from;
    let left = rng.uniform() * tail.total;
    for (let j = 0; j < tail.terms.length - 1 && left >= tail.terms[j]; j++, x++) left -= tail.terms[j];
    // Those x clusters uniform in the run's span, the others uniform outside it.
    const start = binEdge(lay.shift, span, at);
    const width = binEdge(lay.shift, span, at + group.width) - start;
    const outside = span - width;
    for (let c = 0; c < n; c++) {
      if (c < x) {
        times[c] = start + rng.uniform() * width;
      } else {
        const v = rng.uniform() * outside;
        times[c] = v < start ? v : v + width;
      }
    }
    const bins = lay.bins;
    counts.fill(0);
    const offset = shift > 0 ? 1 - shift : 0;
    for (let c = 0; c < n; c++) counts[Math.min(bins - 1, Math.floor(times[c] + offset))]++;
    // Back to seconds for the event.
    if (k !== 1) for (let c = 0; c < n; c++) times[c] /= k;
    // M: the components over, from the counts' prefix sums (run [b, b + w) holds P[b + w] - P[b]).
    for (let b = 0; b < bins; b++) prefix[b + 1] = prefix[b] + counts[b];
    // The most any run of 2^j bins holds: a run of w bins holds at most that of 2^j >= w, so a
    // width whose bound is not over its threshold has no run over and is skipped (a token
    // bucket's cover has a width per run length, most of them far from any drawn excess).
    for (let j = 0, p = 1; j < most.length; j++, p *= 2) {
      let m = 0;
      const last = Math.max(0, bins - p);
      for (let b = 0; b <= last; b++) {
        const c = prefix[Math.min(bins, b + p)] - prefix[b];
        if (c > m) m = c;
      }
      most[j] = m;
    }
    let over = 0;
    for (const { width: w, above } of lay.specs) {
      if (most[Math.min(most.length - 1, 32 - Math.clz32(w - 1))] <= above) continue;
      const last = bins - w;
      for (let b = 0; b <= last; b++) over += prefix[b + w] - prefix[b] > above ? 1 : 0;
    }
    const z = over > 0 ? (event(times, counts.subarray(0, bins), shift / k) * (lay.union / scale)) / over : 0;
    sum += z;
    squares += z * z;
    if (z > largest) largest = z;
    if (z < smallest) smallest = z;
  }
  return { trials, scale, sum, squares, largest, union: fixed ? fixed.union + fixed.dropped : unions / trials, spread: largest > smallest ? 1 : 0 };
}

/** Estimates P(E), or E's mean, from one stream: sampleRare then combineRare. */
export function estimateRare(r: RecipeRollout, cover: Cover, event: RolloutEvent, trials: number, rng: RandomStream): RareEstimate {
  return combineRare([sampleRare(r, cover, event, trials, rng)]);
}

/** refreshOver's and pSecondOver's cover and events for a per-second limit (GETs). */
export function secondsOver(r: RecipeRollout, perSecondLimit: number): { cover: Cover; refreshOver: RolloutEvent; pSecondOver: RolloutEvent } {
  const above = Math.floor(perSecondLimit / r.secretsPerCluster);
  const cover = { binsPerSecond: 1, runs: [{ width: 1, above }] };
  const refreshOver: RolloutEvent = () => 1; // every drawn rollout has a bin over: the cover is the event
  const pSecondOver: RolloutEvent = (_, counts) => {
    let over = 0;
    for (let b = 0; b < counts.length; b++) if (counts[b] > above) over++;
    return over / counts.length;
  };
  return { cover, refreshOver, pSecondOver };
}

/**
 * A token bucket's cover of "some GET is rejected" on bins of 1 / k s: for each L, every run of
 * L bins holding more than (C - S + r (L - 2) / k) / S clusters.
 */
export function tokenBucketCover(r: RecipeRollout, limiter: Extract<LimiterConfig, { kind: 'token-bucket' }>, k: number): Cover {
  const S = r.secretsPerCluster;
  const { capacity: C, refillPerSecond: rate } = limiter;
  const runs: Array<{ width: number; above: number }> = [];
  for (let L = 1; L <= Math.ceil(r.jitterSeconds * k) + 1; L++) {
    const above = Math.floor((C - S + (rate * Math.max(0, L - 2)) / k) / S);
    if (above >= r.clusters) break;
    runs.push({ width: L, above });
  }
  return { binsPerSecond: k, runs };
}

/**
 * The cover of "some GET is rejected" for a limiter shape, and the event: the rollout's GETs
 * replayed in time order through the limiter (as the vault check replays them).
 */
export function throttled(r: RecipeRollout, limiter: LimiterConfig, rng: RandomStream): { cover: Cover; event: RolloutEvent } {
  const S = r.secretsPerCluster;
  let cover: Cover;
  if (limiter.kind === 'token-bucket') {
    // Rejected at t: some s <= t with arrivals in [s, t] > C - S + r (t - s); [s, t] lies in a
    // run of L bins of 1 / k s with t - s > (L - 2) / k. Finer bins leave less slack (2 / k s of
    // refill) but sum more runs: k is the one of 4, 8, 16 per second whose union is least likely
    // (tightestCover).
    cover = tightestCover(r, [4, 8, 16].map((k) => tokenBucketCover(r, limiter, k)));
  } else if (limiter.kind === 'fixed-window' && limiter.phase === 'random') {
    // Rejected exactly when one of the trial's windows [phase + m W, phase + (m + 1) W) holds
    // more than L GETs: with the phase drawn first, the union is the event itself.
    cover = { binsPerSecond: 1 / limiter.window, runs: [{ width: 1, above: Math.floor(limiter.limit / S) }], randomPhase: true };
  } else {
    // Rejected at t: more than L GETs in a window of W seconds, which lies in a run of
    // floor(W k) + 2 bins of 1 / k s (k = 10: a cover 2% wider than the window).
    const k = 10;
    cover = { binsPerSecond: k, runs: [{ width: Math.floor(limiter.window * k) + 2, above: Math.floor(limiter.limit / S) }] };
  }
  // The one vault side's replay (vault-replay.ts); a fixed window at a random phase takes the
  // phase the cover drew, every other limiter is reset as a trial's.
  const phased = limiter.kind === 'fixed-window' && limiter.phase === 'random';
  const side = VaultGateway.alone(limiter);
  const gate = side.limiters[0];
  const order = new Float64Array(r.clusters);
  const log = new SendLog(r.clusters);
  const event: RolloutEvent = (times, _, phase) => {
    side.limiters[0] = phased ? createLimiter({ ...limiter, phase }) : gate;
    side.limiters[0].reset(rng);
    order.set(times);
    order.sort();
    log.clear();
    for (let c = 0; c < order.length; c++) log.push(order[c], 0, S);
    return replaySends(side, null, log, () => true) ? 0 : 1;
  };
  return { cover, event };
}
