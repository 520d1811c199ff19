import type { GroupConfig, ModelConfig, RareTask } from './config.js';

/**
 * Which way a trial's clusters run, and whether a scenario can be importance-sampled: decided
 * here and nowhere else, each answer with its reason (sim validate prints them).
 *
 * - The quiet walk (wasm/walk.ts): a cluster of a quiet group that no
 *   fleet action names runs as a straight walk of its polls, in the independent driver.
 * - The one-instant walk: a quiet cluster whose whole history is one jitter draw and at most
 *   one instant of GETs (the recipe's picture).
 * - Importance sampling (rare-events.ts): the recipe's rollout, where the probability of a 429
 *   is a sum over bins that can be tilted.
 * Every other cluster runs the cluster model (wasm/cluster.ts, loaded by cluster-model.ts) in an event loop.
 */

/** Why group `g`'s clusters cannot take the quiet walk (null: they can, when no fleet action names them). */
export function quietWalkBlocker(g: Pick<GroupConfig, 'maxConcurrentReconciles' | 'scheduling'>, rotations: number): string | null {
  if (g.maxConcurrentReconciles !== 1) return 'maxConcurrentReconciles is not 1 (reconciles overlap)';
  if (g.scheduling !== 'per-sync') return 'its scheduling is cluster-ticker';
  if (rotations > 0) return 'secrets rotate within the horizon';
  return null;
}

/**
 * Whether a quiet cluster of group `g` is one instant: one SecretSync, latency 0, a rollout and no
 * poll back inside the horizon. Its walk is then a jitter draw and at most one record.
 */
export function oneInstant(g: Pick<GroupConfig, 'secretSyncs' | 'latency' | 'rotationPollIntervalInSeconds'>, m: Pick<ModelConfig, 'start' | 'horizon'>): boolean {
  return g.secretSyncs === 1 && g.latency === 0 && m.start === 'rollout' && g.rotationPollIntervalInSeconds > m.horizon;
}

/**
 * The recipe's rollout a scenario describes, or why it describes none: importance sampling
 * needs every SecretSync's GETs at one instant uniform on [0, J) from one rollout, one vault
 * with nothing else on it, and nothing after the first 429 that could change whether there is one.
 */
export function importanceRollout(m: ModelConfig): { rollout: RareTask['rollout'] } | { why: string } {
  if (m.fleet.length !== 1) return { why: 'it has several fleet groups' };
  const g = m.fleet[0];
  const checks: Array<[boolean, string]> = [
    [m.start === 'rollout', 'start is not rollout'],
    [m.events.length === 0, 'it has fleet events'],
    [g.latency === 0, 'its latency is not 0 (a reconcile\'s GETs at one instant)'],
    [g.scheduling === 'per-sync', 'its scheduling is cluster-ticker'],
    [m.vaults.length === 1 && m.vaults[0].background.ratePerSecond === 0, 'it has several vaults or background load'],
    [m.subscription === null, 'it has a subscription limiter'],
    [m.client.retry === 'none', 'its client retries'],
    [g.rotationPollIntervalInSeconds >= m.horizon, 'a second poll falls inside the horizon'],
    [m.horizon >= g.jitterSeconds, 'its horizon ends before the jitter does (the GETs past it would not count)'],
  ];
  const failed = checks.find(([ok]) => !ok);
  if (failed) return { why: failed[1] };
  return { rollout: { clusters: g.clusters * g.secretSyncs, secretsPerCluster: g.objectsPerSync, jitterSeconds: g.jitterSeconds } };
}

/** The paths of a scenario's point, as sim validate prints them: one line per group, then importance sampling's. */
export function describePaths(m: ModelConfig): string[] {
  const rotates = m.events.some((e) => e.kind === 'rotation');
  const named = m.events.some((e) => e.kind !== 'rotation');
  const lines = m.fleet.map((g) => {
    const blocker = quietWalkBlocker(g, 0);
    if (blocker) return `${g.name}: the cluster model in an event loop (${blocker})`;
    const walk = oneInstant(g, m) ? 'the one-instant walk' : 'the quiet walk';
    const but = [named ? 'clusters a fleet event names' : '', rotates ? 'trials whose secrets rotate within the horizon' : ''].filter(Boolean).join(' and ');
    return `${g.name}: ${walk}, each cluster alone${but ? ` (${but}: the cluster model)` : ''}; a trial that may throttle runs again, coupled`;
  });
  const plan = importanceRollout(m);
  lines.push('why' in plan ? `importance sampling (--method importance): not for this point: ${plan.why}` : 'importance sampling (--method importance): available (the recipe\'s rollout)');
  return lines;
}
