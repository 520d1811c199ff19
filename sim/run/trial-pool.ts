import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BatchTask } from '../../workers/trial-batch.js';
import type { TrialBatch } from '../metrics/trial-record.js';
import type { EngineChoice, ModelConfig, RareTask } from '../model/config.js';
import type { RareSums } from '../metrics/rare-estimate.js';
import { WORKER_LOADED } from '../../workers/loaded-message.js';

export { ENGINES, type EngineChoice } from '../model/config.js';

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A pool's threads, and when each of the first `workers` has loaded its modules. */
interface Threads {
  pool: Piscina<BatchTask | RareTask, TrialBatch | RareSums>;
  loaded: Promise<void>;
}

function newPiscina(workers: number): Threads {
  const pool = new Piscina<BatchTask | RareTask, TrialBatch | RareSums>({
    filename: new URL('../../workers/trial-batch.js', import.meta.url).href,
    name: 'pooled',
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
  });
  let count = 0;
  const loaded = new Promise<void>((done) =>
    pool.on('message', (m: unknown) => {
      if (m === WORKER_LOADED && ++count >= workers) done();
    }),
  );
  return { pool, loaded };
}

/** How long stopThreads waits for threads to load: a thread that never does (a broken install) is stopped anyway. */
const LOAD_WAIT_MS = 10_000;

/**
 * Stops the threads once they have loaded their modules: Node aborts the whole process (exit 134)
 * when a thread is terminated while it instantiates them, as a bad scenario's early exit did.
 */
async function stopThreads(threads: Threads): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([threads.loaded, new Promise<void>((done) => (timer = setTimeout(done, LOAD_WAIT_MS)))]);
  clearTimeout(timer);
  // Idle threads first finish what V8 still compiles for them in the background: Node 20 aborts
  // (exit 134, "NodePlatform::ForIsolate ... data.first != nullptr") when a thread is stopped
  // while such a job runs, as it was at the end of about one run in 75.
  await new Promise((done) => setTimeout(done, IDLE_BEFORE_STOP_MS));
  await threads.pool.destroy();
}

/** How long stopThreads lets idle threads finish their background compiles. */
const IDLE_BEFORE_STOP_MS = 50;

/** Worker threads started by startWorkers that no TrialPool has taken yet. */
let started: { workers: number; threads: Threads } | null = null;

/**
 * Starts `workers` worker threads now, for the next TrialPool of as many workers: a command calls
 * it before it loads its own modules and reads its scenario, so that the threads' start (Node's
 * bootstrap and the trial code's modules) runs meanwhile, not after. The command
 * calls releaseWorkers when it is done, which stops them if no TrialPool took them (a bad
 * scenario, a refused size).
 */
export function startWorkers(workers = defaultWorkers()): void {
  if (workers > 0 && started === null) started = { workers, threads: newPiscina(workers) };
}

/** Stops the threads startWorkers started if no TrialPool took them. */
export async function releaseWorkers(): Promise<void> {
  const left = started;
  started = null;
  if (left) await stopThreads(left.threads);
}

/** The started threads, if there are `workers` of them (others are stopped: not what was asked for). */
function takeStarted(workers: number): Threads | undefined {
  const left = started;
  started = null;
  if (left === null) return undefined;
  if (left.workers === workers) return left.threads;
  // Not awaited: the new pool need not wait for the old threads to stop (a failure to stop them changes nothing here).
  stopThreads(left.threads).catch(() => undefined);
  return undefined;
}

/** Trials per batch: about eight batches per worker, at most 250 trials each. */
export function batchSizeFor(trials: number, workers: number, batchSize?: number): number {
  return batchSize ?? Math.min(250, Math.max(1, Math.ceil(trials / (workers * 8))));
}

/** Splits trials [from, to) into batches; the split never changes a result, only the pace. */
export function batches(trials: number, workers: number, batchSize?: number, from = 0): Array<[number, number]> {
  const size = batchSizeFor(trials, workers, batchSize);
  const out: Array<[number, number]> = [];
  for (let f = from; f < from + trials; f += size) out.push([f, Math.min(from + trials, f + size)]);
  return out;
}

/** Seconds with no batch finished, while batches are pending, after which the pool gives up (sim run --stall-timeout). */
export const DEFAULT_STALL_SECONDS = 1800;

/** No batch finished for the stall timeout: a worker is stuck (a bug, never a large scenario's pace). */
export class WorkerStalled extends Error {
  constructor(seconds: number, batch: string) {
    super(`${batch} still running after ${seconds} s with no batch of trials finished meanwhile: a stuck worker, stopped (--stall-timeout SECONDS sets the limit)`);
    this.name = 'WorkerStalled';
  }
}

/**
 * Worker threads that simulate trials. Trial i draws from the random streams named by
 * (seed, i) whichever worker runs it, so results never depend on the pool. With 0 workers the
 * trials run in the calling thread (tests that start many small runs, profiling).
 *
 * A watchdog: when no batch has finished for `stallSeconds` while some are running, each
 * running batch is taken as stuck; its worker thread is terminated and every batch of the same
 * `run` (a point) fails with WorkerStalled, while other points go on. A batch holds at most 250
 * trials, so the default of 30 minutes is far beyond any healthy batch's time.
 */
export class TrialPool {
  readonly workers: number;
  private readonly threads?: Threads;
  /** Batches submitted by `stream` and not yet handed on (at most `places`), and who waits for a place (lowest priority first). */
  private readonly places: number;
  private inFlight = 0;
  private readonly waiting: Array<{ priority: number; go: () => void }> = [];
  private readonly pending = new Map<number, PendingBatch>();
  private nextTask = 0;
  private nextRun = 0;
  private lastProgress = Date.now();
  private watchdog: NodeJS.Timeout | null = null;

  constructor(workers = defaultWorkers(), private readonly batchSize?: number, private readonly engine: EngineChoice = 'auto', private readonly stallSeconds = DEFAULT_STALL_SECONDS) {
    this.workers = workers;
    // Two batches per worker: one running, one ready to start (or finished, waiting for one before it).
    this.places = 2 * Math.max(1, workers);
    if (workers === 0) return;
    this.threads = takeStarted(workers) ?? newPiscina(workers);
  }

  /** Trials [from, to) of a point, in batches over the workers; `onTrials` hears of each finished batch. */
  run(model: ModelConfig, seed: number | string, point: number, from: number, to: number, onTrials?: (n: number) => void): Promise<TrialBatch[]> {
    const run = this.nextRun++;
    return Promise.all(
      batches(to - from, Math.max(1, this.workers), this.batchSize, from).map(async ([f, t]) => {
        const task = { model, seed, point, from: f, to: t, engine: this.engine };
        const batch = this.threads ? await this.watched(task, run) : await inThisThread(task);
        onTrials?.(t - f);
        return batch;
      }),
    );
  }

  /**
   * Trials [from, to) of a point, handed to `onBatch` in trial order as they finish: memory
   * does not grow with the trial count. At most two batches per worker
   * are submitted or waiting to be handed on, over every stream of the pool; a freed place goes
   * to the stream of lowest `priority` (a run's points in order, so that one point finishes
   * before the next takes the workers, and the next fills them during its tail).
   */
  async stream(model: ModelConfig, seed: number | string, point: number, from: number, to: number, priority: number, onBatch: (b: TrialBatch) => void, onTrials?: (n: number) => void): Promise<void> {
    const run = this.nextRun++;
    const list = batches(to - from, Math.max(1, this.workers), this.batchSize, from);
    const ready = new Map<number, TrialBatch>();
    let delivered = 0;
    let taken = 0;
    let failed = false;
    const lane = async (): Promise<void> => {
      while (taken < list.length && !failed) {
        await this.place(priority);
        if (taken >= list.length || failed) {
          this.free();
          return;
        }
        const i = taken++;
        const [f, t] = list[i];
        const task: BatchTask = { model, seed, point, from: f, to: t, engine: this.engine };
        try {
          ready.set(i, this.threads ? await this.watched(task, run) : await inThisThread(task));
        } catch (e) {
          failed = true;
          this.free();
          throw e;
        }
        onTrials?.(t - f);
        // In trial order; a batch that finished early waits (holding its place) for those before it.
        while (!failed && ready.has(delivered)) {
          const b = ready.get(delivered)!;
          ready.delete(delivered++);
          this.free();
          try {
            onBatch(b);
          } catch (e) {
            failed = true;
            throw e;
          }
        }
      }
    };
    const lanes = Math.min(list.length, this.places);
    const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
    // A failed stream's finished batches, never handed on, give their places back.
    for (let k = 0; k < ready.size; k++) this.free();
    ready.clear();
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Waits for a place for one batch. */
  private place(priority: number): Promise<void> {
    if (this.inFlight < this.places && this.waiting.length === 0) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((go) => this.waiting.push({ priority, go: () => go() }));
  }

  /** A place freed: to the waiting stream of lowest priority (first come among equals). */
  private free(): void {
    this.inFlight--;
    while (this.inFlight < this.places && this.waiting.length > 0) {
      let best = 0;
      for (let i = 1; i < this.waiting.length; i++) if (this.waiting[i].priority < this.waiting[best].priority) best = i;
      const [next] = this.waiting.splice(best, 1);
      this.inFlight++;
      next.go();
    }
  }

  /** Batches of importance-sampled rollouts, their sums in the order given. */
  rare(tasks: RareTask[], onBatch?: (trials: number) => void): Promise<RareSums[]> {
    const run = this.nextRun++;
    return Promise.all(
      tasks.map(async (task) => {
        const sums = this.threads ? await this.watched(task, run) : await inThisThread(task);
        onBatch?.(task.trials);
        return sums;
      }),
    );
  }

  private watched(task: BatchTask, run: number): Promise<TrialBatch>;
  private watched(task: RareTask, run: number): Promise<RareSums>;
  private async watched(task: BatchTask | RareTask, run: number): Promise<TrialBatch | RareSums> {
    const id = this.nextTask++;
    if (this.pending.size === 0) this.lastProgress = Date.now();
    const started = new Int32Array(new SharedArrayBuffer(4));
    const abort = new AbortController();
    const label = 'kind' in task ? `importance-sampling batch ${task.batch} of ${task.estimand.kind}` : `point ${task.point} trials ${task.from}-${task.to - 1}`;
    this.pending.set(id, { run, label, abort, started });
    this.startWatchdog();
    try {
      return await this.threads!.pool.run({ ...task, started }, { signal: abort.signal });
    } catch (e) {
      const reason: unknown = abort.signal.reason;
      throw abort.signal.aborted && reason instanceof WorkerStalled ? reason : e;
    } finally {
      this.pending.delete(id);
      this.lastProgress = Date.now();
      if (this.pending.size === 0) this.stopWatchdog();
    }
  }

  private startWatchdog(): void {
    if (this.watchdog !== null) return;
    const every = Math.max(50, Math.min(5000, (this.stallSeconds * 1000) / 4));
    this.watchdog = setInterval(() => this.checkProgress(), every);
    this.watchdog.unref();
  }

  private checkProgress(): void {
    if (this.pending.size === 0 || Date.now() - this.lastProgress < this.stallSeconds * 1000) return;
    const all = [...this.pending.values()];
    const running = all.filter((b) => Atomics.load(b.started, 0) === 1);
    for (const stuck of running.length > 0 ? running : all) {
      const error = new WorkerStalled(this.stallSeconds, stuck.label);
      for (const b of all) if (b.run === stuck.run && !b.abort.signal.aborted) b.abort.abort(error);
    }
    this.lastProgress = Date.now();
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  destroy(): Promise<void> {
    this.stopWatchdog();
    return this.threads ? stopThreads(this.threads) : Promise.resolve();
  }
}

interface PendingBatch {
  /** The pool.run call (a point) it belongs to. */
  run: number;
  label: string;
  abort: AbortController;
  /** Set to 1 by the worker when the batch starts. */
  started: Int32Array;
}

/**
 * A task run in the calling thread (0 workers). The trial code is imported here, not at the top:
 * a pool's own thread never runs a trial, and loading the model there delayed every run's start.
 */
function inThisThread(task: BatchTask): Promise<TrialBatch>;
function inThisThread(task: RareTask): Promise<RareSums>;
async function inThisThread(task: BatchTask | RareTask): Promise<TrialBatch | RareSums> {
  const run = (await import('../../workers/trial-batch.js')).default;
  return 'kind' in task ? run(task) : run(task);
}
