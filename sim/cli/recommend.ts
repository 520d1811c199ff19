import { recommendation } from '../analytic/jitter-analysis.js';
import { recipeOutOfDomain } from '../analytic/recipe.js';
import { alignColumns, formatNumber, formatPercentDigits, formatRareBrief } from '../output/format.js';
import { leastProofTrials, MAX_JITTER, recommendJitter, type Estimate, type Probe, type Recommendation, type ShapeAnswer } from '../run/jitter-search.js';
import type { RareEstimate } from '../metrics/rare-estimate.js';
import type { ModelConfig } from '../model/config.js';
import { recommendByImportance, rolloutOrRefuse } from '../run/rare-search.js';
import { defaultWorkers, TrialPool } from '../run/trial-pool.js';
import { sizeProblem } from '../run/size-check.js';
import { UserError } from '../scenario/errors.js';
import { onFirstInterrupt } from './interrupt.js';
import { loadScenario } from '../scenario/load.js';
import type { RecommendArgs } from './args.js';
import { DOCUMENTED_RISK } from '../model/defaults.js';

/**
 * `sim recommend`: the least jitterSeconds whose metric is proven below a target under every
 * limiter shape asked for (sim/run/jitter-search.ts), printed per shape with the largest.
 */
export async function recommendCommand(args: RecommendArgs): Promise<number> {
  const scenario = loadScenario(args.scenario, { seed: args.seed, set: args.set });
  if (scenario.points.length !== 1) {
    throw new UserError(`${args.scenario}: sweep: recommend searches jitterSeconds itself; remove the sweep (or fix its values with --set)`);
  }
  const least = leastProofTrials(args.target);
  if (least > args.maxTrials && args.method !== 'importance') {
    throw new UserError(`--target ${args.target}: a proof needs at least ${least} trials without an event; raise --max-trials (now ${args.maxTrials})`);
  }
  const base = scenario.points[0].model;
  // The size check of sim run, before any worker starts: a fleet that cannot fit is refused at once.
  const workers = args.workers ?? defaultWorkers();
  const why = sizeProblem([base], args.maxTrials, workers);
  if (why) throw new UserError(`${args.scenario}: ${why}: fewer clusters or a shorter horizon`);
  const g = base.fleet[0];
  const secrets = g.secretSyncs * g.objectsPerSync;
  const recipe = recommendation({ clusters: g.clusters, secretsPerCluster: secrets, perSecondLimit: base.metrics.perSecondLimit }, DOCUMENTED_RISK).documented;
  if (args.method === 'importance') return recommendByImportanceCommand(args, base, recipe >= 1 ? recipe : 1, scenario.seed);
  const pool = new TrialPool(args.workers, undefined, args.engine, args.stallSeconds);
  let answer: Recommendation;
  const interrupt = new AbortController();
  const release = onFirstInterrupt(() => interrupt.abort());
  try {
    answer = await recommendJitter(base, scenario.seed, args.shapes, recipe >= 1 ? recipe : 1, pool, {
      target: args.target,
      metric: args.metric,
      maxTrials: args.maxTrials,
      lookTrials: args.trials ?? 200,
      deadline: Date.now() + args.maxTime * 1000,
      signal: interrupt.signal,
      progress: args.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
  } finally {
    release();
    await pool.destroy();
  }
  const outside = recipeOutOfDomain(secrets, DOCUMENTED_RISK, base.metrics.perSecondLimit);
  const text = report(args, answer, recipe, outside, interrupt.signal.aborted);
  process.stdout.write(args.json ? json(args, answer, recipe, outside, interrupt.signal.aborted) : text);
  if (args.exportMarkdown !== undefined) {
    const { recommendMarkdown, writeReviewFile } = await import('../output/review-files.js');
    writeReviewFile(args.exportMarkdown, recommendMarkdown(scenario.name, answer.jitterSeconds, text), '--export-markdown');
  }
  return Number.isNaN(answer.jitterSeconds) ? 1 : 0;
}

function json(args: RecommendArgs, a: Recommendation, recipe: number, outside: string, interrupted: boolean): string {
  const value = { scenario: args.scenario, ...a, interrupted, recipe: outside ? null : recipe, recipeNote: outside };
  // NaN and Infinity are not JSON: null ("none").
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

function report(args: RecommendArgs, a: Recommendation, recipe: number, outside: string, interrupted: boolean): string {
  const pct = formatPercentDigits;
  const lines = [`${args.scenario}: ${a.metric}, its ${a.confidence * 100}% upper bound below ${pct(a.target)}, under ${a.shapes.length === 1 ? 'one limiter shape' : 'each limiter shape'}`];
  const rows = [['shape', 'jitterSeconds', 'proof: events / fresh trials', 'upper bound', 'cliff: largest jitter not proven, its share [95%] on fresh trials', 'margin: the answer is at most this above the least jitter that meets the target']];
  for (const s of a.shapes) {
    // Stopped with none proven: the best so far, the proof with the lowest bound (what it does show).
    const best = Number.isNaN(s.jitterSeconds) ? bestProof(s) : null;
    const proof = best ? `at ${best.jitterSeconds} s: ${proofCell(a, { ...s, proof: best.proof! })}` : proofCell(a, s);
    const bound = best ? `${pct(best.proof!.bound)} (not below the target)` : s.proof ? pct(s.proof.bound) : '-';
    rows.push([s.shape, Number.isNaN(s.jitterSeconds) ? (s.stopped ? 'none proven yet' : `none <= ${MAX_JITTER}`) : String(s.jitterSeconds) + (s.impliedBy ? ' (the sliding window\'s)' : s.stopped ? ' (stopped early)' : ''), proof, bound, cliffCell(s.cliff), marginCell(s)]);
  }
  lines.push(...alignColumns(rows, true));
  const stopped = a.shapes.filter((s) => s.stopped).map((s) => s.shape);
  const implied = a.shapes.filter((s) => s.impliedBy).map((s) => s.shape);
  if (implied.length > 0) lines.push(`${implied.join(', ')}: the sliding window's proof holds (at the same limit and window it rejects whatever they would), before their own searches proved a smaller jitter`);
  if (stopped.length > 0) lines.push(`stopped by ${interrupted ? 'SIGINT' : `--max-time ${args.maxTime} s (shared among the shapes)`}: ${stopped.join(', ')}; an answer shown is proven, but a smaller one may be too; a longer --max-time searches further`);
  const recipeText = outside ? `the documented recipe does not apply: ${outside}` : `the documented recipe: ${recipe}`;
  lines.push(
    Number.isNaN(a.jitterSeconds)
      ? stopped.length > 0
        ? `no jitterSeconds proven under every shape before ${interrupted ? 'SIGINT' : `--max-time ${args.maxTime} s`} (${formatNumber(a.trials)} trials); where a proof ran, its bound is what it shows`
        : `no jitterSeconds up to ${MAX_JITTER} s is proven under every shape (${formatNumber(a.trials)} trials)`
      : `recommended jitterSeconds: ${a.jitterSeconds}${a.shapes.length > 1 ? ' (the largest of the shapes)' : ''}; ${recipeText}; from ${formatNumber(a.trials)} trials`,
  );
  return lines.join('\n') + '\n';
}

function proofCell(a: Recommendation, s: ShapeAnswer): string {
  if (!s.proof) return '-';
  const events = a.metric === 'pSecondOver' ? `mean ${formatPercentDigits(s.proof.sum / s.proof.trials)}` : String(s.proof.sum);
  return `${events} / ${formatNumber(s.proof.trials)}`;
}

/** A shape's proof with the lowest upper bound (none proven: what the search did show). */
function bestProof(s: ShapeAnswer): Probe | null {
  return s.probes.filter((p) => p.proof).sort((x, y) => x.proof!.bound - y.proof!.bound)[0] ?? null;
}

function cliffCell(c: Estimate | null): string {
  if (!c) return '-';
  return `${c.jitterSeconds}: ${formatPercentDigits(c.mean)} [${formatPercentDigits(c.lo)}, ${formatPercentDigits(c.hi)}] of ${formatNumber(c.trials)} trials`;
}

function marginCell(s: ShapeAnswer): string {
  if (Number.isNaN(s.jitterSeconds) || s.impliedBy) return '-';
  if (!s.margin) return 'not shown (no jitter below measured above the target)';
  const f = s.margin.floor;
  return `${s.margin.seconds} s (${f.jitterSeconds} s is above the target: ${formatPercentDigits(f.lo)} or more)`;
}

/**
 * `sim recommend --method importance`: per shape, the least jitterSeconds whose throttling
 * probability importance sampling proves below the target (its one-sided 95% bound), for a
 * scenario that is the recipe's rollout (sim/run/rare-search.ts says which are).
 */
async function recommendByImportanceCommand(args: RecommendArgs, base: ModelConfig, start: number, seed: number | string): Promise<number> {
  if (args.metric !== 'throttledTrial') throw new UserError(`--method importance: proves throttledTrial only (got --metric ${args.metric}); refreshOver and pSecondOver have exact values: sim jitter`);
  const rollout = rolloutOrRefuse(base, args.scenario);
  const trials = args.trials ?? 2000;
  const answers = await recommendByImportance(rollout, base, args.shapes, start, args.target, trials, seed, { workers: args.workers, stallSeconds: args.stallSeconds, report: args.quiet ? undefined : (line) => process.stderr.write(`${line}\n`) });
  const largest = answers.some((a) => Number.isNaN(a.jitterSeconds)) ? NaN : Math.max(...answers.map((a) => a.jitterSeconds));
  if (args.json) {
    const value = { scenario: args.scenario, method: 'importance', metric: 'throttledTrial', target: args.target, trialsPerLook: trials, jitterSeconds: largest, shapes: answers };
    process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  } else {
    const pct = formatPercentDigits;
    const est = (e: RareEstimate | null) => (!e ? '-' : formatRareBrief(e) + (e.refused ? ` (${e.refused.split(':')[0]})` : ''));
    const lines = [`${args.scenario}: throttledTrial by importance sampling (${trials} weighted rollouts per look), its one-sided 95% bound below ${pct(args.target)}, under ${answers.length === 1 ? 'one limiter shape' : 'each limiter shape'}`];
    const rows = [['shape', 'jitterSeconds', 'at it', 'one second less (fresh rollouts)']];
    for (const a of answers) rows.push([a.shape, Number.isNaN(a.jitterSeconds) ? `none <= ${MAX_JITTER}` : String(a.jitterSeconds), est(a.at), est(a.below)]);
    lines.push(...alignColumns(rows, true));
    lines.push(Number.isNaN(largest) ? `no jitterSeconds up to ${MAX_JITTER} s is proven under every shape` : `recommended jitterSeconds: ${largest}${answers.length > 1 ? ' (the largest of the shapes)' : ''}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return Number.isNaN(largest) ? 1 : 0;
}
