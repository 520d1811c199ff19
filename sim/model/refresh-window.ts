import type { ModelConfig } from './config.js';

/**
 * The window the documented recipe reasons about (docs/model.md): [t0, t0 + max(J, 1 s))
 * after the first rollout (the start, or else the first rollout event); with neither, the first
 * poll cycle [0, P + J). J and P are those of the first fleet group.
 */
export function refreshWindow(config: ModelConfig): { start: number; width: number } {
  const g = config.fleet[0];
  const width = Math.max(g.jitterSeconds, 1);
  if (config.start === 'rollout') return { start: 0, width };
  const rollout = config.events.find((e) => e.kind === 'rollout');
  if (rollout) return { start: rollout.at, width };
  return { start: 0, width: g.rotationPollIntervalInSeconds + g.jitterSeconds };
}
