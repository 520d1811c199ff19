import type { ModelConfig } from '../model/config.js';
import type { Scenario } from './load.js';

/**
 * What a valid scenario may not mean to say: a rollout whose jitter window outlasts the horizon
 * (some SecretSyncs never fetch within the trial, so every metric of the rollout is cut short).
 * An event at or after the horizon is an error (resolve.ts), not a warning. One line each,
 * naming the point when the sweep makes it differ.
 */
export function scenarioWarnings(scenario: Scenario): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  // A value swept twice runs the same points twice under two numbers.
  scenario.sweepColumns.forEach((column, i) => {
    const values = (scenario.sweepValues?.[i] ?? []).map((v) => JSON.stringify(v));
    const twice = [...new Set(values.filter((v, j) => values.indexOf(v) !== j))];
    if (twice.length > 0) out.push(`sweep.${column}: ${twice.join(', ')} appear${twice.length === 1 ? 's' : ''} more than once: those points run the same model`);
  });
  for (const p of scenario.points) {
    const where = scenario.points.length > 1 ? ` (point ${p.index})` : '';
    for (const w of modelWarnings(p.model)) {
      if (!seen.has(w)) out.push(`${w}${where}`);
      seen.add(w);
    }
  }
  return out;
}

function modelWarnings(m: ModelConfig): string[] {
  const out: string[] = [];
  const r = m.client.retry;
  if (typeof r === 'object' && r.baseDelay > r.maxDelay) out.push(`client.retry: baseDelay ${r.baseDelay} s is above maxDelay ${r.maxDelay} s: every retry waits maxDelay`);
  const q = m.client.requeue;
  if (q.baseDelay > q.maxDelay) out.push(`client.requeue: baseDelay ${q.baseDelay} s is above maxDelay ${q.maxDelay} s: every requeue waits maxDelay`);
  const used = new Set(m.fleet.flatMap((g) => g.vaults));
  for (const v of m.vaults) if (!used.has(v.name)) out.push(`vaults: ${v.name} is used by no fleet group: it receives no GET`);
  const jitter = Math.max(...m.fleet.map((g) => g.jitterSeconds));
  if (m.start === 'rollout' && jitter > m.horizon) {
    out.push(`horizon: ${m.horizon} s ends before the initial rollout's jitter window (${jitter} s): some SecretSyncs never fetch`);
  }
  m.events.forEach((e, i) => {
    if (e.kind === 'rollout' && 'share' in e.clusters && Math.round(e.clusters.share * m.fleet.reduce((n, g) => n + g.clusters, 0)) === 0) {
      out.push(`events.${i}: the rollout touches no cluster (clusters: ${e.clusters.share * 100}% of the fleet rounds to 0)`);
    }
    if (e.kind === 'rollout' && e.at + e.over + jitter > m.horizon) {
      out.push(`events.${i}: the rollout at ${e.at} s with its waves and jitter runs to ${e.at + e.over + jitter} s, after the horizon (${m.horizon} s)`);
    }
  });
  return out;
}
