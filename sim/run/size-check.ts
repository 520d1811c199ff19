import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { SCOPE_METRICS, TRIAL_METRICS } from '../metrics/trial-record.js';
import type { ModelConfig } from '../model/config.js';
import { batchSizeFor } from './trial-pool.js';

/** What a run will hold in memory, estimated from the scenario before anything runs. */
export interface SizeEstimate {
  /** One worker's largest point: its fleet's state, one trial's records and one batch's results. */
  workerBytes: number;
  /**
   * The main thread: each point's sums (fixed size: its bins' counts and GET histograms) and the
   * batches in flight (two per worker); not the trial count, whose rows go to disk as they come.
   */
  mainBytes: number;
  /** GETs of the largest point's trial when every SecretSync polls as configured (no failures). */
  getsPerTrial: number;
}

// Bytes per item, from the data structures (sim/model, sim/metrics): a SecretSync's table block,
// layout, queue slot and event; a send log entry with its sort scratch; a cluster's stream and
// per-cluster arrays; per second of the horizon the collector's and the vault check's counters;
// per timeseries bin a point's sums: two counts and a histogram of the GETs across trials (a
// few dozen distinct counts per bin, guessed high).
const PER_BIN_SUMS = 16 + 8 * 64;
const PER_SYNC = 64 + 8 + 4 + 48;
const PER_SEND = 16 * 2 + 12;
const PER_CLUSTER = 160;
const PER_SECOND = 4 * 6 + 8;

/**
 * Estimates the memory of running `trials` trials of every point on `workers` workers. The
 * estimate errs high (a trial's GETs: two polls per SecretSync, or every poll of the horizon),
 * so that a run it passes fits; it ignores Node's own baseline per thread.
 */
export function estimateSize(models: ModelConfig[], trials: number, workers: number): SizeEstimate {
  let workerBytes = 0;
  let mainBytes = 0;
  let getsPerTrial = 0;
  for (const m of models) {
    const syncs = m.fleet.reduce((n, g) => n + g.clusters * g.secretSyncs, 0);
    const clusters = m.fleet.reduce((n, g) => n + g.clusters, 0);
    const gets = m.fleet.reduce((n, g) => n + g.clusters * g.secretSyncs * g.objectsPerSync * Math.max(2, Math.ceil(m.horizon / g.rotationPollIntervalInSeconds)), 0);
    const seconds = Math.ceil(m.horizon) + 1;
    const bins = Math.ceil(m.horizon / m.metrics.timeseriesBin);
    const vaults = m.vaults.length;
    // One trial's record as the batch returns it: metrics, two counts per bin (and per vault), scopes.
    const record = 8 * TRIAL_METRICS.length + 4 * 2 * bins * (vaults > 1 ? vaults + 1 : 1) + 8 * (vaults + 1) * SCOPE_METRICS.length;
    const batch = Math.min(trials, batchSizeFor(trials, Math.max(1, workers)));
    const worker = syncs * PER_SYNC + clusters * PER_CLUSTER + gets * PER_SEND + seconds * PER_SECOND * (vaults + 1) + bins * 16 * (vaults + 1) + batch * record;
    workerBytes = Math.max(workerBytes, worker);
    const sums = bins * PER_BIN_SUMS + (vaults > 1 ? 16 * vaults * bins : 0);
    mainBytes += sums + 2 * Math.max(1, workers) * (batch * 8 * TRIAL_METRICS.length + sums);
    getsPerTrial = Math.max(getsPerTrial, gets);
  }
  return { workerBytes, mainBytes, getsPerTrial };
}

/** The estimate in words: "1.2 GB per worker and 300 MB in the main thread". */
export function describeSize(e: SizeEstimate): string {
  return `${bytes(e.workerBytes)} per worker and ${bytes(e.mainBytes)} in the main thread`;
}

function bytes(n: number): string {
  if (n >= 1e12) return `${Math.round(n / 1e9).toLocaleString('en-US')} GB`;
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)} GB`;
  return `${Math.max(1, Math.round(n / 1e6))} MB`;
}

/**
 * Why the run would not fit in `memory` bytes with `workers` workers (null: it fits). Each
 * worker's share and the main thread's together may use at most 80% of the memory.
 */
export function tooBig(e: SizeEstimate, workers: number, memory: number): string | null {
  const total = Math.max(1, workers) * e.workerBytes + e.mainBytes;
  if (total <= 0.8 * memory) return null;
  return `the run would need about ${bytes(total)} (${describeSize(e)}); this machine (or its container) allows ${bytes(memory)}`;
}

/** A cgroup's memory limit in bytes from one of its files (v2 memory.max, v1 memory.limit_in_bytes); NaN when none is set or readable. */
function cgroupLimit(file: string): number {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The memory this process may use: the machine's, or in a container (a pod) its cgroup's limit
 * where that is lower; the kernel kills a pod at its limit whatever the machine has.
 */
export function memoryLimit(machine = totalmem(), files = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']): number {
  const limits = files.map(cgroupLimit).filter((n) => n > 0);
  return Math.min(machine, ...limits);
}

/** Why running `trials` trials of these models on `workers` workers would not fit this machine's (or its container's) memory; null when it fits. */
export function sizeProblem(models: ModelConfig[], trials: number, workers: number): string | null {
  return tooBig(estimateSize(models, trials, workers), workers, memoryLimit());
}
