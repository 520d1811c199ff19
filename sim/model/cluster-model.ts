import '../engine/v8-tuning.js';
import type { RandomStream } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { Outcome } from '../metrics/trial-record.js';
import type { ModelConfig } from './config.js';
import { firstOutage, type FleetAction } from './fleet-events.js';
import { FleetLayout } from './fleet-layout.js';
import { ConvergenceProbe } from './probes/convergence.js';
import { RecoveryProbe } from './probes/recovery.js';
import { StalenessProbe } from './probes/staleness.js';
import { resolveRetry } from './sdk-retry.js';
import { VaultGateway } from './vault-gateway.js';
import { CLUSTER_WASM } from './wasm/cluster-binary.js';

/** What sim/model/wasm/cluster.ts exports. */
interface ClusterExports {
  memory: WebAssembly.Memory;
  allocate(bytes: number): number;
  fleet(
    clusters: number, syncs: number, vaults: number, syncCluster: number, syncVault: number, clusterGroup: number, clusterFirstSync: number,
    clusterSyncCount: number, groups: number, horizon: number, start: number, maxRetries: number, retryBase: number, retryMax: number,
    retryLo: number, retryHi: number, requeueBase: number, requeueMax: number, bucketRate: number, bucketBurst: number,
  ): void;
  setGroup(g: number, objects: number, workers: number, poll: number, jitter: number, mu: number, sigma: number, partial: number, perSync: number, jitterOnRequeue: number, jitterOnRestart: number): void;
  setAction(list: number, i: number, kind: number, tracked: number, ids: number, count: number, timeout: number): void;
  trial(actions: number): void;
  runCluster(c: number, seedHash: number, trialWord: number, named: number, times: number, n: number, outages: number): void;
  runFleet(seedHash: number, trialWord: number, times: number, n: number, firstBackground: number, span: number, width: number, pending: number): void;
  walkGroup(c: number, seedHash: number, trialWord: number, instant: number): void;
  walk(from: number, to: number, enough: number): number;
  takeCounts(): number;
  seedStream(c: number, seedHash: number, trialWord: number): void;
  retryDelayOf(c: number, retry: number, retryAfter: number): number;
  requeueDelayOf(failures: number): number;
  clearSends(): void;
  sendsAt(): number;
  capacity: WebAssembly.Global;
  sent: WebAssembly.Global;
  /** The size of an action in the module's list (its setAction's). */
  ACTION_BYTES: WebAssembly.Global;
}

/** The module, compiled once per thread; each ClusterModel has an instance of its own (its memory holds the fleet). */
let compiled: WebAssembly.Module | undefined;

/** Whole clusters per call of the walk until the module holds at least this many sends: a quarter of its output's first room, which a cluster's sends then rarely outgrow. */
const SENDS_PER_WALK = 1024;
const ACTION_KIND = { rollout: 0, restart: 1, 'outage-start': 2, 'outage-end': 3 } as const;

/**
 * The cluster side of the fleet, written once in AssemblyScript (sim/model/wasm/cluster.ts:
 * considerations, jitter, the work queue, reconciles, SDK retries, requeues, restarts, outages)
 * and run here for one point's trials: the fleet's layout copied into its own instance of the
 * module, each trial's actions after it, and a run's record drained into the trial's collector.
 * The vault side and the probes stay here; the module calls them (its imports).
 */
export class ClusterModel {
  readonly layout: FleetLayout;
  readonly gateway: VaultGateway;
  readonly convergence: ConvergenceProbe;
  readonly recovery: RecoveryProbe;
  readonly staleness: StalenessProbe;
  /** The scenario event whose convergence is measured (-1: the start, or none). */
  readonly trackedEvent: number;
  private readonly x: ClusterExports;

  // Set by the driver for each trial.
  collector!: TrialCollector;
  /** Each vault's random stream (its other applications' requests). */
  vaultStreams!: RandomStream[];
  actions: FleetAction[] = [];
  // The trial's actions in the module's memory: each one's settings, times and clusters or
  // vaults, and the ones that name a cluster (the independent driver's) with their times.
  private actionRoom = 0;
  private actionList = 0;
  private actionTimes = 0;
  private named = 0;
  private namedTimes = 0;
  private idRoom = 0;
  private ids = 0;
  /** Each vault's first other request, for the coupled run. */
  private readonly firstBackground: number;
  /** Clusters the quiet walk ran so far (a count for tests and benchmarks). */
  walked = 0;

  constructor(readonly config: ModelConfig) {
    this.layout = new FleetLayout(config);
    this.gateway = new VaultGateway(config);
    const firstRollout = config.events.findIndex((e) => e.kind === 'rollout');
    this.trackedEvent = config.start === 'rollout' ? -1 : firstRollout;
    this.convergence = new ConvergenceProbe(config.start === 'rollout' ? 0 : firstRollout >= 0 ? config.events[firstRollout].at : NaN);
    // The first outage's end, if the trial reaches it.
    const outageEnd = firstOutage(config.events).end;
    this.recovery = new RecoveryProbe(outageEnd <= config.horizon ? outageEnd : NaN);
    this.staleness = new StalenessProbe(config, this.layout);
    const gateway = this.gateway;
    compiled ??= new WebAssembly.Module(Buffer.from(CLUSTER_WASM, 'base64'));
    this.x = new WebAssembly.Instance(compiled, {
      env: {
        // JavaScript's own log and exp: a draw is the same bits as random.ts's.
        log: Math.log,
        exp: Math.exp,
        abort: () => {
          throw new Error('the cluster model (WebAssembly) aborted');
        },
        vaultRequest: (v: number, t: number) => gateway.request(v, t),
        vaultAcceptMany: (v: number, t: number, n: number) => gateway.acceptMany(v, t, n),
        vaultRetryAfter: (v: number, t: number) => gateway.retryAfterAt(v, t),
        background: (v: number, t: number, reachable: number) => {
          if (reachable) gateway.request(v, t);
          return t + this.vaultStreams[v].exponential(gateway.backgroundRate[v]);
        },
        throttled: (t: number, v: number) => this.collector.throttled(t, v),
        staleRead: (s: number, t: number, readAt: number) => (this.staleness.read(s, t, readAt, this.collector) ? 1 : 0),
        healthChange: (t: number, c: number, delta: 1 | -1) => this.recovery.change(t, c, delta),
      },
    }).exports as unknown as ClusterExports;
    this.loadFleet();
    this.firstBackground = this.x.allocate(8 * Math.max(1, config.vaults.length));
    this.reserveActions(1, 1);
  }

  /** The layout and the client's settings into the module. */
  private loadFleet(): void {
    const { x, layout, config } = this;
    const ints = (a: Int32Array) => {
      const at = x.allocate(Math.max(4, 4 * a.length));
      new Int32Array(x.memory.buffer, at, a.length).set(a);
      return at;
    };
    const syncCluster = ints(layout.syncCluster);
    const syncVault = ints(layout.syncVault);
    const clusterGroup = ints(layout.clusterGroup);
    const firsts = ints(layout.clusterFirstSync);
    const counts = ints(layout.clusterSyncCount);
    const retry = resolveRetry(config.client.retry);
    const { requeue } = config.client;
    x.fleet(
      layout.clusters, layout.syncs, config.vaults.length, syncCluster, syncVault, clusterGroup, firsts, counts, layout.groups.length,
      config.horizon, config.start === 'rollout' ? 1 : config.start === 'steady' ? 2 : 0,
      retry.maxRetries, retry.baseDelay, retry.maxDelay, retry.jitter[0], retry.jitter[1],
      requeue.baseDelay, requeue.maxDelay, requeue.overall ? requeue.overall.ratePerSecond : NaN, requeue.overall ? requeue.overall.burst : NaN,
    );
    layout.groups.forEach((_, g) => x.setGroup(
      g, layout.objectsPerSync[g], layout.maxConcurrentReconciles[g], layout.pollInterval[g], layout.jitterSeconds[g], layout.latencyMu[g],
      layout.latencySigma[g], layout.partialSync[g], layout.perSyncTimers[g], layout.jitterOnRequeue[g], layout.jitterOnRestart[g],
    ));
  }

  /** The trial's actions into the module, and every cluster's requeue bucket full. */
  startTrial(actions: FleetAction[]): void {
    const { x } = this;
    this.actions = actions;
    const n = actions.length;
    const idCount = actions.reduce((k, a) => k + (a.kind === 'rollout' || a.kind === 'restart' ? a.clusters.length : a.vaults.length), 0);
    this.reserveActions(n, idCount);
    let idsAt = this.ids;
    actions.forEach((a, i) => {
      const ids = a.kind === 'rollout' || a.kind === 'restart' ? a.clusters : a.vaults;
      new Int32Array(x.memory.buffer, idsAt, ids.length).set(ids);
      x.setAction(this.actionList, i, ACTION_KIND[a.kind], a.event === this.trackedEvent ? 1 : 0, idsAt, ids.length, a.timeout);
      new Float64Array(x.memory.buffer, this.actionTimes, n)[i] = a.time;
      idsAt += 4 * ids.length;
    });
    x.trial(this.actionList);
  }

  /** Room in the module for n actions naming `idCount` clusters or vaults in all (kept from trial to trial, grown when short). */
  private reserveActions(n: number, idCount: number): void {
    const { x } = this;
    if (n > this.actionRoom) {
      this.actionRoom = Math.max(n, 2 * this.actionRoom);
      this.actionList = x.allocate((x.ACTION_BYTES.value as number) * this.actionRoom);
      this.actionTimes = x.allocate(8 * this.actionRoom);
      this.named = x.allocate(4 * this.actionRoom);
      this.namedTimes = x.allocate(8 * this.actionRoom);
    }
    if (idCount > this.idRoom) {
      this.idRoom = Math.max(idCount, 2 * this.idRoom);
      this.ids = x.allocate(4 * this.idRoom);
    }
  }

  /** The independent driver's run of cluster c alone, the actions `named` (indices, in order) scheduled for it. */
  runCluster(c: number, seedHash: number, trialWord: number, named: number[], outages: boolean): void {
    const { x } = this;
    const ids = new Int32Array(x.memory.buffer, this.named, named.length);
    const times = new Float64Array(x.memory.buffer, this.namedTimes, named.length);
    named.forEach((i, k) => {
      ids[k] = i;
      times[k] = this.actions[i].time;
    });
    this.staleness.resetRows(this.layout.clusterFirstSync[c], this.layout.clusterFirstSync[c] + this.layout.clusterSyncCount[c]);
    x.runCluster(c, seedHash, trialWord, this.named, this.namedTimes, named.length, outages ? 1 : 0);
    this.drain();
  }

  /** The coupled driver's run of the whole fleet; each vault's first other request at `firstBackground` (Infinity: none). */
  runFleet(seedHash: number, trialWord: number, firstBackground: Float64Array, span: number, width: number, pending: number): void {
    const { x } = this;
    new Float64Array(x.memory.buffer, this.firstBackground, firstBackground.length).set(firstBackground);
    this.staleness.resetRows(0, this.layout.syncs);
    x.runFleet(seedHash, trialWord, this.actionTimes, this.actions.length, this.firstBackground, span, width, pending);
    this.drain();
  }

  /**
   * The quiet walk (sim/model/wasm/walk.ts) of clusters [from, to) of one group, each from t = 0
   * to the horizon with its own stream (`instant`: paths.ts's oneInstant), in runs of whole
   * clusters until the module holds a few thousand sends, each drained into the collector.
   */
  walkClusters(from: number, to: number, seedHash: number, trialWord: number, instant: boolean): void {
    const { x } = this;
    x.walkGroup(from, seedHash, trialWord, instant ? 1 : 0);
    for (let c = from; c < to; ) {
      c = x.walk(c, to, SENDS_PER_WALK);
      this.drainSends();
    }
    this.drainCounts();
    this.walked += to - from;
  }

  /**
   * The model's rules of a delay alone, for tests: the SDK's delay before retry `retry` of a GET
   * of cluster c (NaN retryAfter: none), drawn from c's stream as trial `trialWord` of the seed
   * `seedHash` starts it (null: as it stands), and the backoff after `failures` failures.
   */
  retryDelay(c: number, retry: number, retryAfter: number, seed: { seedHash: number; trialWord: number } | null = null): number {
    if (seed) this.x.seedStream(c, seed.seedHash, seed.trialWord);
    return this.x.retryDelayOf(c, retry, retryAfter);
  }

  requeueDelay(failures: number): number {
    return this.x.requeueDelayOf(failures);
  }

  /** Sends the module's output holds now (it doubles when a run needs more). */
  get sendRoom(): number {
    return this.x.capacity.value as number;
  }

  /** The run's sends and counts into the collector; the module's record starts again. */
  private drain(): void {
    this.drainSends();
    this.drainCounts();
  }

  /** The module's sends appended to the collector's log. */
  private drainSends(): void {
    const { x } = this;
    const n = x.sent.value as number;
    if (n === 0) return;
    const log = this.collector.sends;
    const at = log.length;
    log.reserve(n);
    const { buffer } = x.memory;
    const out = x.sendsAt();
    const room = x.capacity.value as number;
    log.times.set(new Float64Array(buffer, out, n), at);
    log.vaults.set(new Int32Array(buffer, out + 8 * room, n), at);
    log.counts.set(new Int32Array(buffer, out + 12 * room, n), at);
    log.length = at + n;
    x.clearSends();
  }

  /** The module's counts (cluster.ts's takeCounts) added to the collector's and the convergence probe's. */
  private drainCounts(): void {
    const { collector } = this;
    const c = new Float64Array(this.x.memory.buffer, this.x.takeCounts(), 10);
    for (let k = Outcome.NoValueChange; k <= Outcome.ProviderError; k++) collector.outcomes(k, c[k]);
    collector.unavailable(c[4]);
    collector.retry(c[5]);
    collector.requeue(c[6]);
    collector.fetchesNeeded(c[7]);
    if (c[8] > 0) this.convergence.succeededMany(c[8], c[9]);
  }
}
