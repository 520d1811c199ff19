import { clopperPearson, klInterval, type Interval } from '../metrics/stats.js';
import { METRIC_INDEX as M, TRIAL_METRICS, type TrialBatch } from '../metrics/trial-record.js';
import { LIMITER_SHAPES, withLimiterShape, type LimiterShape, type ModelConfig } from '../model/config.js';
import { SharedTrials } from './shared-trials.js';
import type { TrialPool } from './trial-pool.js';

/** Where a search gets its trials: the pool, or in a test a model with a known answer. */
export type TrialSource = Pick<TrialPool, 'run'>;

export const RECOMMEND_METRICS = ['throttledTrial', 'refreshOver', 'pSecondOver'] as const;
export type RecommendMetric = (typeof RECOMMEND_METRICS)[number];

/** The limiter a search runs under: a shape at the scenario's limit and window, or the scenario's own. */
export type ShapeChoice = LimiterShape | 'scenario';
export const SHAPE_CHOICES: readonly ShapeChoice[] = [...LIMITER_SHAPES, 'scenario'];

/** Longest jitter the search tries: a week. */
export const MAX_JITTER = 7 * 86400;

/** A proof is wrong with probability at most this (per limiter shape; see proofAlpha). */
export const PROOF_ERROR = 0.05;

/**
 * Events a tightening look expects at the target: its trials are this over the target. Three
 * tell a jitter at the target from one at a third of it often enough for the answer to land
 * within a few seconds of the least true one on the recipe's fleets (docs: recommend).
 */
export const TIGHT_EVENTS = 5;

export interface SearchOptions {
  target: number;
  metric: RecommendMetric;
  /** Most trials one look or one proof may spend. */
  maxTrials: number;
  /** Trials of the first looks (each failed proof multiplies them by four). */
  lookTrials: number;
  /** One line per look and proof, for a progress display. */
  progress?: (line: string) => void;
  /** When (Date.now()) the search stops and answers with what it has proven so far. */
  deadline?: number;
  /** Aborted: the search stops the same way (Ctrl-C), after the part of a look or proof under way. */
  signal?: AbortSignal;
}

/** A look's first trials (see searchJitter's `topUp`). */
const FIRST_LOOK = 10;

/** The fewest trials a look's or proof's part runs, and about the longest it takes (see searchJitter's `run`). */
const LEAST_PART = 200;
const PART_SECONDS = 20;

/** The time limit reached: the search ends with what it has. */
class TimeUp extends Error {}

/** The sum of the metric's per-trial values (events, or shares of seconds) over some trials. */
export interface Tally {
  trials: number;
  sum: number;
}

export interface Proof extends Tally {
  /** 1 for a shape's first proof, 2 for its second... */
  attempt: number;
  alpha: number;
  /** The one-sided upper bound at `alpha`; proven when below the target. */
  bound: number;
  proven: boolean;
}

export interface Probe {
  jitterSeconds: number;
  look: Tally;
  /** The last proof run at this jitter. */
  proof?: Proof;
  /** Every failed proof's trials here, pooled: evidence for a later look (never for a proof). */
  failed?: Tally;
}

/** An estimate with its two-sided 95% interval. */
export interface Estimate extends Tally {
  jitterSeconds: number;
  mean: number;
  lo: number;
  hi: number;
}

export interface ShapeAnswer {
  shape: ShapeChoice;
  /** The least jitter proven below the target (NaN: none up to MAX_JITTER). */
  jitterSeconds: number;
  proof: Proof | null;
  /** The largest jitter below the answer not proven below the target: its estimate from fresh trials (as many as its look's). */
  cliff: Estimate | null;
  /**
   * What the answer's distance to the least jitter that meets the target is shown to be: the
   * largest jitter measured above the target (the lower end of its fresh trials' 95% interval
   * above it: the cliff, else the largest jitter whose look was at least twice the target), and
   * seconds = answer - floor - 1, the most the answer can exceed the least true one. Null: none shown.
   */
  margin: { floor: Estimate; seconds: number } | null;
  /** The time limit stopped the search (or its cliff and margin): an answer is proven, but a smaller one may be; none: no jitter proven yet. */
  stopped: boolean;
  /**
   * The answer is the sliding window's, whose proof holds for this shape too (see
   * recommendJitter): its own search proved none, or a larger one, before it stopped.
   */
  impliedBy?: 'sliding-window';
  probes: Probe[];
  trials: number;
}

/**
 * The error budget of a shape's proofs: its i-th proof (i = 1, 2, ...) is tested at
 * PROOF_ERROR / 2^i on trials no earlier look or proof used, with a trial count fixed before
 * they run. Each proof is then a test with its stated error, whatever led to its candidate, and
 * the chance that any of them proves a jitter whose true value is not below the target is at
 * most the sum, PROOF_ERROR. (AKV has one limiter: the answer under the true shape is wrong only
 * if that shape's proof was, so the largest of the shapes' answers holds at the same level.)
 */
export function proofAlpha(attempt: number): number {
  return PROOF_ERROR / 2 ** attempt;
}

/** The upper bound of the metric at one-sided level alpha: Clopper-Pearson for events, KL for shares. */
export function upperBound(metric: RecommendMetric, t: Tally, alpha: number): number {
  return interval(metric, t, alpha).hi;
}

/** The estimate and its two-sided 95% interval. */
export function estimate(metric: RecommendMetric, jitterSeconds: number, t: Tally): Estimate {
  const iv = interval(metric, t, 0.025);
  return { jitterSeconds, ...t, mean: iv.mean, lo: iv.lo, hi: iv.hi };
}

/** The metric's interval, each end at level alpha: Clopper-Pearson for events, KL for shares. */
function interval(metric: RecommendMetric, t: Tally, alpha: number): Interval {
  return metric === 'pSecondOver' ? klInterval(t.sum / t.trials, t.trials, alpha) : clopperPearson(t.sum, t.trials, alpha);
}

/**
 * Trials a proof at `alpha` needs, planned from a look: the fewest n whose bound (KL, never
 * below Clopper-Pearson's) would be below the target were the proof's mean one standard error
 * above the look's estimate, taken as no less than a tenth of the target (so that a few events
 * do not sink a proof): a proof planned at the estimate itself passes only about half the time
 * where the estimate is the truth. Infinity beyond `max` (a look near the target plans many
 * trials: --max-trials caps them).
 */
export function trialsToProve(look: Tally, alpha: number, target: number, max: number): number {
  const m = Math.max(look.sum / look.trials, target / 10);
  const below = (n: number) => klInterval(Math.min(1, m + Math.sqrt(m / n)), n, alpha).hi < target;
  if (m >= target || !below(max)) return Infinity;
  return fewest(below, max);
}

/** The least n in [1, max] where `enough` holds, given that it holds at max and keeps holding above. */
function fewest(enough: (n: number) => boolean, max: number): number {
  let [lo, hi] = [0, max];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (enough(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Trials a fresh measurement needs to show a jitter above the target (its 95% interval's low
 * end above it), planned from its look: were the fresh mean `lookLow`, the low end of the
 * look's 95% interval (a look stopped once above the target reads high). `max` when no count
 * up to it would.
 */
export function trialsToShowAbove(lookLow: number, target: number, max: number): number {
  const above = (n: number) => klInterval(lookLow, n, 0.025).lo > target;
  return lookLow > target && above(max) ? fewest(above, max) : max;
}

/** The fewest trials of a first proof: all of them without an event (1 - target)^n <= alpha. */
export function leastProofTrials(target: number): number {
  return Math.ceil(Math.log(proofAlpha(1)) / Math.log1p(-target));
}

/** Adds the batches' per-trial values of the metric to the tally. */
function count(t: Tally, batches: TrialBatch[], metric: RecommendMetric): void {
  const w = TRIAL_METRICS.length;
  for (const b of batches) {
    for (let i = 0; i < b.to - b.from; i++) {
      const row = i * w;
      if (metric === 'pSecondOver') {
        const seconds = b.metrics[row + M.refreshSeconds];
        t.sum += seconds > 0 ? b.metrics[row + M.refreshSecondsOver] / seconds : 0;
      } else {
        t.sum += b.metrics[row + M[metric]];
      }
    }
    t.trials += b.to - b.from;
  }
}

/**
 * The model at a jitter: every group's jitterSeconds set; the horizon grows with the jitter so
 * that the scenario's time after the rollout's window is kept; one timeseries bin keeps memory
 * flat (only per-trial metrics matter here).
 */
function jitterModel(base: ModelConfig): (jitter: number) => ModelConfig {
  const after = Math.max(0, base.horizon - Math.max(...base.fleet.map((g) => g.jitterSeconds)));
  return (jitter) => {
    const horizon = Math.max(base.horizon, jitter + after);
    return { ...base, horizon, fleet: base.fleet.map((g) => ({ ...g, jitterSeconds: jitter })), metrics: { ...base.metrics, timeseriesBin: horizon } };
  };
}

const shapeModel = (base: ModelConfig, shape: ShapeChoice) => (shape === 'scenario' ? base : withLimiterShape(base, shape));

/**
 * The least whole jitterSeconds whose metric is proven below the target under one limiter, on
 * the assumption that the metric falls as jitter grows.
 *
 * A bisection on looks (trials [0, L), the same at every jitter: common random numbers, so
 * looks differ by jitter only) finds the least jitter that looks provable: would a proof
 * succeed if the look's estimate were the truth? That candidate then gets a proof (proofAlpha)
 * on fresh trials [i x maxTrials, i x maxTrials + n), n fixed from the look before they run.
 * When a proof fails, the looks get four times the trials and the search goes on above it.
 * With `shared` (throttledTrial), the trials come from the shapes' shared runs.
 */
export async function searchJitter(base: ModelConfig, seed: number | string, shape: ShapeChoice, start: number, pool: TrialSource, o: SearchOptions, shared?: SharedTrials): Promise<ShapeAnswer> {
  const model = jitterModel(shapeModel(base, shape));
  // Trials [from, to) at a jitter, the metric summed; and the seconds a trial has taken so far.
  const own = { trials: 0, seconds: 0 };
  const runPart = async (jitter: number, from: number, to: number): Promise<Tally> => {
    if (shared && o.metric === 'throttledTrial') return { trials: to - from, sum: await shared.count(jitter, SharedTrials.column(shape), from, to) };
    const started = performance.now();
    const t: Tally = { trials: 0, sum: 0 };
    count(t, await pool.run(model(jitter), seed, 0, from, to), o.metric);
    own.trials += to - from;
    own.seconds += (performance.now() - started) / 1000;
    return t;
  };
  // In parts of an eighth, and of at most about PART_SECONDS (at least LEAST_PART trials): the
  // time limit and Ctrl-C are heard between parts, and a look or proof left unfinished counts
  // for nothing.
  const run = async (jitter: number, from: number, to: number): Promise<Tally> => {
    const t: Tally = { trials: 0, sum: 0 };
    const part = Math.max(LEAST_PART, Math.min(Math.ceil((to - from) / 8), Math.ceil(PART_SECONDS / Math.max(perTrial(), 1e-6))));
    for (let f = from; f < to; f += part) {
      if (f > from) clock();
      const u = await runPart(jitter, f, Math.min(to, f + part));
      t.trials += u.trials;
      t.sum += u.sum;
    }
    return t;
  };
  const perTrial = () => (shared ? shared.seconds / Math.max(1, shared.simulated) : own.seconds / Math.max(1, own.trials));
  const probes = new Map<number, Probe>();
  let lookTrials = Math.min(o.maxTrials, o.lookTrials);
  let attempt = 1;
  const say = (line: string) => o.progress?.(`[${shape}] ${line}`);
  const unit = o.metric === 'pSecondOver' ? 'mean share of refresh seconds over' : o.metric === 'refreshOver' ? 'trials with a second over' : 'trials throttled';

  const probe = (jitter: number): Probe => {
    const p = probes.get(jitter) ?? { jitterSeconds: jitter, look: { trials: 0, sum: 0 } };
    probes.set(jitter, p);
    return p;
  };
  let spent = 0;
  const clock = () => {
    if ((o.deadline !== undefined && Date.now() > o.deadline) || o.signal?.aborted) throw new TimeUp();
  };
  // n trials from `from` on at a jitter, tallied: a proof's or the cliff's, on trials no look used.
  const fresh = async (jitter: number, from: number, n: number): Promise<Tally> => {
    clock();
    const t = await run(jitter, from, from + n);
    spent += n;
    return t;
  };
  // While tightening, a failed proof's trials join the look: an underpowered proof that failed
  // near the target must not stop the answer from moving down past it.
  let tightening = false;
  const evidence = (p: Probe): Tally => (tightening && p.failed ? { trials: p.look.trials + p.failed.trials, sum: p.look.sum + p.failed.sum } : p.look);
  const provable = (t: Tally) => trialsToProve(t, proofAlpha(attempt), o.target, o.maxTrials) < Infinity;
  // A look has trials [0, lookTrials) at its jitter, the same at every jitter. It grows from a
  // few (FIRST_LOOK, then three times what it has) and stops once shown above the target: where
  // every trial throttles (and costs most), ten say so.
  const topUp = async (p: Probe): Promise<void> => {
    if (p.look.trials >= lookTrials) return;
    while (p.look.trials < lookTrials && !shownAbove(p.look)) {
      clock();
      const t = await run(p.jitterSeconds, p.look.trials, Math.min(lookTrials, p.look.trials + Math.max(FIRST_LOOK, 3 * p.look.trials)));
      p.look.trials += t.trials;
      p.look.sum += t.sum;
      spent += t.trials;
    }
    say(`look  jitterSeconds ${p.jitterSeconds}: ${show(o.metric, p.look)} ${unit} in ${p.look.trials} trials`);
  };
  const shownAbove = (t: Tally) => t.trials > 0 && interval(o.metric, t, 0.025).lo > o.target;
  const looksBelow = async (jitter: number): Promise<boolean> => {
    const p = probe(jitter);
    if (p.proof && (p.proof.proven || !tightening)) return p.proof.proven;
    // A look already above the target (the low end of its 95% interval) needs no more trials to say no.
    if (!shownAbove(p.look)) await topUp(p);
    return provable(evidence(p));
  };
  // A proof's trials, planned from the evidence before they run.
  const planned = (jitter: number) => Math.min(o.maxTrials, trialsToProve(evidence(probe(jitter)), proofAlpha(attempt), o.target, o.maxTrials));
  const prove = async (jitter: number): Promise<boolean> => {
    const p = probe(jitter);
    const alpha = proofAlpha(attempt);
    const n = planned(jitter);
    const from = attempt * o.maxTrials;
    say(`proof jitterSeconds ${jitter}: ${n} fresh trials (proof ${attempt}, error at most ${alpha}; ${timeLeft(n * perTrial(), o.deadline)})`);
    const t = await fresh(jitter, from, n);
    const bound = upperBound(o.metric, t, alpha);
    p.proof = { ...t, attempt, alpha, bound, proven: bound < o.target };
    if (!p.proof.proven) p.failed = { trials: (p.failed?.trials ?? 0) + t.trials, sum: (p.failed?.sum ?? 0) + t.sum };
    say(`proof jitterSeconds ${jitter}: ${show(o.metric, t)} ${unit} in ${n} trials, upper bound ${bound.toPrecision(3)}: ${p.proof.proven ? 'proven' : 'not proven'} below ${o.target}`);
    attempt++;
    return p.proof.proven;
  };

  let lo = -1; // largest jitter known (or taken) not to be below the target
  let found = NaN;
  // Under a time limit that one failed proof would largely spend (a proof planned to take over a
  // quarter of the time left), the first proof goes to the jitter a tolerance above the least
  // that looks provable: a look cannot tell the two apart and plans the same trials for both,
  // but where the least sits on the cliff its proof mostly fails, and the time goes with it.
  // Tightening may still come down from there. Without such a limit (or where proofs are cheap)
  // nothing changes.
  const securer = async (hi: number): Promise<number> => {
    if (!Number.isNaN(found) || o.deadline === undefined || planned(hi) * perTrial() <= (o.deadline - Date.now()) / 4000) return hi;
    const safer = hi + Math.floor(tolerance(hi));
    if (safer > MAX_JITTER || !(await looksBelow(safer))) return hi;
    say(`first proof at jitterSeconds ${safer}, not ${hi}: a failed proof would take ${timeLeft(planned(hi) * perTrial(), o.deadline)}`);
    return safer;
  };
  // Trial indices are 32-bit: the proofs' blocks of maxTrials must fit, with two after them (cliff, floor).
  const blocksLeft = () => (attempt + 3) * o.maxTrials < 2 ** 31;
  const bisect = async (hi: number): Promise<number> => {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await looksBelow(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  // A phase of the search, ended by the time limit (--max-time) with what it has.
  let stopped = false;
  const untilTime = async (phase: () => Promise<void>): Promise<void> => {
    try {
      await phase();
    } catch (e) {
      if (!(e instanceof TimeUp)) throw e;
      stopped = true;
    }
  };
  await untilTime(async () => {
    while (blocksLeft()) {
      // The nearest jitter above lo that looked provable, else the start or double lo.
      const candidates = [...probes.values()].filter((p) => p.jitterSeconds > lo && !p.proof && provable(p.look));
      let hi = candidates.length > 0 ? Math.min(...candidates.map((p) => p.jitterSeconds)) : Math.max(1, lo < 0 ? start : lo * 2);
      while (hi <= MAX_JITTER && !(await looksBelow(hi))) {
        lo = hi;
        hi *= 2;
      }
      if (hi > MAX_JITTER) break;
      hi = await bisect(hi);
      hi = await securer(hi);
      if (await prove(hi)) {
        found = hi;
        break;
      }
      lo = hi;
      lookTrials = Math.min(o.maxTrials, lookTrials * 4);
    }
    // Tightening. The answer's look, of a few hundred trials, may say "provable" only where the
    // metric is a tenth of the target: the jitter below it failed on so few trials that it may
    // meet the target too. Looks of TIGHT_EVENTS / target trials then walk down from the answer
    // (1, 2, 4... s) to a jitter they say no proof could pass, bisect up to the least that looks
    // provable and prove it on fresh trials at the next level; a failed proof quadruples the looks
    // and bisects again below the answer. The answer only moves down to a proven jitter.
    if (!Number.isNaN(found) && lookTrials < o.maxTrials) {
      tightening = true;
      lookTrials = Math.min(o.maxTrials, Math.max(lookTrials, Math.ceil(TIGHT_EVENTS / o.target)));
      let hi = found;
      for (let step = 1; ; step *= 2) {
        lo = found - step;
        if (lo < 0 || !(await looksBelow(lo))) break;
        hi = lo;
      }
      lo = Math.max(lo, -1);
      while (blocksLeft()) {
        hi = await bisect(hi);
        if (hi === found) break;
        // When every jitter between the largest that looks above the target (lo) and the answer is
        // within the tolerance, a step down that costs more than the answer's own proof (a jitter
        // near the target needs many times its trials) is not worth its time.
        if (found - hi <= tolerance(found) && planned(hi) > 8 * (probes.get(found)?.proof?.trials ?? 0)) {
          say(`not tightened: jitterSeconds ${hi} would take ${planned(hi)} fresh trials to gain ${found - hi} s`);
          break;
        }
        // Nor one that would not finish before the time limit: the answer stands, and the time
        // left goes to the other shapes.
        if (o.deadline !== undefined && planned(hi) * perTrial() > (o.deadline - Date.now()) / 1000) {
          say(`not tightened: jitterSeconds ${hi} would take ${timeLeft(planned(hi) * perTrial(), o.deadline)}`);
          break;
        }
        if (await prove(hi)) {
          say(`tightened: jitterSeconds ${found} -> ${hi}`);
          found = hi;
          break;
        }
        lo = hi;
        hi = found;
        lookTrials = Math.min(o.maxTrials, lookTrials * 4);
      }
    }
  });
  if (stopped) say(`stopped${o.signal?.aborted ? ' (interrupted)' : ' by the time limit'}: ${Number.isNaN(found) ? 'no jitter proven yet' : `jitterSeconds ${found} proven, not tightened`}`);
  const below = [...probes.values()].filter((p) => Number.isNaN(found) || p.jitterSeconds < found).sort((a, b) => a.jitterSeconds - b.jitterSeconds);
  const edge = below.filter((p) => !(p.proof?.proven ?? provable(p.look))).at(-1);
  // The cliff was chosen because its trials came out high: measured on them, its estimate is
  // biased up and its interval too. It is measured again on fresh trials (the next proof's
  // block, which no look or proof used); the floor, when the cliff is not shown above the
  // target, on the block after.
  const remeasure = async (p: Probe, block: number): Promise<Estimate> => {
    // As many as its look (a look stopped early, once above the target: as a whole one), or
    // fewer where its look says fewer show it above the target (where every trial throttles, a
    // first look's), planned before they run.
    const whole = shownAbove(p.look) && p.look.trials < lookTrials ? lookTrials : Math.max(1, p.look.trials);
    const n = Math.min(whole, Math.max(Math.min(o.lookTrials, whole), trialsToShowAbove(evidence(p).trials > 0 ? interval(o.metric, evidence(p), 0.025).lo : 0, o.target, whole)));
    return estimate(o.metric, p.jitterSeconds, await fresh(p.jitterSeconds, block * o.maxTrials, n));
  };
  let cliff: Estimate | null = null;
  let margin: ShapeAnswer['margin'] = null;
  // The cliff and the floor are for the output; at the time limit they are left out.
  await untilTime(async () => {
    if (edge && !stopped && (attempt + 1) * o.maxTrials < 2 ** 31) {
      cliff = await remeasure(edge, attempt);
      say(`cliff jitterSeconds ${edge.jitterSeconds}: ${show(o.metric, cliff)} ${unit} in ${cliff.trials} fresh trials`);
      let floor: Estimate | null = cliff;
      if (cliff.lo <= o.target && !Number.isNaN(found) && (attempt + 2) * o.maxTrials < 2 ** 31) {
        // The largest jitter below the cliff whose look lies above the target (the low end of its
        // 95% interval), walking down 1, 2, 4... s; chosen on its look, it is measured again fresh.
        floor = null;
        for (let step = 1; cliff.jitterSeconds - step >= 0; step *= 2) {
          const p = probe(cliff.jitterSeconds - step);
          if (!shownAbove(p.look)) await topUp(p);
          if (shownAbove(p.look)) {
            floor = await remeasure(p, attempt + 1);
            say(`floor jitterSeconds ${floor.jitterSeconds}: ${show(o.metric, floor)} ${unit} in ${floor.trials} fresh trials`);
            break;
          }
        }
      }
      if (floor && floor.lo > o.target && !Number.isNaN(found)) margin = { floor, seconds: found - floor.jitterSeconds - 1 };
    }
  });
  const all = [...probes.values()].sort((a, b) => a.jitterSeconds - b.jitterSeconds);
  return {
    shape,
    jitterSeconds: found,
    proof: probes.get(found)?.proof ?? null,
    cliff,
    margin,
    stopped,
    probes: all,
    trials: spent,
  };
}

/** How far above the least jitter that meets the target an answer may be: max(3 s, 3%). */
export function tolerance(jitter: number): number {
  return Math.max(3, 0.03 * jitter);
}

/** A step's time estimate, and what is left of the time limit. */
function timeLeft(seconds: number, deadline: number | undefined): string {
  const about = seconds < 1 ? 'under a second' : `about ${seconds < 120 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`}`;
  if (deadline === undefined || !Number.isFinite(deadline)) return about;
  const left = Math.max(0, (deadline - Date.now()) / 1000);
  return `${about}; ${left < 120 ? `${Math.floor(left)} s` : `${Math.floor(left / 60)} min`} left of this shape's share of --max-time`;
}

function show(metric: RecommendMetric, t: Tally): string {
  return metric === 'pSecondOver' ? (t.sum / t.trials).toPrecision(3) : String(t.sum);
}

export interface Recommendation {
  metric: RecommendMetric;
  target: number;
  /** Confidence of each shape's answer: 1 - PROOF_ERROR. */
  confidence: number;
  /** The largest of the shapes' answers (NaN when a shape has none). */
  jitterSeconds: number;
  shapes: ShapeAnswer[];
  /** Trials simulated (with throttledTrial, the shapes' searches share them: fewer than the searches' sum). */
  trials: number;
}

/**
 * The search under each limiter shape asked for, and the largest answer: AKV does not publish
 * its limiter's shape, so a jitter must hold under every one. The shapes share the trials'
 * random streams, and with throttledTrial the trials themselves (SharedTrials); each starts from
 * `start` (the documented recipe's value).
 */
export async function recommendJitter(base: ModelConfig, seed: number | string, shapes: readonly ShapeChoice[], start: number, pool: TrialSource, o: SearchOptions): Promise<Recommendation> {
  const shared = o.metric === 'throttledTrial' ? new SharedTrials(pool, jitterModel(base), seed) : undefined;
  // A sliding window of L GETs per W seconds rejects whatever a token bucket of capacity L
  // refilled in W, or a fixed window of L per W, would: where every W seconds hold at most L
  // GETs, both take every GET. So throttledTrial under either is at most the sliding window's
  // at every jitter, and a proof under the sliding window holds for them too: it is searched
  // first, with all the time it needs, and its answer stands for a shape whose own search,
  // stopped, proved none or a larger one. The recommendation (the largest answer) is its answer.
  const slidingFirst = o.metric === 'throttledTrial' && shapes.includes('sliding-window') && shapes.length > 1;
  const order = slidingFirst ? ['sliding-window' as const, ...shapes.filter((s) => s !== 'sliding-window')] : [...shapes];
  const found = new Map<ShapeChoice, ShapeAnswer>();
  for (const [i, shape] of order.entries()) {
    // The time left is shared among the shapes still to search (the sliding window's, first, is all of it).
    const share = slidingFirst && i === 0 ? 1 : 1 / (order.length - i);
    const deadline = o.deadline === undefined ? undefined : Date.now() + (o.deadline - Date.now()) * share;
    found.set(shape, await searchJitter(base, seed, shape, start, pool, { ...o, deadline }, shared));
  }
  const sliding = slidingFirst ? found.get('sliding-window')! : null;
  const answers = shapes.map((shape) => {
    const a = found.get(shape)!;
    const implied = sliding !== null && shape !== 'sliding-window' && shape !== 'scenario' && !Number.isNaN(sliding.jitterSeconds) && a.stopped && !(a.jitterSeconds <= sliding.jitterSeconds);
    return implied ? { ...a, jitterSeconds: sliding!.jitterSeconds, proof: sliding!.proof, cliff: null, margin: null, impliedBy: 'sliding-window' as const } : a;
  });
  return {
    metric: o.metric,
    target: o.target,
    confidence: 1 - PROOF_ERROR,
    jitterSeconds: answers.some((a) => Number.isNaN(a.jitterSeconds)) ? NaN : Math.max(...answers.map((a) => a.jitterSeconds)),
    shapes: answers,
    trials: shared ? shared.simulated : answers.reduce((n, a) => n + a.trials, 0),
  };
}
