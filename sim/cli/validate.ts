import { describePaths } from '../model/paths.js';
import { checkAssertionColumns } from '../scenario/assertions.js';
import { loadScenario } from '../scenario/load.js';
import { scenarioWarnings } from '../scenario/warnings.js';
import { summaryColumns } from '../output/results-files.js';
import { describeSize, estimateSize } from '../run/size-check.js';
import { defaultWorkers } from '../run/trial-pool.js';
import { limitPer10s, waveStarts, type GroupConfig, type ModelConfig } from '../model/config.js';
import { recipeExceedProbability } from '../analytic/recipe.js';
import { splitCounts } from '../model/vault-split.js';
import type { RunArgs } from './args.js';

/** Each vault's SecretSyncs of the group as laid out (a split's counts, or whole clusters round robin). */
function realizedSplit(g: GroupConfig): Array<{ vault: string; secretSyncs: number; share: number; asked: number }> {
  const n = g.clusters * g.secretSyncs;
  const k = g.vaults.length;
  const counts = g.vaultShares ? (splitCounts(g.vaultShares, n) ?? []) : g.vaults.map((_, v) => Math.ceil((g.clusters - v) / k) * g.secretSyncs);
  return g.vaults.map((vault, v) => ({ vault, secretSyncs: counts[v], share: counts[v] / n, asked: g.vaultShares ? g.vaultShares[v] : 1 / k }));
}

function splitText(g: GroupConfig): string {
  if (g.vaults.length === 1) return g.vaults[0];
  const pct = (x: number) => `${Number((x * 100).toPrecision(4))}%`;
  return realizedSplit(g)
    .map((r) => `${r.vault} ${pct(r.share)}${g.vaultShares ? ` (asked ${pct(r.asked)})` : ''} = ${r.secretSyncs} SecretSyncs`)
    .join(' / ');
}

/**
 * The plan of a point, as a dry run prints it: per group its GETs per reconcile round, when
 * each rollout and wave starts, the GETs each vault gets from one full rollout against its
 * limit, and the recipe's busiest second (its picture: each cluster's GETs in one second,
 * clusters Poisson over the jitter window).
 */
function planLines(m: ModelConfig): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines: string[] = [];
  const perVault = new Map<string, number>();
  for (const g of m.fleet) {
    const gets = g.clusters * g.secretSyncs * g.objectsPerSync;
    lines.push(`      ${g.name}: ${n(g.clusters)} clusters x ${g.secretSyncs} SecretSyncs x ${g.objectsPerSync} objects = ${n(gets)} GETs per round (${n(g.secretSyncs * g.objectsPerSync)} per cluster), each SecretSync's within J = ${g.jitterSeconds} s of a rollout, then every ${g.rotationPollIntervalInSeconds} s`);
    for (const r of realizedSplit(g)) perVault.set(r.vault, (perVault.get(r.vault) ?? 0) + r.secretSyncs * g.objectsPerSync);
  }
  const all = m.fleet.reduce((k, g) => k + g.clusters, 0);
  if (m.start === 'rollout') lines.push(`      rollout at 0 s: all ${n(all)} clusters`);
  const waves = waveStarts(m.events);
  m.events.forEach((e, i) => {
    if (e.kind !== 'rollout') return;
    const who = 'share' in e.clusters ? `${Number((e.clusters.share * 100).toPrecision(4))}% of the clusters (${n(Math.round(e.clusters.share * all))})` : `group ${e.clusters.group}`;
    const starts = waves[String(i)].map((t) => `${Number(t.toPrecision(6))} s`);
    lines.push(`      events.${i} rollout: ${who}, ${e.waves === 1 ? `at ${starts[0]}` : `${e.waves} waves at ${starts.join(', ')}`}`);
  });
  const limits = new Map(m.vaults.map((v) => [v.name, limitPer10s(v.limiter)]));
  const cap = m.subscription ? `; the subscription's limit ${n(limitPer10s(m.subscription))} per 10 s over all vaults` : '';
  lines.push(`      GETs per full rollout: ${[...perVault].map(([v, k]) => `${v} ${n(k)} (limit ${n(limits.get(v) ?? NaN)} per 10 s)`).join(', ')}${cap}`);
  for (const g of m.fleet) {
    const secrets = g.secretSyncs * g.objectsPerSync;
    const limit = m.metrics.perSecondLimit;
    const mean = g.jitterSeconds > 0 ? `${n(Math.round((g.clusters * secrets) / g.jitterSeconds))} GETs/s on average over J` : `all ${n(g.clusters * secrets)} GETs in one second (J = 0)`;
    lines.push(`      the recipe's busiest second for ${g.name}: ${mean}; a given second over ${n(limit)}/s with probability ${recipeExceedProbability(g.clusters, secrets, g.jitterSeconds, limit).toPrecision(3)}`);
  }
  return lines;
}

/** `sim validate`: load and check a scenario, then say what a run would simulate. */
export function validateCommand(args: RunArgs): number {
  const scenario = loadScenario(args.scenario, { trials: args.trials, seed: args.seed, set: args.set });
  checkAssertionColumns(scenario.assertions, summaryColumns(scenario));
  const lines = [`${args.scenario}: ok`];
  lines.push(`  ${scenario.name}${scenario.description ? `: ${scenario.description}` : ''}`);
  lines.push(`  ${scenario.points.length} point(s) x ${scenario.trials} trials, seed ${scenario.seed}`);
  // A long sweep's points are summarised after the first few: a console of ten thousand lines says less.
  const SHOWN = 20;
  for (const p of scenario.points.slice(0, SHOWN)) {
    const m = p.model;
    const swept = p.sweep.map((s) => `${s.column}=${JSON.stringify(s.value)}`).join(' ');
    lines.push(`  point ${p.index}${swept ? ` (${swept})` : ''}: horizon ${m.horizon}s, start ${m.start}, ${m.events.length} event(s)`);
    for (const g of m.fleet) {
      lines.push(`    ${g.name} ${g.clusters}x${g.secretSyncs}${g.objectsPerSync > 1 ? `x${g.objectsPerSync}` : ''} J=${g.jitterSeconds}s P=${g.rotationPollIntervalInSeconds}s -> ${splitText(g)}`);
    }
    lines.push('    plan:', ...planLines(m));
    lines.push('    paths:', ...describePaths(m).map((l) => `      ${l}`));
  }
  if (scenario.points.length > SHOWN) lines.push(`  ... and ${scenario.points.length - SHOWN} more point(s) (--json lists every one)`);
  const size = estimateSize(scenario.points.map((p) => p.model), scenario.trials, args.workers ?? defaultWorkers());
  const warnings = scenarioWarnings(scenario);
  if (args.json) {
    const json = {
      file: args.scenario,
      ok: true,
      name: scenario.name,
      description: scenario.description ?? null,
      seed: scenario.seed,
      trials: scenario.trials,
      points: scenario.points.map((p) => ({
        index: p.index,
        sweep: Object.fromEntries(p.sweep.map((s) => [s.column, s.value])),
        model: p.model,
        vaultSplit: Object.fromEntries(p.model.fleet.map((g) => [g.name, realizedSplit(g)])),
        paths: describePaths(p.model),
      })),
      estimate: { ...size, text: describeSize(size) },
      warnings,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  lines.push(`  estimated memory: ${describeSize(size)}; up to ${size.getsPerTrial.toLocaleString('en-US')} GETs per trial without failures`);
  for (const w of warnings) lines.push(`  warning: ${w}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
