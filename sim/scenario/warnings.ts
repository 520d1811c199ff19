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
  const jitter = Math.max(...m.fleet.map((g) => g.jitterSeconds));
  if (m.start === 'rollout' && jitter > m.horizon) {
    out.push(`horizon: ${m.horizon} s ends before the initial rollout's jitter window (${jitter} s): some SecretSyncs never fetch`);
  }
  m.events.forEach((e, i) => {
    if (e.kind === 'rollout' && e.at + e.over + jitter > m.horizon) {
      out.push(`events.${i}: the rollout at ${e.at} s with its waves and jitter runs to ${e.at + e.over + jitter} s, after the horizon (${m.horizon} s)`);
    }
  });
  return out;
}
