import { CalendarQueue } from '../engine/calendar-queue.js';
import type { RandomStream } from '../engine/random.js';
import type { TrialCollector } from '../metrics/trial-collector.js';
import { Outcome } from '../metrics/trial-record.js';
import type { ExponentialRetry, ModelConfig, RetryAfterConfig } from './config.js';
import { expandEvents, firstOutage, type FleetAction } from './fleet-events.js';
import { FleetLayout } from './fleet-layout.js';
import { createLimiter, type Limiter } from './limiters/index.js';
import { requeueDelay } from './requeue-backoff.js';
import { resolveRetry, retryDelay } from './sdk-retry.js';
import { lastMeasurableRotation, RotationPlan } from './rotation-plan.js';

// Event kinds, in the low 3 bits of the event's first word (the id is in the rest).
const WAKE = 0; // a SecretSync's consideration (and its jitter) is over: enqueue it
const RESPONSE = 1; // the vault's answer to the SecretSync's current GET arrives
const SEND = 2; // an SDK retry of the SecretSync's current GET goes out
const BACKGROUND = 3; // a request of some other application to a vault
const ACTION = 4; // a fleet action (rollout wave, restart)
const TICK = 5; // a cluster's ticker (scheduling: cluster-ticker) considers all its SecretSyncs

// SecretSync states in the cluster's work queue.
const IDLE = 0;
const QUEUED = 1;
const PROCESSING = 2;

// Why a SecretSync was considered.
const POLL = 0;
const REQUEUE = 1;
const EDIT = 2;
const RESTART = 3;

// Per-SecretSync state: one 64-byte block per SecretSync (a cache line, so that an event
// touches one place, not twenty arrays), seen through four views of one buffer.
// int32 slots at (s << 4) + slot, bytes 0-15:
const WAKE_GEN = 0; // generation of its pending consideration (older ones are void)
const FETCH_GEN = 1; // generation of its in-flight GET (a restart voids it)
const NEXT_ROTATION = 2; // the first rotation it has not read yet
const FAILURES = 3; // consecutive failed reconciles (the requeue backoff)
// uint16 slots at (s << 5) + slot, bytes 16-21 (the schema caps objects and retries at 65,535).
// The object the reconcile fetches now is FETCHED + FAILED (currentObject).
const FETCHED = 8; // objects fetched in this reconcile
const FAILED = 9; // objects failed in this reconcile
const ATTEMPT = 10; // SDK attempt of the current GET
// uint8 slots at (s << 6) + slot, bytes 22-30:
const STATE = 22; // IDLE, QUEUED or PROCESSING in the cluster's work queue
const DIRTY = 23; // considered again while it ran
const FORCED = 24; // an edit not yet applied by a successful reconcile
const RUN_FORCED = 25; // the running reconcile applies an edit
const AWAITING = 26; // the tracked rollout waits for it
const REASON = 27; // why it was last considered
const WAKE_PENDING = 28; // a consideration is scheduled
const UNHEALTHY = 29; // from a failed reconcile (or a GET into an outage) to the next success
const LAST_ANSWER = 30; // the vault's answer to the current GET
// float64 slots at (s << 3) + slot, bytes 32-63:
const LAST_RETRY_AFTER = 4; // Retry-After of the last 429
const STARTED_AT = 5; // start of the running reconcile
const EDITED_AT = 6; // time of the last edit
const READ_AT = 7; // send time of the GET that read the first object (NaN: not read)
/** The largest count a uint16 slot holds. */
export const MAX_SLOT_COUNT = 0xffff;

// Vault answers.
const OK = 0;
const THROTTLED = 1; // 429
const UNAVAILABLE = 2; // the vault is unreachable (an outage): the request fails after a timeout

/**
 * One trial of the fleet against its vaults. All state lives in typed arrays indexed by
 * SecretSync, cluster or vault id, allocated once per point and reset per trial.
 */
export class FleetTrial {
  readonly layout: FleetLayout;
  private readonly queue: CalendarQueue;
  private readonly retryPolicy: ExponentialRetry;
  private readonly vaultLimiters: Limiter[];
  private readonly subscription: Limiter | null;
  private readonly rejectedCount: Uint8Array;
  private readonly retryAfter: RetryAfterConfig[];
  private readonly backgroundRate: Float64Array;
  /** Start of the rollout whose convergence is measured (NaN: none). */
  readonly convergenceStart: number;
  /** The scenario event whose convergence is measured (-1: the start, or none). */
  private readonly trackedEvent: number;
  /** The first outage event, whose recovery is measured (-1: none). */
  private readonly trackedOutage: number;
  /** Per group: rotations after this time are not measured (a healthy fleet may not have read them yet). */
  private readonly stalenessLimit: Float64Array;

  // Per vault.
  private readonly down: Int32Array;
  private readonly outageTimeout: Float64Array;

  // Per SecretSync: the blocks (see the slots above), four views of one buffer.
  private readonly i32: Int32Array;
  private readonly u16: Uint16Array;
  private readonly u8: Uint8Array;
  private readonly f64: Float64Array;

  // Per cluster: a FIFO ring in queueBuf[firstSync .. firstSync + syncCount).
  private readonly queueBuf: Int32Array;
  private readonly queueHead: Int32Array;
  private readonly queueLen: Int32Array;
  private readonly busy: Int32Array;

  private rng!: RandomStream;
  private col!: TrialCollector;
  private actions: FleetAction[] = [];
  private rotations!: RotationPlan;
  private awaitingCount = 0;
  private unhealthyCount = 0;
  /** End of the tracked outage while its recovery is still open (NaN otherwise). */
  private recoveringSince = NaN;

  constructor(private readonly config: ModelConfig) {
    const layout = (this.layout = new FleetLayout(config));
    const n = layout.syncs;
    // Events after the horizon would never be handled: the queue does not keep them.
    this.queue = new CalendarQueue(config.horizon, bucketWidth(config), n + 64, config.horizon);
    this.retryPolicy = resolveRetry(config.client.retry);
    this.vaultLimiters = config.vaults.map((v) => createLimiter(v.limiter));
    this.subscription = config.subscription ? createLimiter(config.subscription) : null;
    this.rejectedCount = Uint8Array.from(config.vaults, (v) => (v.rejectedCount ? 1 : 0));
    this.retryAfter = config.vaults.map((v) => v.retryAfter);
    this.backgroundRate = Float64Array.from(config.vaults, (v) => v.background.ratePerSecond);
    const firstRollout = config.events.findIndex((e) => e.kind === 'rollout');
    this.trackedEvent = config.start === 'rollout' ? -1 : firstRollout;
    this.convergenceStart = config.start === 'rollout' ? 0 : firstRollout >= 0 ? config.events[firstRollout].at : NaN;
    this.trackedOutage = firstOutage(config.events).index;
    this.stalenessLimit = Float64Array.from(config.fleet, (g) => lastMeasurableRotation(config.horizon, g));
    this.down = new Int32Array(config.vaults.length);
    this.outageTimeout = new Float64Array(config.vaults.length);


    const blocks = new ArrayBuffer(n * 64);
    this.i32 = new Int32Array(blocks);
    this.u16 = new Uint16Array(blocks);
    this.u8 = new Uint8Array(blocks);
    this.f64 = new Float64Array(blocks);

    this.queueBuf = new Int32Array(n);
    this.queueHead = new Int32Array(layout.clusters);
    this.queueLen = new Int32Array(layout.clusters);
    this.busy = new Int32Array(layout.clusters);
  }

  /** Runs one trial to the horizon, recording into `collector` (already reset). */
  run(rng: RandomStream, collector: TrialCollector): void {
    this.rng = rng;
    this.col = collector;
    this.reset();
    const { config, layout, queue } = this;

    // Fleet events first: at the same instant, an event (an outage at 0) comes before requests.
    this.actions = expandEvents(config.events, layout, rng);
    this.rotations = new RotationPlan(config.events, layout, rng);
    for (const a of this.actions) if (a.event === this.trackedEvent) this.awaitingCount += this.syncsOf(a.clusters);
    this.actions.forEach((a, i) => queue.push(a.time, (i << 3) | ACTION, 0));
    if (config.start === 'rollout') {
      this.awaitingCount += layout.syncs;
      for (let c = 0; c < layout.clusters; c++) this.edit(c, 0, true);
    } else {
      this.startSteady();
    }
    this.startTickers();
    for (let v = 0; v < this.backgroundRate.length; v++) {
      if (this.backgroundRate[v] > 0) queue.push(rng.exponential(this.backgroundRate[v]), (v << 3) | BACKGROUND, 0);
    }

    const horizon = config.horizon;
    while (queue.pop()) {
      const t = queue.poppedTime;
      if (t > horizon) break;
      const a = queue.poppedA;
      const id = a >> 3;
      switch (a & 7) {
        case WAKE:
          if (queue.poppedB === this.i32[(id << 4) + WAKE_GEN]) {
            this.u8[(id << 6) + WAKE_PENDING] = 0;
            this.consider(id, t);
          }
          break;
        case RESPONSE:
          if (queue.poppedB === this.i32[(id << 4) + FETCH_GEN] && this.respond(id, t)) this.proceed(id, t);
          this.dispatch(layout.syncCluster[id], t);
          break;
        case SEND:
          if (queue.poppedB === this.i32[(id << 4) + FETCH_GEN]) this.proceed(id, t);
          this.dispatch(layout.syncCluster[id], t);
          break;
        case BACKGROUND:
          this.vaultRequest(id, t);
          queue.push(t + rng.exponential(this.backgroundRate[id]), a, 0);
          break;
        case ACTION:
          this.applyAction(this.actions[id], t);
          break;
        case TICK:
          this.tick(id, t);
          break;
      }
    }
    this.stillStale();
  }

  private reset(): void {
    this.queue.clear();
    // Every slot starts at 0 (IDLE, no flags, generation 0, no failures), but the edit time.
    this.i32.fill(0);
    for (let s = 0; s < this.layout.syncs; s++) this.f64[(s << 3) + EDITED_AT] = -Infinity;
    this.queueHead.fill(0);
    this.queueLen.fill(0);
    this.busy.fill(0);
    this.down.fill(0);
    this.awaitingCount = 0;
    this.unhealthyCount = 0;
    this.recoveringSince = NaN;
    for (const l of this.vaultLimiters) l.reset(this.rng);
    this.subscription?.reset(this.rng);
  }

  private syncsOf(clusters: Int32Array): number {
    let n = 0;
    for (let i = 0; i < clusters.length; i++) n += this.layout.clusterSyncCount[clusters[i]];
    return n;
  }

  private jitter(group: number): number {
    const j = this.layout.jitterSeconds[group];
    return j > 0 ? this.rng.uniform() * j : 0;
  }

  private scheduleWake(s: number, t: number, why: number): void {
    this.u8[(s << 6) + REASON] = why;
    this.u8[(s << 6) + WAKE_PENDING] = 1;
    this.queue.push(t, (s << 3) | WAKE, ++this.i32[(s << 4) + WAKE_GEN]);
  }

  /**
   * Stationary phases: for an inter-poll gap X = P + U[0, J), the residual R has density
   * P(X > r) / E[X]: with probability P / (P + J/2), R ~ U[0, P); otherwise R = P + J(1 - sqrt(U)).
   */
  private startSteady(): void {
    const { layout, rng } = this;
    for (let s = 0; s < layout.syncs; s++) {
      const g = layout.clusterGroup[layout.syncCluster[s]];
      if (!layout.perSyncTimers[g]) continue;
      const p = layout.pollInterval[g];
      const j = layout.jitterSeconds[g];
      const r = rng.uniform() * (p + j / 2) < p ? rng.uniform() * p : p + j * (1 - Math.sqrt(rng.uniform()));
      this.scheduleWake(s, r, POLL);
    }
  }

  /**
   * scheduling: cluster-ticker (the upstream controller): one ticker per cluster with period P
   * and a uniformly random phase, which is also the stationary residual of a fixed period.
   */
  private startTickers(): void {
    const { layout } = this;
    for (let c = 0; c < layout.clusters; c++) {
      const g = layout.clusterGroup[c];
      if (!layout.perSyncTimers[g]) this.queue.push(this.rng.uniform() * layout.pollInterval[g], (c << 3) | TICK, 0);
    }
  }

  /** A tick considers every SecretSync of the cluster at once (each then waits its jitter). */
  private tick(c: number, t: number): void {
    const { layout } = this;
    const gi = layout.clusterGroup[c];
    const first = layout.clusterFirstSync[c];
    const end = first + layout.clusterSyncCount[c];
    for (let s = first; s < end; s++) this.scheduleWake(s, t + this.jitter(gi), POLL);
    this.queue.push(t + layout.pollInterval[gi], (c << 3) | TICK, 0);
  }

  /** A spec edit of every SecretSync of cluster c at time t (a CI rollout). */
  private edit(c: number, t: number, tracked: boolean): void {
    const first = this.layout.clusterFirstSync[c];
    const g = this.layout.clusterGroup[c];
    const end = first + this.layout.clusterSyncCount[c];
    for (let s = first; s < end; s++) {
      this.u8[(s << 6) + FORCED] = 1;
      this.f64[(s << 3) + EDITED_AT] = t;
      if (tracked) this.u8[(s << 6) + AWAITING] = 1;
      this.scheduleWake(s, t + this.jitter(g), EDIT);
    }
  }

  /** A controller restart: the queue, in-flight reconciles and backoff state are lost. */
  private restart(c: number, t: number): void {
    const { layout } = this;
    const first = layout.clusterFirstSync[c];
    const g = layout.clusterGroup[c];
    const jitter = layout.jitterOnRestart[g];
    const end = first + layout.clusterSyncCount[c];
    this.queueHead[c] = 0;
    this.queueLen[c] = 0;
    this.busy[c] = 0;
    for (let s = first; s < end; s++) {
      this.u8[(s << 6) + STATE] = IDLE;
      this.u8[(s << 6) + DIRTY] = 0;
      this.i32[(s << 4) + FAILURES] = 0;
      this.i32[(s << 4) + FETCH_GEN]++;
      this.scheduleWake(s, t + (jitter ? this.jitter(g) : 0), RESTART);
    }
  }

  private applyAction(action: FleetAction, t: number): void {
    switch (action.kind) {
      case 'rollout': {
        const tracked = action.event === this.trackedEvent;
        for (let i = 0; i < action.clusters.length; i++) this.edit(action.clusters[i], t, tracked);
        break;
      }
      case 'restart':
        for (let i = 0; i < action.clusters.length; i++) this.restart(action.clusters[i], t);
        break;
      case 'outage-start':
        for (const v of action.vaults) {
          this.down[v]++;
          this.outageTimeout[v] = action.timeout;
        }
        break;
      case 'outage-end':
        for (const v of action.vaults) this.down[v]--;
        if (action.event === this.trackedOutage) {
          if (this.unhealthyCount === 0) this.col.recovered(0);
          else this.recoveringSince = t;
        }
        break;
    }
  }

  /** The consideration's jitter is over: enqueue (workqueue semantics: no duplicates). */
  private consider(s: number, t: number): void {
    const st = this.u8[(s << 6) + STATE];
    if (st === IDLE) {
      const c = this.layout.syncCluster[s];
      // A free worker and nobody ahead in the queue: it starts now (what enqueue and dispatch would do).
      if (this.queueLen[c] === 0 && this.hasFreeWorker(c)) {
        this.start(s, c, t);
      } else {
        this.enqueue(s);
        this.dispatch(c, t);
      }
    } else if (st === PROCESSING) {
      this.u8[(s << 6) + DIRTY] = 1;
    }
  }

  private enqueue(s: number): void {
    const c = this.layout.syncCluster[s];
    const cap = this.layout.clusterSyncCount[c];
    let pos = this.queueHead[c] + this.queueLen[c];
    if (pos >= cap) pos -= cap;
    this.queueBuf[this.layout.clusterFirstSync[c] + pos] = s;
    this.queueLen[c]++;
    this.u8[(s << 6) + STATE] = QUEUED;
  }

  /** Whether cluster c runs fewer reconciles than its maxConcurrentReconciles. */
  private hasFreeWorker(c: number): boolean {
    return this.busy[c] < this.layout.maxConcurrentReconciles[this.layout.clusterGroup[c]];
  }

  /** Free workers of cluster c take queued SecretSyncs (FIFO) and run as far as they can now. */
  private dispatch(c: number, t: number): void {
    const { layout } = this;
    const cap = layout.clusterSyncCount[c];
    while (this.queueLen[c] > 0 && this.hasFreeWorker(c)) {
      const s = this.queueBuf[layout.clusterFirstSync[c] + this.queueHead[c]];
      this.queueHead[c] = this.queueHead[c] + 1 === cap ? 0 : this.queueHead[c] + 1;
      this.queueLen[c]--;
      this.start(s, c, t);
    }
  }

  /** A worker of cluster c starts a reconcile of s at t and runs it as far as it can now. */
  private start(s: number, c: number, t: number): void {
    this.u8[(s << 6) + STATE] = PROCESSING;
    this.busy[c]++;
    this.u16[(s << 5) + ATTEMPT] = 0;
    this.u16[(s << 5) + FETCHED] = 0;
    this.u16[(s << 5) + FAILED] = 0;
    this.f64[(s << 3) + STARTED_AT] = t;
    this.f64[(s << 3) + READ_AT] = NaN;
    this.u8[(s << 6) + RUN_FORCED] = this.u8[(s << 6) + FORCED];
    if (this.u8[(s << 6) + REASON] !== REQUEUE) this.col.fetchesNeeded(this.layout.objectsPerSync[this.layout.clusterGroup[c]]);
    this.proceed(s, t);
  }

  /** The object the running reconcile of s fetches now: every earlier one was fetched or failed. */
  private currentObject(s: number): number {
    return this.u16[(s << 5) + FETCHED] + this.u16[(s << 5) + FAILED];
  }

  /** Fetches the reconcile's objects one after another until it must wait, or it ends. */
  private proceed(s: number, t: number): void {
    const { layout } = this;
    const c = layout.syncCluster[s];
    const gi = layout.clusterGroup[c];
    const objects = layout.objectsPerSync[gi];
    const partial = layout.partialSync[gi];
    const sigma = layout.latencySigma[gi];
    for (;;) {
      const object = this.currentObject(s);
      if (object >= objects || (this.u16[(s << 5) + FAILED] > 0 && !partial)) {
        this.finish(s, t);
        return;
      }
      const v = layout.clusterVault[c];
      // The first object's GET (this attempt of it) reads any rotation sent before now.
      if (object === 0) this.f64[(s << 3) + READ_AT] = t;
      if (sigma < 0 && this.down[v] === 0) {
        // Latency 0: the remaining GETs go out at this instant; those the limiters accept,
        // before the first rejection, are one weighted event.
        const k = this.acceptable(v, t, objects - object);
        if (k > 0) {
          this.vaultLimiters[v].takeMany(t, k);
          this.subscription?.takeMany(t, k);
          this.col.requests(t, k);
          this.u16[(s << 5) + FETCHED] += k;
          this.u16[(s << 5) + ATTEMPT] = 0;
          this.u8[(s << 6) + LAST_ANSWER] = OK;
          continue;
        }
      }
      const answer = this.vaultRequest(v, t, s);
      this.col.request(t, answer === THROTTLED);
      this.u8[(s << 6) + LAST_ANSWER] = answer;
      if (answer === UNAVAILABLE) {
        this.col.unavailable();
        this.markUnhealthy(s);
        if (this.outageTimeout[v] > 0) {
          this.queue.push(t + this.outageTimeout[v], (s << 3) | RESPONSE, this.i32[(s << 4) + FETCH_GEN]);
          return;
        }
      } else if (sigma >= 0) {
        const latency = this.rng.lognormal(layout.latencyMu[gi], sigma);
        this.queue.push(t + latency, (s << 3) | RESPONSE, this.i32[(s << 4) + FETCH_GEN]);
        return;
      }
      if (!this.respond(s, t)) return;
    }
  }

  /** The answer to the current GET is in; false when an SDK retry now waits. */
  private respond(s: number, t: number): boolean {
    if (this.u8[(s << 6) + LAST_ANSWER] === OK) {
      this.u16[(s << 5) + FETCHED]++;
      this.u16[(s << 5) + ATTEMPT] = 0;
      return true;
    }
    // A Retry-After comes only with a 429; an unreachable vault sends nothing.
    const retryAfter = this.u8[(s << 6) + LAST_ANSWER] === THROTTLED ? this.f64[(s << 3) + LAST_RETRY_AFTER] : NaN;
    const delay = retryDelay(this.retryPolicy, this.u16[(s << 5) + ATTEMPT] + 1, retryAfter, this.rng);
    if (delay >= 0) {
      this.u16[(s << 5) + ATTEMPT]++;
      this.col.retry();
      this.queue.push(t + delay, (s << 3) | SEND, this.i32[(s << 4) + FETCH_GEN]);
      return false;
    }
    if (this.currentObject(s) === 0) this.f64[(s << 3) + READ_AT] = NaN;
    this.u16[(s << 5) + FAILED]++;
    this.u16[(s << 5) + ATTEMPT] = 0;
    return true;
  }

  private finish(s: number, t: number): void {
    const { layout } = this;
    const c = layout.syncCluster[s];
    const gi = layout.clusterGroup[c];
    const partial = layout.partialSync[gi];
    this.busy[c]--;
    this.u8[(s << 6) + STATE] = IDLE;
    const succeeded = this.u16[(s << 5) + FETCHED] === layout.objectsPerSync[gi];
    // The first object is written unless the reconcile failed fast; it carries any rotation read.
    const changed = (succeeded || partial) && this.f64[(s << 3) + READ_AT] === this.f64[(s << 3) + READ_AT] && this.readRotations(s, t);
    if (succeeded) {
      this.col.outcome(this.u8[(s << 6) + RUN_FORCED] || changed ? Outcome.ValueChangeOrForce : Outcome.NoValueChange);
      this.markHealthy(s, t);
      if (this.f64[(s << 3) + STARTED_AT] >= this.f64[(s << 3) + EDITED_AT]) {
        // Nothing was edited while it ran: the edit is applied.
        this.u8[(s << 6) + FORCED] = 0;
        if (this.u8[(s << 6) + AWAITING]) {
          this.u8[(s << 6) + AWAITING] = 0;
          if (--this.awaitingCount === 0) this.col.converged(t - this.convergenceStart);
        }
      }
      this.i32[(s << 4) + FAILURES] = 0;
    } else {
      this.col.outcome(this.u16[(s << 5) + FETCHED] > 0 && partial ? Outcome.Partial : Outcome.ProviderError);
      this.markUnhealthy(s);
      this.i32[(s << 4) + FAILURES]++;
      this.col.requeue();
    }
    if (this.u8[(s << 6) + DIRTY]) {
      // Considered again while it ran: the workqueue hands it back at once.
      this.u8[(s << 6) + DIRTY] = 0;
      this.enqueue(s);
    } else if (this.u8[(s << 6) + WAKE_PENDING]) {
      // An edit came while it ran and its jitter is still running: that consideration comes next.
    } else if (succeeded) {
      // Under a cluster ticker the next poll is the cluster's next tick.
      if (layout.perSyncTimers[gi]) this.scheduleWake(s, t + layout.pollInterval[gi] + this.jitter(gi), POLL);
    } else {
      const { baseDelay, maxDelay } = this.config.client.requeue;
      const delay = requeueDelay(this.i32[(s << 4) + FAILURES], baseDelay, maxDelay);
      this.scheduleWake(s, t + delay + (layout.jitterOnRequeue[gi] ? this.jitter(gi) : 0), REQUEUE);
    }
  }

  private markUnhealthy(s: number): void {
    if (this.u8[(s << 6) + UNHEALTHY] === 0) {
      this.u8[(s << 6) + UNHEALTHY] = 1;
      this.unhealthyCount++;
    }
  }

  /** A successful reconcile; the tracked outage has recovered when no SecretSync is failing any more. */
  private markHealthy(s: number, t: number): void {
    if (this.u8[(s << 6) + UNHEALTHY] === 0) return;
    this.u8[(s << 6) + UNHEALTHY] = 0;
    if (--this.unhealthyCount === 0 && this.recoveringSince === this.recoveringSince) {
      this.col.recovered(t - this.recoveringSince);
      this.recoveringSince = NaN;
    }
  }

  /**
   * The reconcile ending at t wrote the value its first GET read: every rotation of this
   * SecretSync's secret up to that read is now served. Records each one's staleness (rotations
   * too late to judge are skipped) and says whether any was read.
   */
  private readRotations(s: number, t: number): boolean {
    const { layout, rotations } = this;
    const times = rotations.times;
    let k = this.i32[(s << 4) + NEXT_ROTATION];
    if (k >= times.length || times[k] > this.f64[(s << 3) + READ_AT]) return false;
    const c = layout.syncCluster[s];
    const index = s - layout.clusterFirstSync[c];
    const limit = this.stalenessLimit[layout.clusterGroup[c]];
    let read = false;
    for (; k < times.length && times[k] <= this.f64[(s << 3) + READ_AT]; k++) {
      if (!rotations.affects(k, c, index)) continue;
      read = true;
      if (times[k] <= limit) this.col.stale(t - times[k]);
    }
    this.i32[(s << 4) + NEXT_ROTATION] = k;
    return read;
  }

  /** At the horizon: every measured rotation a SecretSync has still not read is stale for longer than the trial. */
  private stillStale(): void {
    const { layout, rotations } = this;
    if (rotations.count === 0) return;
    for (let s = 0; s < layout.syncs; s++) {
      const c = layout.syncCluster[s];
      const index = s - layout.clusterFirstSync[c];
      const limit = this.stalenessLimit[layout.clusterGroup[c]];
      for (let k = this.i32[(s << 4) + NEXT_ROTATION]; k < rotations.count && rotations.times[k] <= limit; k++) {
        if (rotations.affects(k, c, index)) this.col.stale(Infinity);
      }
    }
  }

  /** How many of n requests to vault v at time t the vault and the subscription would accept in a row. */
  private acceptable(v: number, t: number, n: number): number {
    const k = this.vaultLimiters[v].acceptable(t, n);
    return this.subscription === null || k === 0 ? k : this.subscription.acceptable(t, k);
  }

  /**
   * One request to vault v at time t: unavailable during an outage, else admitted only when the
   * vault and the subscription both accept.
   */
  private vaultRequest(v: number, t: number, s = -1): number {
    if (this.down[v] > 0) return UNAVAILABLE;
    const vault = this.vaultLimiters[v];
    const sub = this.subscription;
    const accepted = vault.wouldAccept(t) && (sub === null || sub.wouldAccept(t));
    if (accepted || this.rejectedCount[v]) {
      vault.take(t);
      sub?.take(t);
    }
    if (accepted) return OK;
    if (s >= 0) this.f64[(s << 3) + LAST_RETRY_AFTER] = this.retryAfterFor(v, t);
    return THROTTLED;
  }

  private retryAfterFor(v: number, t: number): number {
    const ra = this.retryAfter[v];
    if (ra === 'none') return NaN;
    if (ra !== 'until-capacity') return ra;
    const sub = this.subscription;
    return Math.max(this.vaultLimiters[v].retryAfter(t), sub ? sub.retryAfter(t) : 0);
  }
}

/**
 * The event calendar's bucket width: about six events per bucket at the busiest rate the fleet
 * expects (each SecretSync's consideration and its GETs' answers, spread over the jitter after a
 * rollout, or over a poll interval in a steady fleet), at most 1 s, and at most a million buckets
 * over the horizon. The heap then stays a few events deep. Only speed depends on it: the order
 * of events does not.
 */
export function bucketWidth(config: ModelConfig): number {
  const rollout = config.start === 'rollout' || config.events.some((e) => e.kind === 'rollout');
  let rate = 0;
  for (const g of config.fleet) {
    const spread = rollout ? Math.max(1, g.jitterSeconds) : g.rotationPollIntervalInSeconds + g.jitterSeconds / 2;
    const eventsPerSync = 1 + (g.latency === 0 ? 0 : g.objectsPerSync);
    rate += (g.clusters * g.secretSyncs * eventsPerSync) / spread;
  }
  return Math.min(1, Math.max(6 / rate, config.horizon / 1e6));
}
