import { lastMeasurableRotation, type ClusterSelection, type FleetEventConfig, type GroupConfig, type LimiterConfig, type ModelConfig } from '../model/config.js';
import { splitCounts } from '../model/vault-split.js';
import { UserError } from './errors.js';
import type { ScenarioInput } from './schema.js';

/** Timeseries bins per trial: each trial keeps two counts per bin until its point is summarised. */
export const MAX_TIMESERIES_BINS = 1_000_000;

/** Other applications' requests per trial and vault: each is drawn and replayed one by one. */
export const MAX_BACKGROUND_PER_TRIAL = 1e8;

/** A split the group's SecretSyncs can follow: each vault with a share gets one, each within one of its share. */
function checkSplit(shares: number[], vaults: string[], n: number, field: string, group: string): void {
  if (splitCounts(shares, n)) return;
  const named = shares.filter((s) => s > 0).length;
  const starved = vaults.flatMap((name, v) => (shares[v] > 0 && shares[v] * n < 1 ? [`${name}'s ${Number((shares[v] * n).toPrecision(3))}`] : []));
  throw new UserError(
    n < named
      ? `${field}: group "${group}" has ${n} SecretSync(s) (clusters x secretSyncs) for ${named} vaults with a share, so some vault would get none; more SecretSyncs or fewer vaults`
      : `${field}: group "${group}"'s ${n} SecretSyncs cannot give every vault with a share one SecretSync and keep each within one SecretSync of its share (${starved.join(', ')} SecretSyncs); larger shares for those vaults or more SecretSyncs`,
  );
}

/** Cross-field checks and the last defaults: from validated input to the model's configuration. */
export function resolveModel(input: ScenarioInput): ModelConfig {
  const vaultNames = input.vaults.map((v) => v.name);
  unique(vaultNames, 'vaults', 'vault');
  const fleet: GroupConfig[] = input.fleet.map((g, i) => {
    const split = typeof g.vault === 'object' && !Array.isArray(g.vault) ? g.vault : null;
    const vaults = g.vault === undefined ? [vaultNames[0]] : typeof g.vault === 'string' ? [g.vault] : split ? Object.keys(split) : (g.vault as string[]);
    if (split) {
      const total = Object.values(split).reduce((a, b) => a + b, 0);
      if (vaults.length === 0) throw new UserError(`fleet.${i}.vault: name at least one vault`);
      if (Math.abs(total - 1) > 1e-9) throw new UserError(`fleet.${i}.vault: the shares of the SecretSyncs must sum to 100%, got ${Number((total * 100).toPrecision(6))}%`);
      checkSplit(Object.values(split), vaults, g.clusters * g.secretSyncs, `fleet.${i}.vault`, g.name ?? `group${i}`);
    }
    if (typeof g.latency === 'object' && g.latency.p99 < g.latency.median) {
      // A p99 below the median has no lognormal: it would have become latency 0, silently.
      throw new UserError(`fleet.${i}.latency.p99: ${g.latency.p99}s is below the median (${g.latency.median}s); give the p99 in the same unit, at least the median`);
    }
    for (const v of vaults) {
      if (!vaultNames.includes(v)) {
        throw new UserError(`fleet.${i}.vault: unknown vault "${v}" (vaults: ${vaultNames.join(', ')})`);
      }
    }
    return {
      name: g.name ?? `group${i}`,
      clusters: g.clusters,
      secretSyncs: g.secretSyncs,
      objectsPerSync: g.objectsPerSync,
      vaults,
      vaultShares: split ? vaults.map((v) => split[v]) : null,
      rotationPollIntervalInSeconds: g.rotationPollIntervalInSeconds,
      jitterSeconds: g.jitterSeconds,
      scheduling: g.scheduling,
      maxConcurrentReconciles: g.maxConcurrentReconciles,
      enablePartialSecretSync: g.enablePartialSecretSync,
      jitterOnRequeue: g.jitterOnRequeue,
      jitterOnRestart: g.jitterOnRestart,
      latency: g.latency === 0 || g.latency === '0' ? 0 : g.latency,
    };
  });
  const groupNames = fleet.map((g) => g.name);
  unique(groupNames, 'fleet', 'group');
  const events = input.events.map((e, i) => resolveEvent(e, `events.${i}`, fleet, vaultNames, input.horizon));
  events.forEach((e, i) => {
    // Never simulated: the run would answer a question the scenario did not ask, silently.
    if (e.at >= input.horizon) throw new UserError(`events.${i}.at: the ${e.kind} at ${e.at}s is at or after the horizon (${input.horizon}s), so it would never happen; a longer horizon or an earlier time`);
  });
  input.vaults.forEach((v, i) => checkLimiter(v.limiter, `vaults.${i}.limiter`));
  if (input.subscription !== 'none') checkLimiter(input.subscription.limiter, 'subscription.limiter');
  const retry = input.client.retry;
  if (typeof retry === 'object' && retry.jitter[0] > retry.jitter[1]) {
    throw new UserError(`client.retry.jitter: the lower factor ${retry.jitter[0]} is above the upper ${retry.jitter[1]}`);
  }
  if (input.metrics.timeseriesBin > input.horizon) {
    throw new UserError(`metrics.timeseriesBin: ${input.metrics.timeseriesBin}s is longer than the horizon (${input.horizon}s)`);
  }
  input.vaults.forEach((v, i) => {
    const perTrial = v.background.ratePerSecond * input.horizon;
    if (perTrial > MAX_BACKGROUND_PER_TRIAL) {
      throw new UserError(`vaults.${i}.background.ratePerSecond: ${v.background.ratePerSecond}/s over the ${input.horizon}s horizon is ${perTrial.toExponential(2)} requests per trial; at most ${MAX_BACKGROUND_PER_TRIAL.toExponential(0)}`);
    }
  });
  const bins = input.horizon / input.metrics.timeseriesBin;
  if (bins > MAX_TIMESERIES_BINS) {
    throw new UserError(`metrics.timeseriesBin: ${input.metrics.timeseriesBin}s makes ${Math.ceil(bins).toLocaleString('en-US')} bins over the horizon; at most ${MAX_TIMESERIES_BINS.toLocaleString('en-US')} (a wider bin)`);
  }
  return {
    horizon: input.horizon,
    start: input.start,
    fleet,
    vaults: input.vaults,
    subscription: input.subscription === 'none' ? null : input.subscription.limiter,
    client: { ...input.client, requeue: { ...input.client.requeue, overall: input.client.requeue.overall === 'none' ? null : input.client.requeue.overall } },
    events,
    metrics: input.metrics,
  };
}

function unique(names: string[], field: string, what: string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw new UserError(`${field}.${i}.name: a second ${what} named "${n}"`);
    seen.add(n);
  });
}

function checkSelection(sel: ClusterSelection, field: string, groups: string[]): void {
  if ('group' in sel && !groups.includes(sel.group)) {
    throw new UserError(`${field}: "${sel.group}" is neither a share such as "25%" nor a fleet group (groups: ${groups.join(', ')})`);
  }
}

type EventInput = ScenarioInput['events'][number];

function resolveEvent(e: EventInput, field: string, fleet: GroupConfig[], vaultNames: string[], horizon: number): FleetEventConfig {
  const groupNames = fleet.map((g) => g.name);
  switch (e.kind) {
    case 'rollout':
    case 'restart':
      checkSelection(e.clusters, `${field}.clusters`, groupNames);
      return e;
    case 'outage': {
      const names = e.vault === undefined ? vaultNames : typeof e.vault === 'string' ? [e.vault] : e.vault;
      const vaults = names.map((name) => {
        const v = vaultNames.indexOf(name);
        if (v < 0) throw new UserError(`${field}.vault: unknown vault "${name}" (vaults: ${vaultNames.join(', ')})`);
        return v;
      });
      return { kind: 'outage', at: e.at, vaults, duration: e.duration, timeout: e.timeout };
    }
    case 'rotation': {
      checkSelection(e.clusters, `${field}.clusters`, groupNames);
      const touched = 'group' in e.clusters ? fleet.filter((g) => g.name === (e.clusters as { group: string }).group) : fleet;
      const fewest = Math.min(...touched.map((g) => g.secretSyncs));
      if (e.secretSyncs > fewest) {
        throw new UserError(`${field}.secretSyncs: ${e.secretSyncs} is more than the ${fewest} SecretSyncs per cluster of the selected clusters`);
      }
      const measurable = Math.max(...fleet.map((g) => lastMeasurableRotation(horizon, g)));
      if (e.at > measurable) {
        throw new UserError(
          `${field}.at: a rotation at ${e.at}s cannot be measured: a healthy fleet needs up to P + jitterSeconds to read it and the horizon (${horizon}s) ends first; lengthen the horizon or rotate earlier`,
        );
      }
      const schedule =
        e.every !== undefined ? { kind: 'every' as const, seconds: e.every } : e.rate !== undefined ? { kind: 'poisson' as const, ratePerSecond: e.rate } : { kind: 'once' as const };
      return { kind: 'rotation', at: e.at, until: e.until ?? horizon, schedule, clusters: e.clusters, secretSyncs: e.secretSyncs };
    }
  }
}

function checkLimiter(l: LimiterConfig, field: string): void {
  if (l.kind === 'fixed-window' && typeof l.phase === 'number' && l.phase >= l.window) {
    throw new UserError(`${field}.phase: must be less than the window (${l.window}s)`);
  }
}
