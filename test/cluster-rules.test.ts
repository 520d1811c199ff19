import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FleetEventConfig } from '../sim/model/config.js';
import { REQUEUE_OVERALL } from '../sim/model/defaults.js';
import { group, model, requestSeries, run, sendTimes, UNLIMITED } from './helpers.js';

/** The seconds in which trial 0 sent GETs, each as often as it sent one (1-s timeseries bins). */
const sendSeconds = (m: Parameters<typeof run>[0]): number[] => sendTimes(run(m, 1), 0);

test('GET latency: the scenario\'s median and p99 are the sampled ones (within 5 standard errors)', () => {
  // 20,000 clusters with one SecretSync of two objects, all at t = 0: the second GET goes out
  // one latency after the first, so the timeseries (10-ms bins) counts latencies below a time.
  const n = 20_000;
  const batch = run(model({
    horizon: 2,
    fleet: [group({ clusters: n, secretSyncs: 1, objectsPerSync: 2, latency: { median: 0.04, p99: 0.25 } })],
    vaults: [UNLIMITED],
    metrics: { perSecondLimit: 400, timeseriesBin: 0.01 },
  }), 1);
  const bins = requestSeries(batch, 0);
  const below = (bin: number) => (bins.slice(0, bin).reduce((a, b) => a + b, 0) - n) / n; // less the first GETs at 0
  assert.ok(Math.abs(below(4) - 0.5) < 5 * Math.sqrt(0.25 / n), `P(latency < 40 ms) = ${below(4)}`);
  assert.ok(Math.abs(below(25) - 0.99) < 5 * Math.sqrt(0.0099 / n), `P(latency < 250 ms) = ${below(25)}`);
});

test('the controller\'s requeue bucket holds at most its burst: after 1,000 quiet seconds, the 101st of a burst of requeues waits its token', () => {
  // 150 SecretSyncs, healthy at 0, then all edited at 1,000 s into an outage (fast failures, no
  // SDK retry): 150 failures at one instant, each requeued after max(1 s backoff, its wait for a
  // token). The bucket (burst 100, 10/s) is full, not 10,100 tokens: the first 100 take a token,
  // requeue k > 100 waits (k - 100) / 10 s. In the second after, requeues 1-115 go (115 at 1.5 s).
  const m = model({
    horizon: 1001.5,
    fleet: [group({ clusters: 1, secretSyncs: 150, jitterSeconds: 0, jitterOnRequeue: false, rotationPollIntervalInSeconds: 1e6, latency: 0 })],
    vaults: [UNLIMITED],
    client: { retry: 'none', requeue: { baseDelay: 1, maxDelay: 1000, overall: REQUEUE_OVERALL } },
    events: [
      { kind: 'outage', at: 999, vaults: [0], duration: 1000, timeout: 0 },
      { kind: 'rollout', at: 1000, clusters: { share: 1 }, waves: 1, over: 0 },
    ],
  });
  const perSecond = new Map<number, number>();
  for (const s of sendSeconds(m)) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  assert.equal([...perSecond], [[0, 150], [1000, 150], [1001, 115]]);
});

test('a controller restart replaces the pending poll: the next one is a full interval after it', () => {
  // Poll every 100 s: reconciles at 0 (rollout) and 50 (the restart); the poll due at 100 was
  // the old controller's and is gone, the new one's is at 150, then 250.
  const m = model({
    horizon: 300,
    fleet: [group({ clusters: 1, secretSyncs: 1, rotationPollIntervalInSeconds: 100, jitterOnRestart: false })],
    vaults: [UNLIMITED],
    events: [{ kind: 'restart', at: 50, clusters: { share: 1 } }],
  });
  assert.equal(sendSeconds(m), [0, 50, 150, 250]);
});

test('a controller restart drops a GET in flight on a healthy vault: its answer is ignored', () => {
  // Two objects, a constant 30 s latency: the GETs of the rollout go out at 0 and 30; the restart
  // at 10 starts over with GETs at 10 and 40. Had the answer at 30 counted, a third GET would
  // leave at 30 for the old reconcile.
  const m = model({
    horizon: 60,
    fleet: [group({ clusters: 1, secretSyncs: 1, objectsPerSync: 2, latency: { median: 30, p99: 30 }, rotationPollIntervalInSeconds: 1000, jitterOnRestart: false })],
    vaults: [UNLIMITED],
    events: [{ kind: 'restart', at: 10, clusters: { share: 1 } }],
  });
  assert.equal(sendSeconds(m), [0, 10, 40]);
});

test('a controller restart drops an SDK retry that waits: it is not sent', () => {
  // The vault is down (fast failures); one SDK retry, exactly 2 s later. GET at 0, its retry due
  // at 2; the restart at 1 drops it and sends anew at 1, whose retry goes at 3. Then the
  // reconcile fails and is requeued beyond the horizon.
  const m = model({
    horizon: 10,
    fleet: [group({ clusters: 1, secretSyncs: 1, jitterOnRestart: false, rotationPollIntervalInSeconds: 1e6 })],
    client: { retry: { maxRetries: 1, baseDelay: 2, maxDelay: 2, jitter: [1, 1] }, requeue: { baseDelay: 1000, maxDelay: 1000, overall: REQUEUE_OVERALL } },
    events: [
      { kind: 'outage', at: 0, vaults: [0], duration: 1000, timeout: 0 },
      { kind: 'restart', at: 1, clusters: { share: 1 } },
    ],
  });
  assert.equal(sendSeconds(m), [0, 1, 3]);
});

test('a controller restart with jitterOnRestart waits U[0, J) after the restart, never before it', () => {
  // Five SecretSyncs, J = 20 s, no second poll: the rollout's GETs fall in [0, 20), the
  // restart's in [50, 70).
  const m = model({
    horizon: 100,
    fleet: [group({ clusters: 1, secretSyncs: 5, jitterSeconds: 20, jitterOnRestart: true, rotationPollIntervalInSeconds: 1e6 })],
    vaults: [UNLIMITED],
    events: [{ kind: 'restart', at: 50, clusters: { share: 1 } }],
  });
  const sends = sendSeconds(m);
  assert.is(sends.length, 10);
  assert.ok(sends.slice(0, 5).every((s) => s < 20) && sends.slice(5).every((s) => s >= 50 && s < 70), String(sends));
});

test('an edit of a queued SecretSync does not run it twice (workqueue: it is already waiting)', () => {
  // One worker, three SecretSyncs, a constant 10 s latency: A runs at 0, B and C wait. The
  // rollout at 5 edits all three: A, running, is marked to run again; B and C, queued, are not
  // (the queue holds each once). So B at 10, C at 20, A again at 30, and nothing after. Were B
  // and C also marked, they would run again at 40 and 50.
  const m = model({
    horizon: 100,
    fleet: [group({ clusters: 1, secretSyncs: 3, latency: { median: 10, p99: 10 }, rotationPollIntervalInSeconds: 1e6 })],
    vaults: [UNLIMITED],
    events: [{ kind: 'rollout', at: 5, clusters: { share: 1 }, waves: 1, over: 0 }],
  });
  assert.equal(sendSeconds(m), [0, 10, 20, 30]);
});

/** One cluster against a vault that is down for the whole trial: every GET fails. */
function downCluster(secretSyncs: number, timeout: number, restartAt: number, horizon: number) {
  const events: FleetEventConfig[] = [
    { kind: 'outage', at: 0, vaults: [0], duration: 1000, timeout },
    { kind: 'restart', at: restartAt, clusters: { share: 1 } },
  ];
  return model({
    horizon,
    fleet: [group({ clusters: 1, secretSyncs, jitterSeconds: 0, jitterOnRestart: false, jitterOnRequeue: false })],
    client: { retry: 'none', requeue: { baseDelay: 1, maxDelay: 1000, overall: REQUEUE_OVERALL } },
    events,
    metrics: { perSecondLimit: 400, timeseriesBin: 1 },
  });
}

test('a controller restart drops the requeue backoff: the delays start again at the base delay', () => {
  // Failures at 0, 1, 3, 7, 15, 31 (delays 1, 2, 4, 8, 16 s), next due at 63; the restart at 40
  // reconsiders at once, and the backoff starts over: 41, 43, 47, 55.
  assert.equal(sendSeconds(downCluster(1, 0, 40, 60)), [0, 1, 3, 7, 15, 31, 40, 41, 43, 47, 55]);
});

test('a controller restart drops the in-flight reconcile: its late answer is ignored', () => {
  // The GET at 0 hangs until 30; the restart at 10 sends a new one (answer at 40); the answer
  // at 30 belongs to the dropped reconcile. Failed at 40: requeued after 1 s, then 2 s.
  assert.equal(sendSeconds(downCluster(1, 30, 10, 100)), [0, 10, 41, 73]);
});

test('a controller restart drops the work queue: each SecretSync runs once after it', () => {
  // One worker, two SecretSyncs: B waits behind A's hanging GET. After the restart at 10 both
  // are considered afresh (A first, B queued once); B runs when A's new reconcile fails at 40,
  // A again when B's fails at 70.
  assert.equal(sendSeconds(downCluster(2, 30, 10, 100)), [0, 10, 40, 70]);
});

test('a cluster named by more fleet actions than its event queue first holds: the queue grows, each restart runs its SecretSync once', () => {
  // 200 restarts of the one cluster, one a second from 1 s: the independent driver schedules
  // them all at the start, beyond the room a cluster of one SecretSync first has.
  const restarts: FleetEventConfig[] = Array.from({ length: 200 }, (_, i) => ({ kind: 'restart', at: i + 1, clusters: { share: 1 } }));
  const b = run(model({ horizon: 250, fleet: [group({ clusters: 1, secretSyncs: 1, jitterSeconds: 0, jitterOnRestart: false })], vaults: [UNLIMITED], events: restarts }), 1);
  assert.equal(requestSeries(b, 0).slice(0, 202), Array(201).fill(1).concat([0]));
});

test.run();
