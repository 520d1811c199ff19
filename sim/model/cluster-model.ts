import type { EventHandler, EventLoop } from '../engine/event-loop.js';
import type { RandomStream } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import type { ModelConfig } from './config.js';
import { EventKind } from './event-kinds.js';
import { firstOutage, type FleetAction } from './fleet-events.js';
import { FleetLayout } from './fleet-layout.js';
import { ConvergenceProbe } from './probes/convergence.js';
import { RecoveryProbe } from './probes/recovery.js';
import { StalenessProbe } from './probes/staleness.js';
import { Reconciler, type ReconcileContext } from './reconcile.js';
import { RequeueBuckets, requeueDelay } from './requeue-backoff.js';
import { resolveRetry } from './sdk-retry.js';
import { Reason, SyncState, SyncTable } from './sync-table.js';
import { VaultGateway } from './vault-gateway.js';
import { WorkQueues } from './work-queue.js';

/** An Action event's second word: apply it to every cluster it names. */
export const ALL_CLUSTERS = -1;

/**
 * The cluster side of the fleet, written once (docs/model.md): each SecretSync's
 * considerations (edits, polls, restarts, requeues, tickers), its jitter, the cluster's work
 * queue, and its reconciles. Clusters meet only through the vault gateway's answers, so a driver
 * may run them all in one event loop (coupled) or one cluster at a time (independent); every
 * cluster draws only from its own random stream, so both see the same history.
 */
export class ClusterModel implements EventHandler, ReconcileContext {
  readonly layout: FleetLayout;
  readonly table: SyncTable;
  readonly queues: WorkQueues;
  readonly gateway: VaultGateway;
  readonly reconciler: Reconciler;
  readonly convergence: ConvergenceProbe;
  readonly recovery: RecoveryProbe;
  readonly staleness: StalenessProbe;
  private readonly requeueBase: number;
  private readonly requeueMax: number;
  /** Each cluster's overall requeue bucket (reset per trial by the driver's caller). */
  readonly requeueBuckets: RequeueBuckets;

  // Set by the driver for each trial.
  loop!: EventLoop;
  collector!: TrialCollector;
  /** Each cluster's random stream. */
  streams!: RandomStream[];
  /** Each vault's random stream (its other applications' requests). */
  vaultStreams!: RandomStream[];
  actions: FleetAction[] = [];
  /** The scenario event whose convergence is measured (-1: the start, or none). */
  readonly trackedEvent: number;

  constructor(readonly config: ModelConfig) {
    this.layout = new FleetLayout(config);
    this.table = new SyncTable(this.layout.syncs);
    this.queues = new WorkQueues(this.layout);
    this.gateway = new VaultGateway(config);
    this.reconciler = new Reconciler(this, resolveRetry(config.client.retry));
    const firstRollout = config.events.findIndex((e) => e.kind === 'rollout');
    this.trackedEvent = config.start === 'rollout' ? -1 : firstRollout;
    this.convergence = new ConvergenceProbe(config.start === 'rollout' ? 0 : firstRollout >= 0 ? config.events[firstRollout].at : NaN);
    // The first outage's end, if the trial reaches it.
    const outageEnd = firstOutage(config.events).end;
    this.recovery = new RecoveryProbe(outageEnd <= config.horizon ? outageEnd : NaN);
    this.staleness = new StalenessProbe(config, this.layout, this.table);
    this.requeueBase = config.client.requeue.baseDelay;
    this.requeueMax = config.client.requeue.maxDelay;
    this.requeueBuckets = new RequeueBuckets(this.layout.clusters, config.client.requeue.overall);
  }

  handle(t: number, a: number, b: number): void {
    const id = a >> 3;
    switch (a & 7) {
      case EventKind.Wake:
        if (b === this.table.wakeGen(id)) {
          this.table.setWakePending(id, 0);
          this.consider(id, t);
        }
        break;
      case EventKind.Response:
        if (b === this.table.fetchGen(id) && this.reconciler.respond(id, t)) this.reconciler.proceed(id, t);
        this.dispatch(this.layout.syncCluster[id], t);
        break;
      case EventKind.Send:
        if (b === this.table.fetchGen(id)) this.reconciler.proceed(id, t);
        this.dispatch(this.layout.syncCluster[id], t);
        break;
      case EventKind.Background:
        this.gateway.request(id, t);
        this.loop.schedule(t + this.vaultStreams[id].exponential(this.gateway.backgroundRate[id]), a, 0);
        break;
      case EventKind.Action:
        this.applyAction(this.actions[id], t, b);
        break;
      case EventKind.Tick:
        this.tick(id, t);
        break;
    }
  }

  /** A trial that starts with a rollout: cluster c's SecretSyncs are all edited at 0. */
  startRollout(c: number): void {
    if (this.config.start === 'rollout') this.edit(c, 0, true);
  }

  /**
   * A steady fleet's SecretSyncs of cluster c on per-sync timers: each first considered at the
   * stationary residual of its polls' gaps P + U[0, J) (a fleet that has run for a long time).
   */
  startSteady(c: number): void {
    const { layout } = this;
    const g = layout.clusterGroup[c];
    if (this.config.start !== 'steady' || !layout.perSyncTimers[g]) return;
    const first = layout.clusterFirstSync[c];
    const end = first + layout.clusterSyncCount[c];
    for (let s = first; s < end; s++) this.scheduleWake(s, this.streams[c].stationaryResidual(layout.pollInterval[g], layout.jitterSeconds[g]), Reason.Poll);
  }

  /**
   * scheduling: cluster-ticker (the upstream controller): one ticker per cluster with period P
   * and a uniformly random phase, which is also the stationary residual of a fixed period.
   */
  startTicker(c: number): void {
    const { layout } = this;
    const g = layout.clusterGroup[c];
    if (!layout.perSyncTimers[g]) this.loop.schedule(this.streams[c].uniform() * layout.pollInterval[g], (c << 3) | EventKind.Tick, 0);
  }

  /** A consideration's jitter, U[0, J) (none drawn when J is 0). */
  private jitter(c: number): number {
    return this.streams[c].uniformBelow(this.layout.jitterSeconds[this.layout.clusterGroup[c]]);
  }

  private scheduleWake(s: number, t: number, why: Reason): void {
    const { table } = this;
    table.setReason(s, why);
    table.setWakePending(s, 1);
    const gen = table.wakeGen(s) + 1;
    table.setWakeGen(s, gen);
    this.loop.schedule(t, (s << 3) | EventKind.Wake, gen);
  }

  /** A tick considers every SecretSync of the cluster at once (each then waits its jitter). */
  private tick(c: number, t: number): void {
    const { layout } = this;
    const first = layout.clusterFirstSync[c];
    const end = first + layout.clusterSyncCount[c];
    for (let s = first; s < end; s++) this.scheduleWake(s, t + this.jitter(c), Reason.Poll);
    this.loop.schedule(t + layout.pollInterval[layout.clusterGroup[c]], (c << 3) | EventKind.Tick, 0);
  }

  /** A spec edit of every SecretSync of cluster c at time t (a CI rollout). */
  private edit(c: number, t: number, tracked: boolean): void {
    const { layout, table } = this;
    const first = layout.clusterFirstSync[c];
    const end = first + layout.clusterSyncCount[c];
    for (let s = first; s < end; s++) {
      table.setForced(s, 1);
      table.setEditedAt(s, t);
      if (tracked) table.setAwaiting(s, 1);
      this.scheduleWake(s, t + this.jitter(c), Reason.Edit);
    }
  }

  /** A controller restart: the queue, in-flight reconciles and backoff state are lost; the new controller has a full requeue bucket. */
  private restart(c: number, t: number): void {
    const { layout, table } = this;
    const first = layout.clusterFirstSync[c];
    const jitter = layout.jitterOnRestart[layout.clusterGroup[c]];
    const end = first + layout.clusterSyncCount[c];
    this.queues.clear(c);
    this.requeueBuckets.restart(c, t);
    for (let s = first; s < end; s++) {
      table.setState(s, SyncState.Idle);
      table.setDirty(s, 0);
      table.setFailures(s, 0);
      table.setFetchGen(s, table.fetchGen(s) + 1);
      this.scheduleWake(s, t + (jitter ? this.jitter(c) : 0), Reason.Restart);
    }
  }

  /** A fleet action at t, on every cluster it names or (`only` >= 0) on that cluster alone. */
  private applyAction(action: FleetAction, t: number, only: number): void {
    switch (action.kind) {
      case 'rollout': {
        const tracked = action.event === this.trackedEvent;
        if (only >= 0) this.edit(only, t, tracked);
        else for (let i = 0; i < action.clusters.length; i++) this.edit(action.clusters[i], t, tracked);
        break;
      }
      case 'restart':
        if (only >= 0) this.restart(only, t);
        else for (let i = 0; i < action.clusters.length; i++) this.restart(action.clusters[i], t);
        break;
      case 'outage-start':
        for (const v of action.vaults) this.gateway.outageStarts(v, action.timeout);
        break;
      case 'outage-end':
        for (const v of action.vaults) this.gateway.outageEnds(v);
        break;
    }
  }

  /** The consideration's jitter is over: enqueue (workqueue semantics: no duplicates). */
  private consider(s: number, t: number): void {
    const st = this.table.state(s);
    if (st === SyncState.Idle) {
      const c = this.layout.syncCluster[s];
      // A free worker and nobody ahead in the queue: it starts now (what enqueue and dispatch would do).
      if (this.queues.isEmpty(c) && this.queues.hasFreeWorker(c)) {
        this.reconciler.start(s, c, t);
      } else {
        this.enqueue(s);
        this.dispatch(c, t);
      }
    } else if (st === SyncState.Processing) {
      this.table.setDirty(s, 1);
    }
  }

  private enqueue(s: number): void {
    this.queues.push(this.layout.syncCluster[s], s);
    this.table.setState(s, SyncState.Queued);
  }

  /** Free workers of cluster c take queued SecretSyncs (FIFO) and run as far as they can now. */
  private dispatch(c: number, t: number): void {
    const { queues } = this;
    while (!queues.isEmpty(c) && queues.hasFreeWorker(c)) this.reconciler.start(queues.shift(c), c, t);
  }

  /** What the controller does after a reconcile of s ended at t. */
  afterReconcile(s: number, t: number, succeeded: boolean): void {
    const { layout, table } = this;
    const c = layout.syncCluster[s];
    const group = layout.clusterGroup[c];
    if (table.dirty(s)) {
      // Considered again while it ran: the workqueue hands it back at once.
      table.setDirty(s, 0);
      this.enqueue(s);
    } else if (table.wakePending(s)) {
      // An edit came while it ran and its jitter is still running: that consideration comes next.
    } else if (succeeded) {
      // Under a cluster ticker the next poll is the cluster's next tick.
      if (layout.perSyncTimers[group]) this.scheduleWake(s, t + layout.pollInterval[group] + this.jitter(c), Reason.Poll);
    } else {
      // The larger of the item's backoff and the wait for the controller's requeue bucket.
      const backoff = requeueDelay(table.failures(s), this.requeueBase, this.requeueMax);
      const bucket = this.requeueBuckets.wait(c, t);
      const delay = backoff > bucket ? backoff : bucket;
      this.scheduleWake(s, t + delay + (layout.jitterOnRequeue[group] ? this.jitter(c) : 0), Reason.Requeue);
    }
  }
}
