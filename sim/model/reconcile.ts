import type { EventLoop } from '../engine/event-loop.js';
import type { RandomStream } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { Outcome } from '../metrics/trial-record.js';
import type { ExponentialRetry } from './config.js';
import { EventKind } from './event-kinds.js';
import type { FleetLayout } from './fleet-layout.js';
import { retryDelay } from './sdk-retry.js';
import { Reason, SyncState, type SyncTable } from './sync-table.js';
import { VaultAnswer, type VaultGateway } from './vault-gateway.js';
import type { WorkQueues } from './work-queue.js';
import type { ConvergenceProbe } from './probes/convergence.js';
import type { RecoveryProbe } from './probes/recovery.js';
import type { StalenessProbe } from './probes/staleness.js';

/**
 * What a reconcile reads and drives in its trial: the fleet's tables, the vault side, the loop,
 * the collector and probes, and the controller's next step. The cluster model is one (it owns
 * a Reconciler); naming the parts here keeps reconcile.ts from importing the model back.
 */
export interface ReconcileContext {
  readonly layout: FleetLayout;
  readonly table: SyncTable;
  readonly gateway: VaultGateway;
  readonly queues: WorkQueues;
  readonly convergence: ConvergenceProbe;
  readonly recovery: RecoveryProbe;
  readonly staleness: StalenessProbe;
  readonly loop: EventLoop;
  readonly collector: TrialCollector;
  readonly streams: RandomStream[];
  /** What the controller does after a reconcile of s ended at t. */
  afterReconcile(s: number, t: number, succeeded: boolean): void;
}

/**
 * One reconcile of a SecretSync by a worker (docs/model.md): its objects fetched
 * one after another, each GET retried by the SDK, then the outcome and its status reason.
 */
export class Reconciler {
  private readonly layout: FleetLayout;
  private readonly table: SyncTable;
  private readonly gateway: VaultGateway;

  constructor(private readonly model: ReconcileContext, private readonly retryPolicy: ExponentialRetry) {
    this.layout = model.layout;
    this.table = model.table;
    this.gateway = model.gateway;
  }

  /** A worker of cluster c starts a reconcile of s at t and runs it as far as it can now. */
  start(s: number, c: number, t: number): void {
    const { table } = this;
    table.setState(s, SyncState.Processing);
    this.model.queues.workerTaken(c);
    table.setAttempt(s, 0);
    table.setFetched(s, 0);
    table.setFailed(s, 0);
    table.setStartedAt(s, t);
    table.setReadAt(s, NaN);
    table.setRunForced(s, table.forced(s));
    if (table.reason(s) !== Reason.Requeue) this.model.collector.fetchesNeeded(this.layout.objectsPerSync[this.layout.clusterGroup[c]]);
    this.proceed(s, t);
  }

  /** Fetches the reconcile's objects one after another until it must wait, or it ends. */
  proceed(s: number, t: number): void {
    const { layout, table, gateway, model } = this;
    const collector = model.collector;
    const c = layout.syncCluster[s];
    const group = layout.clusterGroup[c];
    const objects = layout.objectsPerSync[group];
    const partial = layout.partialSync[group];
    const sigma = layout.latencySigma[group];
    const v = layout.syncVault[s];
    for (;;) {
      const object = table.currentObject(s);
      if (object >= objects || (table.failed(s) > 0 && !partial)) {
        this.finish(s, t);
        return;
      }
      // The first object's GET (this attempt of it) reads any rotation sent before now.
      if (object === 0) table.setReadAt(s, t);
      if (sigma < 0 && !gateway.isDown(v)) {
        // Latency 0: the remaining GETs go out at this instant; those the limiters accept,
        // before the first rejection, are one weighted event.
        const k = gateway.acceptMany(v, t, objects - object);
        if (k > 0) {
          collector.requests(t, v, k);
          table.setFetched(s, table.fetched(s) + k);
          table.setAttempt(s, 0);
          table.setLastAnswer(s, VaultAnswer.Ok);
          continue;
        }
      }
      const answer = gateway.request(v, t);
      collector.request(t, answer === VaultAnswer.Unavailable ? -1 : v, answer === VaultAnswer.Throttled);
      table.setLastAnswer(s, answer);
      if (answer === VaultAnswer.Throttled) {
        table.setLastRetryAfter(s, gateway.retryAfterAt(v, t));
      } else if (answer === VaultAnswer.Unavailable) {
        collector.unavailable();
        this.markUnhealthy(s, t);
        if (gateway.timeout(v) > 0) {
          model.loop.schedule(t + gateway.timeout(v), (s << 3) | EventKind.Response, table.fetchGen(s));
          return;
        }
      }
      if (answer !== VaultAnswer.Unavailable && sigma >= 0) {
        const latency = model.streams[c].lognormal(layout.latencyMu[group], sigma);
        model.loop.schedule(t + latency, (s << 3) | EventKind.Response, table.fetchGen(s));
        return;
      }
      if (!this.respond(s, t)) return;
    }
  }

  /** The answer to the current GET is in; false when an SDK retry now waits. */
  respond(s: number, t: number): boolean {
    const { table } = this;
    const answer = table.lastAnswer(s);
    if (answer === VaultAnswer.Ok) {
      table.setFetched(s, table.fetched(s) + 1);
      table.setAttempt(s, 0);
      return true;
    }
    // A Retry-After comes only with a 429; an unreachable vault sends nothing.
    const retryAfter = answer === VaultAnswer.Throttled ? table.lastRetryAfter(s) : NaN;
    const delay = retryDelay(this.retryPolicy, table.attempt(s) + 1, retryAfter, this.model.streams[this.layout.syncCluster[s]]);
    if (delay >= 0) {
      table.setAttempt(s, table.attempt(s) + 1);
      this.model.collector.retry();
      this.model.loop.schedule(t + delay, (s << 3) | EventKind.Send, table.fetchGen(s));
      return false;
    }
    if (table.currentObject(s) === 0) table.setReadAt(s, NaN);
    table.setFailed(s, table.failed(s) + 1);
    table.setAttempt(s, 0);
    return true;
  }

  /** The reconcile is over: its status reason, what it served, and what the controller does next. */
  private finish(s: number, t: number): void {
    const { layout, table, model } = this;
    const collector = model.collector;
    const c = layout.syncCluster[s];
    const group = layout.clusterGroup[c];
    const partial = layout.partialSync[group];
    model.queues.workerFreed(c);
    table.setState(s, SyncState.Idle);
    const succeeded = table.fetched(s) === layout.objectsPerSync[group];
    // The first object is written unless the reconcile failed fast; it carries any rotation read.
    const readAt = table.readAt(s);
    const changed = (succeeded || partial) && readAt === readAt && model.staleness.read(s, t, collector);
    if (succeeded) {
      collector.outcome(table.runForced(s) || changed ? Outcome.ValueChangeOrForce : Outcome.NoValueChange);
      this.markHealthy(s, t);
      if (table.startedAt(s) >= table.editedAt(s)) {
        // Nothing was edited while it ran: the edit is applied.
        table.setForced(s, 0);
        if (table.awaiting(s)) {
          table.setAwaiting(s, 0);
          model.convergence.succeeded(t);
        }
      }
      table.setFailures(s, 0);
    } else {
      collector.outcome(table.fetched(s) > 0 && partial ? Outcome.Partial : Outcome.ProviderError);
      this.markUnhealthy(s, t);
      table.setFailures(s, table.failures(s) + 1);
      collector.requeue();
    }
    model.afterReconcile(s, t, succeeded);
  }

  private markUnhealthy(s: number, t: number): void {
    if (this.table.unhealthy(s) === 0) {
      this.table.setUnhealthy(s, 1);
      this.model.recovery.change(t, this.layout.syncCluster[s], 1);
    }
  }

  private markHealthy(s: number, t: number): void {
    if (this.table.unhealthy(s) === 1) {
      this.table.setUnhealthy(s, 0);
      this.model.recovery.change(t, this.layout.syncCluster[s], -1);
    }
  }
}
