import { analyticColumns, analyticNote, loadDistributions } from '../analytic/recipe.js';
import { PointSums } from '../metrics/point-sums.js';
import { loadQuantiles } from '../metrics/stats.js';
import { summarisePoint, type PointResult } from '../metrics/summary.js';
import { limitPer10s, type ModelConfig } from '../model/config.js';
import { UserError } from '../scenario/errors.js';
import type { Scenario } from '../scenario/load.js';
import { Progress } from './progress.js';
import { TrialPool, type EngineChoice } from './trial-pool.js';

export interface RunOptions {
  /** Worker threads; default one per core. */
  workers?: number;
  /** Trials per task; default chosen from the trial count and workers. */
  batchSize?: number;
  progress?: boolean;
  /** Which driver runs the trials (default auto). */
  engine?: EngineChoice;
  /** Seconds with no batch finished after which the run stops (a stuck worker). */
  stallSeconds?: number;
  /** Which trials of every point to run (default all: 0 to the trial count): a shard's. */
  range?: [from: number, to: number];
  /**
   * Hears each point's per-trial records in trial order as they come (point: its place in the
   * list given), from trial `from` on: trials.csv is written from them as the run goes.
   */
  onRecords?: (point: number, from: number, metrics: Float64Array) => void;
}

/**
 * Some points failed (an internal error in their trials); the others finished. `results` holds
 * every point's result in order, null where it failed.
 */
export class PointsFailed extends Error {
  constructor(readonly results: Array<PointResult | null>, readonly failures: Array<{ index: number; error: Error }>) {
    super(`${failures.length} point(s) failed: ${failures.map((f) => `point ${f.index}: ${f.error.message}`).join('; ')}`);
    this.name = 'PointsFailed';
  }
}

/** A model to simulate and the index that, with the seed, names its trials' random streams. */
export interface PointToRun {
  index: number;
  model: ModelConfig;
}

/**
 * Runs `trials` trials of every point on a worker pool and returns the points' results in the
 * order given. Trial i of every point draws from the streams named by (seed, i), so the answer
 * is the same for any number of workers or batch size, and points share their luck.
 */
export async function runPoints(points: PointToRun[], seed: number | string, trials: number, label: string, options: RunOptions = {}): Promise<PointResult[]> {
  const [from, to] = options.range ?? [0, trials];
  const pool = new TrialPool(options.workers, options.batchSize, options.engine, options.stallSeconds);
  const progress = new Progress((to - from) * points.length, label, process.stderr, options.progress ?? true);
  let done = 0;
  const tick = (n: number) => progress.update((done += n));
  try {
    // Each point on its own: one that fails does not throw the others' results away.
    const running = Promise.allSettled(
      points.map(async (p, place) => {
        const m = p.model;
        const sums = pointSumsFor(m);
        await pool.stream(m, seed, p.index, from, to, place, (b) => {
          sums.addBatch(b);
          options.onRecords?.(place, b.from, b.metrics);
        }, tick);
        return pointResult(m, sums);
      }),
    );
    // The summary's statistics packages load once the first batches are handed to the workers,
    // while the workers start up (this thread is next needed when a first batch is done): not
    // at the end, where the run would wait for them.
    if (pool.workers > 0) {
      setImmediate(() => {
        loadQuantiles();
        loadDistributions();
      });
    }
    const settled = await running;
    progress.done();
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ index: points[i].index, error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) }] : []));
    const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
    // A user's mistake met while running (the folder's disk full) is that, not a point's failure.
    const mistake = failures.find((f) => f.error instanceof UserError);
    if (mistake) throw mistake.error;
    if (failures.length) throw new PointsFailed(results, failures);
    return results as PointResult[];
  } finally {
    await pool.destroy();
  }
}

/** Empty sums for a point's trials: its timeseries bins (as the collector counts them) and vaults. */
export function pointSumsFor(m: ModelConfig): PointSums {
  return new PointSums(Math.max(1, Math.ceil(m.horizon / m.metrics.timeseriesBin)), m.vaults.length);
}

/** A point's result from the sums of its trials (one run's, or shards' merged), with the analytic columns. */
export function pointResult(m: ModelConfig, sums: PointSums): PointResult {
  const scopes = { vaults: m.vaults.map((v) => v.name), subscription: m.subscription !== null, limits10s: m.vaults.map((v) => limitPer10s(v.limiter)), bin: m.metrics.timeseriesBin };
  const result = summarisePoint(sums, scopes);
  for (const [column, value] of analyticColumns(m)) result.summary.set(column, value);
  result.analyticNote = analyticNote(m);
  return result;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<PointResult[]> {
  return runPoints(scenario.points, scenario.seed, scenario.trials, scenario.name, options);
}
