import { analyseJitter, recommendation, type RecipeFleet } from '../analytic/jitter-analysis.js';
import { basicJitterSeconds, recipeOutOfDomain } from '../analytic/recipe.js';
import { PUBLISHED_LIMITERS, recipeFleetModel } from '../analytic/recipe-fleet-model.js';
import { formatNumber, formatPercentDigits, formatProportion, formatRare } from '../output/format.js';
import type { RareEstimand } from '../model/config.js';
import { estimateRareEvents } from '../run/rare.js';
import { runPoints } from '../run/run-scenario.js';
import { VAULT_LIMIT, VAULT_WINDOW_SECONDS } from '../model/defaults.js';
import type { JitterArgs } from './args.js';

/** `sim jitter`: the documented recipe for one fleet, the exact probabilities, and with --verify a simulation. */
export async function jitterCommand(args: JitterArgs): Promise<number> {
  const fleet: RecipeFleet = { clusters: args.clusters, secretsPerCluster: args.secrets, perSecondLimit: args.perSecondLimit };
  const rec = recommendation(fleet, args.risk);
  const outside = recipeOutOfDomain(args.secrets, args.risk, args.perSecondLimit);
  if (outside && args.jitter === undefined) {
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ clusters: args.clusters, secrets: args.secrets, risk: args.risk, perSecondLimit: args.perSecondLimit, recipeApplies: false, why: outside }, null, 2)}\n`);
      return 1;
    }
    process.stdout.write(`${args.clusters} clusters x ${args.secrets} secrets, risk ${args.risk} per second: the recipe does not apply (${outside}); give --jitter to see the probabilities at a jitter of your choice\n`);
    return 1;
  }
  const jitter = args.jitter ?? rec.documented;
  const a = analyseJitter(fleet, jitter);
  const limit = formatNumber(args.perSecondLimit);
  const out: string[] = [];
  out.push(`${args.clusters} clusters x ${args.secrets} secrets, risk ${args.risk} per second, limit ${limit} GETs/s (more than ${a.threshold} clusters in one second)`);
  if (outside) {
    out.push(`the recipe does not apply: ${outside}`);
  } else {
    out.push(`recommended jitterSeconds: ${rec.documented} (recipe ${formatNumber(Number(rec.recipe.toFixed(2)))} s, rounded as the documentation's table)`);
    out.push(`  documentation's P(exceed) at the recipe's rate: ${formatPercentDigits(rec.poissonAtRecipe)}`);
  }
  if (args.longestRefresh !== undefined) {
    const basic = basicJitterSeconds(args.longestRefresh, args.poll);
    const why = `longest refresh ${formatNumber(args.longestRefresh)} s - poll interval ${formatNumber(args.poll)} s`;
    out.push(basic >= 0 ? `basic method: ${formatNumber(basic)} s (${why})` : `basic method: none (${why} < 0: shorten the poll interval)`);
  }
  const rows: Array<[string, string, string]> = [
    [`P(a second over ${limit}), Poisson (the documentation's check)`, formatPercentDigits(a.poisson), ''],
    [`P(a second over ${limit}), exact (binomial)`, formatPercentDigits(a.exactSecond), ''],
    [`P(any second of the refresh over ${limit}), exact`, formatPercentDigits(a.exactRefresh), ''],
    [`P(a second over ${limit}) if each SecretSync jitters alone`, formatPercentDigits(a.perSyncSecond), ''],
  ];
  let simulated: Record<string, { mean: number; lo: number; hi: number }> | null = null;
  let sampled: Record<string, unknown> | null = null;
  const trials = args.trials ?? 2000;
  if (args.verify && args.method === 'importance') {
    // Importance sampling (sim/model/rare-events.ts): the same probabilities, each with its relative error.
    const shapes = Object.entries(PUBLISHED_LIMITERS);
    const estimands: RareEstimand[] = [
      { kind: 'pSecondOver', perSecondLimit: args.perSecondLimit },
      { kind: 'refreshOver', perSecondLimit: args.perSecondLimit },
      ...shapes.map(([, limiter]): RareEstimand => ({ kind: 'throttledTrial', limiter })),
    ];
    const rollout = { clusters: args.clusters, secretsPerCluster: args.secrets, jitterSeconds: jitter };
    const [second, refresh, ...throttle] = await estimateRareEvents(estimands.map((estimand) => ({ rollout, estimand })), trials, args.seed ?? 1, { workers: args.workers, stallSeconds: args.stallSeconds });
    rows[1][2] = `importance ${formatRare(second)}`;
    rows[2][2] = `importance ${formatRare(refresh)}`;
    shapes.forEach(([shape], i) => rows.push([`P(a refresh with a 429), ${shape} ${VAULT_LIMIT} per ${VAULT_WINDOW_SECONDS} s`, '', `importance ${formatRare(throttle[i])}`]));
    sampled = { method: 'importance', trials, pSecondOver: second, refreshOver: refresh, throttledTrial: Object.fromEntries(shapes.map(([shape], i) => [shape, throttle[i]])) };
    out.push(`at jitterSeconds ${formatNumber(jitter)} (importance sampling: ${trials} weighted rollouts per probability, a cluster's GETs at one instant, no retries; +- relative standard error):`);
  } else if (args.verify) {
    const model = recipeFleetModel(fleet, jitter, PUBLISHED_LIMITERS['token-bucket']);
    const [r] = await runPoints([{ index: 0, model }], args.seed ?? 1, trials, 'sim jitter --verify', { workers: args.workers, engine: args.engine, stallSeconds: args.stallSeconds });
    const interval = (m: string) => ({ mean: r.summary.get(`${m}_mean`)!, lo: r.summary.get(`${m}_lo`)!, hi: r.summary.get(`${m}_hi`)! });
    simulated = { pSecondOver: interval('pSecondOver'), refreshOver: interval('refreshOver'), throttledTrial: interval('throttledTrial') };
    const p = (m: string) => formatProportion(r.summary.get(`${m}_mean`)!, r.summary.get(`${m}_lo`)!, r.summary.get(`${m}_hi`)!);
    rows[1][2] = `simulated ${p('pSecondOver')}`;
    rows[2][2] = `simulated ${p('refreshOver')}`;
    rows.push([`P(a refresh with a 429), token bucket ${VAULT_LIMIT} + ${VAULT_LIMIT / VAULT_WINDOW_SECONDS}/s`, '', `simulated ${p('throttledTrial')}`]);
    out.push(`at jitterSeconds ${formatNumber(jitter)} (simulated: ${trials} trials, a cluster's GETs at one instant, no retries; 95% intervals):`);
  } else {
    out.push(`at jitterSeconds ${formatNumber(jitter)}:`);
  }
  if (args.json) {
    const basic = args.longestRefresh !== undefined ? basicJitterSeconds(args.longestRefresh, args.poll) : null;
    const json = {
      clusters: args.clusters,
      secrets: args.secrets,
      risk: args.risk,
      perSecondLimit: args.perSecondLimit,
      overLimitAbove: a.threshold,
      recipeApplies: !outside,
      ...(outside ? { why: outside } : { recommended: { jitterSeconds: rec.documented, recipe: rec.recipe, poissonAtRecipe: rec.poissonAtRecipe } }),
      basicMethod: basic === null ? null : { jitterSeconds: basic >= 0 ? basic : null, longestRefresh: args.longestRefresh, poll: args.poll },
      jitterSeconds: jitter,
      // null: too large an exact computation for this fleet.
      probabilities: { poissonSecond: a.poisson, exactSecond: a.exactSecond, exactRefresh: Number.isNaN(a.exactRefresh) ? null : a.exactRefresh, perSyncSecond: a.perSyncSecond },
      simulated: sampled ?? (simulated && { trials, limiter: `token bucket ${VAULT_LIMIT} + ${VAULT_LIMIT / VAULT_WINDOW_SECONDS}/s`, ...simulated }),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  if (Number.isNaN(a.exactRefresh)) out.push('  (the exact per-refresh probability is too large a computation for this fleet: shown as -)');
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [what, exact, simulated] of rows) out.push(`  ${what.padEnd(w0)}  ${exact.padStart(w1)}  ${simulated}`.trimEnd());
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
