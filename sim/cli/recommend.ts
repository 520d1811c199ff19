import { recommendation } from '../analytic/jitter-analysis.js';
import { wilson, Z95 } from '../metrics/stats.js';
import { METRIC_INDEX as M, TRIAL_METRICS, type TrialBatch } from '../metrics/trial-record.js';
import type { ModelConfig } from '../model/config.js';
import { formatNumber, formatPercentDigits } from '../output/format.js';
import { TrialPool } from '../run/trial-pool.js';
import { UserError } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import type { RecommendArgs, RecommendMetric } from './args.js';

/** Longest jitter the search tries: a week. */
const MAX_JITTER = 7 * 86400;

/** Events among units (trials, or refresh seconds) over some trials. */
interface Tally {
  trials: number;
  events: number;
  units: number;
}

/** What is known of the metric at one jitter: a first look, and perhaps a proof. */
interface Probe {
  jitter: number;
  look: Tally;
  proof: Tally;
  verdict?: 'below' | 'not below';
}

/**
 * `sim recommend`: the smallest whole jitterSeconds whose simulated metric has its 95% Wilson
 * upper bound below the target, assuming the metric falls as jitter grows.
 *
 * A bisection on first looks (trials [0, s): would a proof succeed if the estimate were the
 * truth?) picks a candidate; the candidate then gets a proof on other trials ([maxTrials, ...), never the ones
 * that picked it, which would bias it): rounds of trials until its upper bound is under the
 * target, or the interval shows it is not, or --max-trials cannot prove it. When a proof fails,
 * the looks get four times the trials and the search goes on above the candidate. Every jitter
 * uses the same random streams (common random numbers), so probes differ by jitter only and
 * the proofs of neighbouring candidates share their luck instead of multiplying it.
 */
export async function recommendCommand(args: RecommendArgs): Promise<number> {
  const scenario = loadScenario(args.scenario, { seed: args.seed, set: args.set });
  if (scenario.points.length !== 1) {
    throw new UserError(`${args.scenario}: sweep: recommend searches jitterSeconds itself; remove the sweep (or fix its values with --set)`);
  }
  const needed = Math.ceil((Z95 * Z95 * (1 - args.target)) / args.target);
  if (args.maxTrials <= needed) {
    throw new UserError(`--target ${args.target}: proving it takes more than ${needed} trials without an event; raise --max-trials (now ${args.maxTrials})`);
  }
  const base = scenario.points[0].model;
  // A longer jitter keeps the scenario's time after the rollout's window: the horizon grows
  // with it. Only the per-trial metrics matter here: one timeseries bin keeps memory flat.
  const after = Math.max(0, base.horizon - Math.max(...base.fleet.map((g) => g.jitterSeconds)));
  const model = (jitter: number): ModelConfig => {
    const horizon = Math.max(base.horizon, jitter + after);
    return {
      ...base,
      horizon,
      fleet: base.fleet.map((g) => ({ ...g, jitterSeconds: jitter })),
      metrics: { ...base.metrics, timeseriesBin: horizon },
    };
  };
  const g = base.fleet[0];
  const recipe = recommendation({ clusters: g.clusters, secretsPerCluster: g.secretSyncs * g.objectsPerSync, perSecondLimit: base.metrics.perSecondLimit }, 1e-4).documented;

  const pool = new TrialPool(args.workers, undefined, args.engine);
  const probes = new Map<number, Probe>();
  // Fixed, not per worker: the answer must not depend on the number of workers.
  let lookTrials = Math.min(args.maxTrials, 200);
  const probe = (jitter: number): Probe => {
    const p = probes.get(jitter) ?? { jitter, look: empty(), proof: empty() };
    probes.set(jitter, p);
    return p;
  };
  /** Adds trials [offset + tally.trials, offset + to) at `jitter` to the tally. */
  const extend = async (jitter: number, tally: Tally, offset: number, to: number) => {
    count(tally, await pool.run(model(jitter), scenario.seed, 0, offset + tally.trials, offset + to), args.metric);
    tally.trials = to;
  };
  const looksBelow = async (jitter: number): Promise<boolean> => {
    const p = probe(jitter);
    if (p.verdict) return p.verdict === 'below';
    if (p.look.trials < lookTrials) await extend(jitter, p.look, 0, lookTrials);
    return provable(p.look, args);
  };
  const provenBelow = async (jitter: number): Promise<boolean> => {
    const p = probe(jitter);
    const t = p.proof;
    while (!p.verdict) {
      const iv = wilson(t.events, t.units);
      const unitsAtMax = (t.units / Math.max(1, t.trials)) * args.maxTrials;
      if (t.trials > 0 && iv.hi < args.target) p.verdict = 'below';
      else if (t.trials > 0 && (iv.lo > args.target || wilson(t.events, unitsAtMax).hi >= args.target || t.trials >= args.maxTrials)) p.verdict = 'not below';
      else await extend(jitter, t, args.maxTrials, Math.min(args.maxTrials, Math.max(lookTrials, t.trials * 2, t.events === 0 ? needed + 1 : 0)));
    }
    const iv = wilson(t.events, t.units);
    process.stderr.write(`jitterSeconds ${jitter}: ${t.events} of ${t.units} ${unitName(args.metric)}, upper bound ${formatPercentDigits(iv.hi)}: ${p.verdict} ${formatPercentDigits(args.target)}\n`);
    return p.verdict === 'below';
  };

  let lo = -1; // largest jitter known (or taken) not to be below the target
  let found = NaN;
  try {
    for (;;) {
      // The nearest jitter above lo that looked below, else the recipe's value or double lo.
      const candidates = [...probes.values()].filter((p) => p.jitter > lo && p.verdict === undefined && provable(p.look, args));
      let hi = candidates.length > 0 ? Math.min(...candidates.map((p) => p.jitter)) : Math.max(1, lo < 0 ? recipe : lo * 2);
      while (hi <= MAX_JITTER && !(await looksBelow(hi))) {
        lo = hi;
        hi *= 2;
      }
      if (hi > MAX_JITTER) break;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (await looksBelow(mid)) hi = mid;
        else lo = mid;
      }
      if (await provenBelow(hi)) {
        found = hi;
        break;
      }
      lo = hi;
      lookTrials = Math.min(args.maxTrials, lookTrials * 4);
    }
  } finally {
    await pool.destroy();
  }
  process.stdout.write(report(args, [...probes.values()], found, recipe));
  return Number.isNaN(found) ? 1 : 0;
}

const empty = (): Tally => ({ trials: 0, events: 0, units: 0 });

/** Would a proof with --max-trials succeed if the tally's estimate were the truth? */
function provable(t: Tally, args: RecommendArgs): boolean {
  const unitsAtMax = (t.units / t.trials) * args.maxTrials;
  return wilson((t.events / t.units) * unitsAtMax, unitsAtMax).hi < args.target;
}

function unitName(metric: RecommendMetric): string {
  return metric === 'pSecondOver' ? 'refresh seconds' : 'trials';
}

/** Adds the batches' events of the metric to the tally. */
function count(p: Tally, batches: TrialBatch[], metric: RecommendMetric): void {
  const w = TRIAL_METRICS.length;
  for (const b of batches) {
    for (let i = 0; i < b.to - b.from; i++) {
      const row = i * w;
      if (metric === 'pSecondOver') {
        p.events += b.metrics[row + M.refreshSecondsOver];
        p.units += b.metrics[row + M.refreshSeconds];
      } else {
        p.events += b.metrics[row + M[metric]];
        p.units++;
      }
    }
  }
}

function report(args: RecommendArgs, probes: Probe[], found: number, recipe: number): string {
  const rows = [...probes].sort((a, b) => a.jitter - b.jitter);
  const lines = [`${args.scenario}: ${args.metric} with its 95% upper bound below ${formatPercentDigits(args.target)}`];
  lines.push('jitterSeconds  first look (events/trials)  proof (events/trials)  upper bound  verdict');
  for (const p of rows) {
    const look = p.look.trials > 0 ? `${p.look.events}/${p.look.trials}` : '-';
    const proof = p.proof.trials > 0 ? `${p.proof.events}/${p.proof.trials}` : '-';
    const hi = p.proof.trials > 0 ? formatPercentDigits(wilson(p.proof.events, p.proof.units).hi) : '-';
    const verdict = p.verdict ?? (provable(p.look, args) ? 'looked below' : 'looked above');
    lines.push(`${String(p.jitter).padStart(13)}  ${look.padStart(26)}  ${proof.padStart(21)}  ${hi.padStart(11)}  ${verdict}`);
  }
  const spent = rows.reduce((n, p) => n + p.look.trials + p.proof.trials, 0);
  lines.push(
    Number.isNaN(found)
      ? `no jitterSeconds up to ${MAX_JITTER} s meets the target (${spent} trials)`
      : `recommended jitterSeconds: ${formatNumber(found)} (the documented recipe: ${recipe}), from ${spent} trials`,
  );
  return lines.join('\n') + '\n';
}
