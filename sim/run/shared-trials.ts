import { METRIC_INDEX as M, SHAPE_METRICS, TRIAL_METRICS } from '../metrics/trial-record.js';
import { LIMITER_SHAPES, type LimiterShape, type ModelConfig } from '../model/config.js';
import type { TrialPool } from './trial-pool.js';

/** The per-trial 0/1 columns kept: the trial's own throttledTrial, then each limiter shape's. */
const COLUMNS = [M.throttledTrial, ...SHAPE_METRICS.map((m) => M[m])];

/** Trials already run at one jitter: [from, to), each trial's COLUMNS. */
interface Segment {
  from: number;
  to: number;
  values: Uint8Array;
}

/**
 * throttledTrial's trials at each jitter, run once for every limiter shape: a trial also says
 * whether it would have met a 429 under each shape (sim/model/shape-check.ts, exact for that
 * event), so the shapes' searches read one set of trials, and a trial one shape's search ran is
 * not run again for another's. The values are the same as a run configured in that shape gives
 * for the same trial, so each search, and its proofs' error, is what it would be alone.
 */
export class SharedTrials {
  private readonly runs = new Map<number, Segment[]>();
  /** Trials simulated so far, and their wall time: the rate a time estimate uses. */
  simulated = 0;
  seconds = 0;

  constructor(
    private readonly pool: Pick<TrialPool, 'run'>,
    private readonly model: (jitter: number) => ModelConfig,
    private readonly seed: number | string,
  ) {}

  /** The column a shape reads: its own, or the trial's (the scenario's limiter). */
  static column(shape: LimiterShape | 'scenario'): number {
    return shape === 'scenario' ? 0 : 1 + LIMITER_SHAPES.indexOf(shape);
  }

  /** How many of trials [from, to) at `jitter` had column `column` at 1, running those not run yet. */
  async count(jitter: number, column: number, from: number, to: number): Promise<number> {
    const segments = this.runs.get(jitter) ?? [];
    this.runs.set(jitter, segments);
    for (const gap of gaps(segments, from, to)) {
      const started = performance.now();
      const batches = await this.pool.run(this.model(jitter), this.seed, 0, gap.from, gap.to);
      this.seconds += (performance.now() - started) / 1000;
      this.simulated += gap.to - gap.from;
      const values = new Uint8Array((gap.to - gap.from) * COLUMNS.length);
      const w = TRIAL_METRICS.length;
      for (const b of batches) {
        for (let i = b.from; i < b.to; i++) {
          for (let k = 0; k < COLUMNS.length; k++) values[(i - gap.from) * COLUMNS.length + k] = b.metrics[(i - b.from) * w + COLUMNS[k]] > 0 ? 1 : 0;
        }
      }
      segments.push({ ...gap, values });
    }
    segments.sort((a, b) => a.from - b.from);
    let sum = 0;
    for (const s of segments) {
      for (let i = Math.max(from, s.from); i < Math.min(to, s.to); i++) sum += s.values[(i - s.from) * COLUMNS.length + column];
    }
    return sum;
  }
}

/** The parts of [from, to) no segment (sorted by `from`, disjoint) covers. */
function gaps(segments: readonly Segment[], from: number, to: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  let at = from;
  for (const s of segments) {
    if (s.to <= at) continue;
    if (s.from >= to) break;
    if (s.from > at) out.push({ from: at, to: s.from });
    at = Math.max(at, s.to);
    if (at >= to) break;
  }
  if (at < to) out.push({ from: at, to });
  return out;
}
