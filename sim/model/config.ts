/**
 * The resolved, validated input of one simulated point: plain data, every default filled in,
 * every duration in seconds. sim/scenario/ produces it from YAML; the model reads nothing else.
 */

import { POLL_INTERVAL_SECONDS } from './defaults.js';

/** The most objects per SecretSync, or SDK retries of one GET, the model counts (uint16 slots). */
export const MAX_COUNT_PER_SYNC = 0xffff;

export type LimiterConfig =
  | { kind: 'token-bucket'; capacity: number; refillPerSecond: number }
  | { kind: 'fixed-window'; limit: number; window: number; phase: number | 'random' }
  | { kind: 'sliding-window'; limit: number; window: number };

/**
 * The three limiter shapes of docs/model.md. AKV publishes its limit (4,000 GETs per 10 s)
 * but not its shape, so an answer must hold under each.
 */
export const LIMITER_SHAPES = ['token-bucket', 'fixed-window', 'sliding-window'] as const;
export type LimiterShape = (typeof LIMITER_SHAPES)[number];

/** A limiter's limit and window: a token bucket's capacity, and the time its refill takes to fill it. */
export function limitAndWindow(l: LimiterConfig): { limit: number; window: number } {
  return l.kind === 'token-bucket' ? { limit: l.capacity, window: l.capacity / l.refillPerSecond } : { limit: l.limit, window: l.window };
}

/** A limiter's limit scaled to 10 s, the window peak10s counts in (the published limit's window). */
export function limitPer10s(l: LimiterConfig): number {
  const { limit, window } = limitAndWindow(l);
  return (limit * 10) / window;
}

/** The same limit and window in another shape (a fixed window at a random phase). */
export function shapedLimiter(l: LimiterConfig, shape: LimiterShape): LimiterConfig {
  const { limit, window } = limitAndWindow(l);
  if (shape === 'token-bucket') return { kind: 'token-bucket', capacity: limit, refillPerSecond: limit / window };
  if (shape === 'fixed-window') return { kind: 'fixed-window', limit, window, phase: 'random' };
  return { kind: 'sliding-window', limit, window };
}

/** The model with every vault's limiter, and the subscription's, in the given shape. */
export function withLimiterShape(model: ModelConfig, shape: LimiterShape): ModelConfig {
  return {
    ...model,
    vaults: model.vaults.map((v) => ({ ...v, limiter: shapedLimiter(v.limiter, shape) })),
    subscription: model.subscription && shapedLimiter(model.subscription, shape),
  };
}

/** `none`, a fixed number of seconds, or the time until the limiter would accept. */
export type RetryAfterConfig = 'none' | 'until-capacity' | number;

export interface VaultConfig {
  name: string;
  limiter: LimiterConfig;
  rejectedCount: boolean;
  retryAfter: RetryAfterConfig;
  background: { ratePerSecond: number };
}

export type Latency = { median: number; p99: number } | 0;

export interface GroupConfig {
  name: string;
  clusters: number;
  secretSyncs: number;
  objectsPerSync: number;
  /** Vault names; clusters are spread over them round robin, unless vaultShares is set. */
  vaults: string[];
  /**
   * Shares of the group's SecretSyncs per vault, in `vaults` order, summing to 1 (null: whole
   * clusters round robin); vault-split.ts lays them out.
   */
  vaultShares: number[] | null;
  rotationPollIntervalInSeconds: number;
  jitterSeconds: number;
  scheduling: 'per-sync' | 'cluster-ticker';
  maxConcurrentReconciles: number;
  enablePartialSecretSync: boolean;
  jitterOnRequeue: boolean;
  jitterOnRestart: boolean;
  latency: Latency;
}

/** A token bucket every requeue of a cluster's controller draws from (tokens may go below 0: waits queue up). */
export interface RequeueBucket {
  ratePerSecond: number;
  burst: number;
}

export interface ExponentialRetry {
  maxRetries: number;
  baseDelay: number;
  maxDelay: number;
  jitter: [number, number];
}

export type RetryConfig = 'azcore' | 'none' | ExponentialRetry;

export interface ClientConfig {
  retry: RetryConfig;
  /** `overall`: the controller's requeue bucket, per cluster (null: none). */
  requeue: { baseDelay: number; maxDelay: number; overall: RequeueBucket | null };
}

/** Which clusters an event touches: a share of the whole fleet (drawn per trial) or a group. */
export type ClusterSelection = { share: number } | { group: string };

/** When a secret's value changes: once at `at`, every `every` seconds, or at Poisson `rate` per second. */
export type RotationSchedule = { kind: 'once' } | { kind: 'every'; seconds: number } | { kind: 'poisson'; ratePerSecond: number };

export type RolloutEventConfig = { kind: 'rollout'; at: number; clusters: ClusterSelection; waves: number; over: number };

/** When wave w (0-based) of a rollout starts: its waves spread evenly over `over` from `at`. */
export function waveStart(e: RolloutEventConfig, w: number): number {
  return e.at + (w * e.over) / e.waves;
}

/** Each wave's start of every rollout event, by the event's index: run.json records them for the report. */
export function waveStarts(events: readonly FleetEventConfig[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  events.forEach((e, i) => {
    if (e.kind === 'rollout') out[String(i)] = Array.from({ length: e.waves }, (_, w) => waveStart(e, w));
  });
  return out;
}

export type FleetEventConfig =
  | RolloutEventConfig
  | { kind: 'restart'; at: number; clusters: ClusterSelection }
  /** Vaults (indices into ModelConfig.vaults) unreachable for `duration`: requests fail after `timeout`. */
  | { kind: 'outage'; at: number; vaults: number[]; duration: number; timeout: number }
  /**
   * A secret changes in the vault over [at, until): it is held by the first `secretSyncs`
   * SecretSyncs of every selected cluster.
   */
  | { kind: 'rotation'; at: number; until: number; schedule: RotationSchedule; clusters: ClusterSelection; secretSyncs: number };

export interface MetricsConfig {
  perSecondLimit: number;
  timeseriesBin: number;
}

export interface ModelConfig {
  horizon: number;
  start: 'rollout' | 'steady';
  fleet: GroupConfig[];
  vaults: VaultConfig[];
  subscription: LimiterConfig | null;
  client: ClientConfig;
  events: FleetEventConfig[];
  metrics: MetricsConfig;
}

/** A fleet group with the defaults of docs/model.md for everything not given (latency 0, vault "kv"). */
export function fleetGroup(over: Partial<GroupConfig> & Pick<GroupConfig, 'clusters' | 'secretSyncs'>): GroupConfig {
  return {
    name: 'group0',
    objectsPerSync: 1,
    vaults: ['kv'],
    vaultShares: null,
    rotationPollIntervalInSeconds: POLL_INTERVAL_SECONDS,
    jitterSeconds: 0,
    scheduling: 'per-sync',
    maxConcurrentReconciles: 1,
    enablePartialSecretSync: true,
    jitterOnRequeue: true,
    jitterOnRestart: true,
    latency: 0,
    ...over,
  };
}

/**
 * The last rotation whose staleness a trial of `horizon` seconds can measure for a group: a
 * healthy fleet may need up to P + J to read a later one.
 */
export function lastMeasurableRotation(horizon: number, g: GroupConfig): number {
  return horizon - g.rotationPollIntervalInSeconds - g.jitterSeconds;
}

/** Which driver runs a trial: `auto` tries the independent one first; `coupled` always the coupled one. */
export type EngineChoice = 'auto' | 'coupled';
export const ENGINES: readonly EngineChoice[] = ['auto', 'coupled'];

/** What an importance-sampling run estimates for a recipe rollout (sim/model/rare-events.ts). */
export type RareEstimand =
  | { kind: 'refreshOver' | 'pSecondOver'; perSecondLimit: number }
  | { kind: 'throttledTrial'; limiter: LimiterConfig };

/** One batch of importance-sampled rollouts: its own stream, named by the seed, the estimand and the batch. */
export interface RareTask {
  kind: 'rare';
  rollout: { clusters: number; secretsPerCluster: number; jitterSeconds: number };
  estimand: RareEstimand;
  seed: number | string;
  batch: number;
  trials: number;
}

/**
 * The bins of 1 / k s of a rollout's window [0, J): each one's probability for a uniform
 * instant (full bins 1 / (J k), a last partial bin less). Shared by the exact distributions
 * (sim/analytic/exact.ts) and importance sampling (sim/model/rare-events.ts).
 */
export function binWeights(jitterSeconds: number, k = 1): Float64Array {
  const span = jitterSeconds * k;
  if (span <= 1) return Float64Array.of(1);
  const full = Math.floor(span);
  const rest = span - full;
  const probs = new Float64Array(full + (rest > 0 ? 1 : 0)).fill(1 / span);
  if (rest > 0) probs[full] = rest / span;
  return probs;
}
