import * as assert from 'uvu/assert';
import { fleetGroup, type GroupConfig, type ModelConfig, type VaultConfig } from '../sim/model/config.js';
import { REQUEUE_OVERALL } from '../sim/model/defaults.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { METRIC_INDEX, TRIAL_METRICS, type TrialBatch, type TrialMetric } from '../sim/metrics/trial-record.js';
import type { PointResult } from '../sim/metrics/summary.js';
import { trialRowsText, trialsCsvOf } from '../sim/output/trial-rows.js';
import { runScenario, type RunOptions } from '../sim/run/run-scenario.js';
import type { Scenario } from '../sim/scenario/load.js';

/**
 * Trials for a statistical test: n, scaled by TEST_SCALE (npm run mutate sets 0.1: under
 * instrumentation the model runs 20 to 30 times slower). Tolerances derive from the count, so a
 * scaled test is as correct, with less power.
 */
/**
 * TEST_QUICK=1 (npm run mutate): tests that start processes or run whole scenarios run their
 * quick part alone, so that a mutant costs seconds, not a minute.
 */
export const QUICK = process.env.TEST_QUICK === '1';

export function scaled(n: number, least = 1): number {
  return Math.max(least, Math.round(n * Number(process.env.TEST_SCALE ?? 1)));
}

/** A fleet group with the model's defaults, latency 0 unless given. */
export function group(over: Partial<GroupConfig> = {}): GroupConfig {
  return fleetGroup({ name: 'g', clusters: 10, secretSyncs: 1, ...over });
}

export function vault(over: Partial<VaultConfig> = {}): VaultConfig {
  return {
    name: 'kv',
    limiter: { kind: 'token-bucket', capacity: 4000, refillPerSecond: 400 },
    rejectedCount: false,
    retryAfter: 'none',
    background: { ratePerSecond: 0 },
    ...over,
  };
}

/** A vault that never throttles, to observe arrivals alone. */
export const UNLIMITED = vault({ limiter: { kind: 'token-bucket', capacity: 1e12, refillPerSecond: 1e12 } });

/** No SDK retries, and a failed reconcile is not requeued within any test's horizon. */
export const NO_REQUEUE: ModelConfig['client'] = { retry: 'none', requeue: { baseDelay: 1000, maxDelay: 1000, overall: null } };

export function model(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    horizon: 600,
    start: 'rollout',
    fleet: [group()],
    vaults: [vault()],
    subscription: null,
    client: { retry: 'none', requeue: { baseDelay: 0.005, maxDelay: 1000, overall: REQUEUE_OVERALL } },
    events: [],
    metrics: { perSecondLimit: 400, timeseriesBin: 1 },
    ...over,
  };
}

/**
 * The trials on the default engine, checked against the coupled driver: every model test is
 * also a test that the independent driver is exact on its case (a rule broken in one driver
 * alone fails here, a rule broken in both fails the test's own assertions).
 */
export function run(m: ModelConfig, trials: number, seed: number | string = 7): TrialBatch {
  const auto = runTrialBatch(m, seed, 0, 0, trials, 'auto');
  const coupled = runTrialBatch(m, seed, 0, 0, trials, 'coupled');
  // Object.is: NaN (a metric with no value) equals NaN, which typed-array deep equality denies.
  const differs = auto.metrics.findIndex((x, i) => !Object.is(x, coupled.metrics[i]));
  assert.is(differs, -1, `the coupled driver disagrees on ${TRIAL_METRICS[differs % TRIAL_METRICS.length]}`);
  assert.equal(auto.series, coupled.series, 'the coupled driver disagrees on the timeseries');
  const scope = (auto.scopes ?? []).findIndex((x, i) => !Object.is(x, coupled.scopes?.[i]));
  assert.is(scope, -1, `the coupled driver disagrees on a vault's or the subscription's numbers (${scope})`);
  assert.equal(auto.vaultSeries, coupled.vaultSeries, 'the coupled driver disagrees on a vault\'s timeseries');
  return auto;
}

/** One metric over the batch's trials. */
export function metric(batch: TrialBatch, name: TrialMetric): number[] {
  const w = TRIAL_METRICS.length;
  const out: number[] = [];
  for (let i = 0; i < batch.to - batch.from; i++) out.push(batch.metrics[i * w + METRIC_INDEX[name]]);
  return out;
}

/** Requests per timeseries bin of one trial. */
export function requestSeries(batch: TrialBatch, trial: number): number[] {
  return Array.from(batch.series.subarray(trial * 2 * batch.bins, trial * 2 * batch.bins + batch.bins));
}

/**
 * When one trial's GETs were sent, each at its timeseries bin's start (bin / binsPerSecond: the
 * bins are 1 / binsPerSecond s wide), as often as it was sent, in time order.
 */
export function sendTimes(batch: TrialBatch, trial: number, binsPerSecond = 1): number[] {
  const out: number[] = [];
  requestSeries(batch, trial).forEach((n, bin) => {
    for (let i = 0; i < n; i++) out.push(bin / binsPerSecond);
  });
  return out;
}

export function throttledSeries(batch: TrialBatch, trial: number): number[] {
  const base = trial * 2 * batch.bins + batch.bins;
  return Array.from(batch.series.subarray(base, base + batch.bins));
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const mean = (xs: number[]) => sum(xs) / xs.length;

/** P(Binomial(n, p) > k), summed exactly term by term in log space. */
export function binomialTailAbove(n: number, p: number, k: number): number {
  let logTerm = n * Math.log1p(-p); // log P(X = 0)
  let below = 0;
  for (let x = 0; x <= k; x++) {
    below += Math.exp(logTerm);
    logTerm += Math.log((n - x) / (x + 1)) + Math.log(p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/** runScenario with its trials.csv gathered in memory (as `sim run` writes it from the spooled rows). */
export async function runWithTrials(scenario: Scenario, options: RunOptions): Promise<{ results: PointResult[]; trials: string }> {
  const rows = scenario.points.map(() => '');
  const results = await runScenario(scenario, { ...options, onRecords: (p, from, m) => (rows[p] += trialRowsText(from, m)) });
  return { results, trials: trialsCsvOf(rows) };
}
