import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FleetEventConfig } from '../sim/model/config.js';
import { REQUEUE_OVERALL } from '../sim/model/defaults.js';
import { group, metric, model, NO_REQUEUE, requestSeries, run, scaled, sendTimes, sum, vault } from './helpers.js';

const outage = (at: number, duration: number, timeout = 0, vault = 0): FleetEventConfig => ({ kind: 'outage', at, vaults: [vault], duration, timeout });

/** A vault with `tokens` tokens that never refill: counts exactly which requests reached it. */
const tokens = (n: number) => vault({ limiter: { kind: 'token-bucket', capacity: n, refillPerSecond: 1e-12 } });

test('the requeue backoff doubles per consecutive failure and starts again after a success', () => {
  // One SecretSync, P = 1 s, failing instantly in two outages, [0, 1) and [2, 3). In the first,
  // attempts at 0.005 x (2^n - 1): 0, .005, .015, ..., .635 fail, 1.275 succeeds. The next poll
  // at 2.275 fails; a reset backoff retries at +5 ms, +10 ms, ...: 2.28, 2.29, ..., 2.91 fail and
  // 3.55 succeeds. Without the reset the retry after 2.275 would wait 5 ms x 2^8 = 1.28 s.
  // The vault holds two tokens only: requests into an outage never reach it.
  const b = run(
    model({
      horizon: 4,
      fleet: [group({ clusters: 1, secretSyncs: 1, rotationPollIntervalInSeconds: 1 })],
      vaults: [tokens(2)],
      events: [outage(0, 1), outage(2, 1)],
    }),
    1,
  );
  assert.equal(requestSeries(b, 0), [8, 1, 8, 1]);
  assert.equal(metric(b, 'unavailable'), [16]);
  assert.equal(metric(b, 'requeues'), [16]);
  assert.equal(metric(b, 'ProviderError'), [16]);
  assert.equal(metric(b, 'throttled'), [0]);
  assert.ok(Math.abs(metric(b, 'recovery')[0] - 0.275) < 1e-9, 'no SecretSync failing from 1.275 s, 0.275 s after the first outage');
});

for (const v of [0, 1]) {
test(`an outage: each request fails after the timeout, azcore retries three times, then the controller requeues (vault ${v} of two)`, () => {
  const trials = scaled(30, 3);
  const b = run(
    model({
      horizon: 200,
      fleet: [group({ clusters: 1, secretSyncs: 1, vaults: [v === 0 ? 'kv' : 'kv2'] })],
      vaults: [tokens(1), vault({ ...tokens(1), name: 'kv2' })],
      client: { ...NO_REQUEUE, retry: 'azcore' },
      events: [outage(0, 1000, 30, v)],
    }),
    trials,
  );
  assert.equal(metric(b, 'requests'), Array(trials).fill(4));
  assert.equal(metric(b, 'unavailable'), Array(trials).fill(4));
  assert.equal(metric(b, 'retries'), Array(trials).fill(3));
  assert.equal(metric(b, 'ProviderError'), Array(trials).fill(1));
  for (let i = 0; i < trials; i++) {
    // Sent at 0, 30 + [0.64, 1.04), 60 + that + [1.92, 3.12), 90 + that + [4.48, 7.28).
    const sent = sendTimes(b, i);
    assert.is(sent[0], 0);
    assert.ok(sent[1] >= 30 && sent[1] <= 31, `second attempt in second ${sent[1]}`);
    assert.ok(sent[2] >= 62 && sent[2] <= 64, `third attempt in second ${sent[2]}`);
    assert.ok(sent[3] >= 97 && sent[3] <= 101, `fourth attempt in second ${sent[3]}`);
  }
  assert.ok(metric(b, 'recovery').every(Number.isNaN), 'the outage outlasts the trial: no recovery');
});
}

test('with partial sync, each object\'s GET has its own SDK retries: one given up on leaves the next its three', () => {
  // Three objects into an outage (failing at once), azcore: 1 + 3 attempts each, 12 GETs and 9
  // retries in the one reconcile (about 9 s an object; the requeue comes after the horizon).
  const b = run(
    model({
      horizon: 60,
      fleet: [group({ clusters: 1, secretSyncs: 1, objectsPerSync: 3, enablePartialSecretSync: true })],
      vaults: [tokens(1)],
      client: { ...NO_REQUEUE, retry: 'azcore' },
      events: [outage(0, 1000)],
    }),
    scaled(10, 2),
  );
  assert.ok(metric(b, 'requests').every((n) => n === 12), `GETs ${metric(b, 'requests')}`);
  assert.ok(metric(b, 'retries').every((n) => n === 9), `retries ${metric(b, 'retries')}`);
});

test('recovery: from the end of the first outage until no SecretSync is failing', () => {
  // Ten clusters of one SecretSync, all failing at t = 0 (timeout 0, no SDK retries) and
  // requeued after 1000 s: the vault is back at 5 s but nothing succeeds before the requeues
  // at 1000 s, so the recovery is 995 s. The second outage is not the one measured.
  const b = run(
    model({
      horizon: 1200,
      fleet: [group({ clusters: 10, secretSyncs: 1 })],
      client: NO_REQUEUE,
      events: [outage(0, 5), outage(1100, 5)],
    }),
    2,
  );
  assert.equal(metric(b, 'recovery'), [995, 995]);
  assert.equal(metric(b, 'unavailable'), [10, 10]);
  // The first outage, not the first event: a restart listed before it (after the recovery).
  const later = run(
    model({
      horizon: 1200,
      fleet: [group({ clusters: 10, secretSyncs: 1 })],
      client: NO_REQUEUE,
      events: [{ kind: 'restart', at: 1150, clusters: { share: 1 } }, outage(0, 5)],
    }),
    2,
  );
  assert.equal(metric(later, 'recovery'), [995, 995]);
});

test('recovery counts a SecretSync failing by 429s, each time it fails: no SecretSync is failing only once all succeed again', () => {
  // A (vault kv, down for [0, 20)) fails at 0 and at its requeue at 10, and succeeds at the
  // next, 30 s. B (kv2: one token, refilled at 0.1/s, polled every 8 s) succeeds at 0, is
  // throttled at 8 and fails, succeeds at its requeue at 18, fails again at its poll at 26 and
  // succeeds at 36: recovery 16 s after the outage, not 10 (at A's success).
  const pair = (name: string, v: string) => group({ name, clusters: 1, secretSyncs: 1, jitterSeconds: 0, latency: 0, rotationPollIntervalInSeconds: 8, vaults: [v] });
  const b = run(
    model({
      horizon: 40,
      fleet: [pair('a', 'kv'), pair('b', 'kv2')],
      vaults: [vault(), vault({ name: 'kv2', limiter: { kind: 'token-bucket', capacity: 1, refillPerSecond: 0.1 } })],
      client: { retry: 'none', requeue: { baseDelay: 10, maxDelay: 1000, overall: null } },
      events: [outage(0, 20)],
    }),
    1,
  );
  assert.equal([metric(b, 'unavailable')[0], metric(b, 'throttled')[0]], [2, 2]);
  assert.is(metric(b, 'recovery')[0], 16);
});

test('latency 0 with partial sync: an object given up on in an outage leaves the rest, sent at once when the vault is back', () => {
  // Three objects; the first's GET at 0 meets the outage ([0, 5), 10-s timeout) and fails at
  // 10 s, no retries; the other two go out together at 10 s, the vault back: three GETs, a
  // partial sync.
  const b = run(
    model({
      horizon: 30,
      fleet: [group({ clusters: 1, secretSyncs: 1, objectsPerSync: 3, enablePartialSecretSync: true, latency: 0, jitterSeconds: 0, rotationPollIntervalInSeconds: 1e6 })],
      vaults: [tokens(10)],
      client: NO_REQUEUE,
      events: [outage(0, 5, 10)],
    }),
    1,
  );
  assert.equal([metric(b, 'requests')[0], metric(b, 'unavailable')[0], metric(b, 'PartialSync')[0]], [3, 1, 1]);
  assert.equal(sendTimes(b, 0), [0, 10, 10]);
});

test('an outage that outlasts the trial: each cluster in turn meets it only from its start (the independent driver clears it between clusters)', () => {
  // Three clusters polling every 30 s from t = 0; the vault goes down at 100 s for good. Every
  // cluster's polls at 0, 30, 60 and 90 s succeed, whichever cluster the driver took before.
  const b = run(
    model({
      horizon: 200,
      fleet: [group({ clusters: 3, secretSyncs: 1, jitterSeconds: 0, rotationPollIntervalInSeconds: 30 })],
      client: NO_REQUEUE,
      events: [outage(100, 1e6)],
    }),
    2,
  );
  assert.equal(metric(b, 'UpdateNoValueChangeSucceeded').map((n, i) => n + metric(b, 'UpdateValueChangeOrForceUpdateSucceeded')[i]), [12, 12]);
  assert.equal(metric(b, 'unavailable'), [3, 3], 'the poll at 120 s fails, and waits a requeue past the horizon');
});

test('429s after an outage are counted apart', () => {
  // 20 SecretSyncs fail at once in an outage [0, 10) and are requeued 10 s later, when the
  // vault is back: all 20 arrive at a vault of 5 tokens and 15 are throttled, after the outage.
  const b = run(
    model({
      horizon: 15,
      fleet: [group({ clusters: 20, secretSyncs: 1 })],
      vaults: [tokens(5)],
      client: { retry: 'none', requeue: { baseDelay: 10, maxDelay: 10, overall: REQUEUE_OVERALL } },
      events: [outage(0, 10)],
    }),
    1,
  );
  assert.equal(metric(b, 'unavailable'), [20]);
  assert.equal(metric(b, 'throttled'), [15]);
  assert.equal(metric(b, 'throttledAfterOutage'), [15]);
  assert.equal(metric(b, 'lastThrottleAt'), [10]);
});

/** One cluster of n SecretSyncs failing at t = 0 in an outage (instant failures, no SDK retry). */
const burst = (n: number, horizon: number, overall: typeof REQUEUE_OVERALL | null) =>
  model({
    horizon,
    fleet: [group({ clusters: 1, secretSyncs: n, jitterOnRequeue: false, rotationPollIntervalInSeconds: 1e6 })],
    client: { retry: 'none', requeue: { baseDelay: 0.005, maxDelay: 1000, overall } },
    events: [outage(0, 1000)],
    metrics: { perSecondLimit: 400, timeseriesBin: 0.001 },
  });

test('the controller\'s requeue bucket (10/s, burst 100) paces a cluster\'s requeues after its first 100', () => {
  // 300 failures at 0: the first 100 requeues find tokens and wait only their 5-ms backoff;
  // the k-th after them waits k / 10 s for its token: the 101st at 0.1 s, the 300th at 20 s.
  const times = sendTimes(run(burst(300, 20.05, REQUEUE_OVERALL), 1), 0, 1000);
  assert.is(times.filter((t) => t === 0).length, 300, 'the first attempts at 0');
  assert.is(times.filter((t) => t === 0.005).length, 100, 'the first 100 requeues after their backoff');
  const paced = times.filter((t) => t > 0.005);
  assert.is(paced.length, 200);
  // Each in the millisecond bin of its token, k / 10 s for the (100 + k)-th (or the bin before:
  // k / 10 computed as a sum of rounded waits may fall just below the bin's edge).
  paced.forEach((t, i) => assert.ok(Math.abs(t - (i + 1) / 10) < 0.0015, `requeue ${101 + i} at ${t} s, not ${(i + 1) / 10} s`));
});

test('the requeue bucket refills at 10 per second between requeues', () => {
  // 150 failures at 0 leave the bucket at -50. The first 100 fail again at 0.005 s, when it has
  // refilled by 0.05: at -49.95, their requeues wait 5.095 s, 5.195 s, ...: at 5.1 s, 5.2 s, ...,
  // 15.0 s (the next requeue after them waits until 15.1 s).
  const times = sendTimes(run(burst(150, 15.05, REQUEUE_OVERALL), 1), 0, 1000).filter((t) => t > 5.05);
  assert.is(times.length, 100);
  times.forEach((t, i) => assert.ok(Math.abs(t - (5.1 + i / 10)) < 0.0015, `second requeue ${i + 1} at ${t} s, not ${5.1 + i / 10} s`));
});

test('each cluster has its own requeue bucket: two clusters\' second requeues come at the same times', () => {
  // The case above on two clusters of 150: each bucket at -50 at first, each cluster's second
  // requeues at 5.1 s, 5.2 s, ...: two at each time.
  const m = burst(150, 15.05, REQUEUE_OVERALL);
  m.fleet[0].clusters = 2;
  const times = sendTimes(run(m, 1), 0, 1000).filter((t) => t > 5.05);
  assert.is(times.length, 200);
  times.forEach((t, i) => assert.ok(Math.abs(t - (5.1 + Math.floor(i / 2) / 10)) < 0.0015, `second requeue ${i + 1} at ${t} s`));
});

test('without the bucket (overall: none) every requeue waits only its own backoff', () => {
  const times = sendTimes(run(burst(300, 20.05, null), 1), 0, 1000);
  assert.is(times.filter((t) => t === 0).length, 300);
  assert.is(times.filter((t) => t === 0.005).length, 300);
  // Then the second backoff (10 ms), the third (20 ms): 0.015, 0.035, ...
  assert.is(times.filter((t) => t === 0.015).length, 300);
});

test('a controller restart starts a new, full requeue bucket', () => {
  // The same 300 failures; a restart at 5 s drops every pending requeue (the queue and backoff
  // are lost) and considers all 300 anew: they fail at 5 s, and with a new full bucket the
  // first 100 requeue after 5 ms, the rest one per 0.1 s from 5.1 s on. An old bucket (at
  // -150 tokens by then) would have held them all beyond 20 s.
  const m = burst(300, 20.05, REQUEUE_OVERALL);
  m.events = [outage(0, 1000), { kind: 'restart', at: 5, clusters: { share: 1 } }];
  m.fleet[0].jitterOnRestart = false;
  const times = sendTimes(run(m, 1), 0, 1000).filter((t) => t >= 5);
  assert.is(times.filter((t) => t === 5).length, 300);
  assert.is(times.filter((t) => Math.abs(t - 5.005) < 1e-9).length, 100);
  assert.ok(Math.abs(times.filter((t) => t > 5.005)[0] - 5.1) < 0.0015, 'the 101st at 5.1 s');
});

test('Retry-After: until-capacity waits exactly for the next token; above 60 s azcore gives up', () => {
  // One token, refilled at 0.1/s. Two SecretSyncs at t = 0: the second is throttled.
  const setup = (retryAfter: 'until-capacity' | number) =>
    run(
      model({
        horizon: 30,
        fleet: [group({ clusters: 1, secretSyncs: 2, maxConcurrentReconciles: 2 })],
        vaults: [vault({ limiter: { kind: 'token-bucket', capacity: 1, refillPerSecond: 0.1 }, retryAfter })],
        client: { ...NO_REQUEUE, retry: 'azcore' },
      }),
      1,
    );
  const waits = setup('until-capacity');
  assert.equal(requestSeries(waits, 0).slice(0, 11), [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 'retried at 10 s, when the token is back');
  assert.equal([metric(waits, 'retries')[0], metric(waits, 'throttled')[0], metric(waits, 'ProviderError')[0]], [1, 1, 0]);
  const stops = setup(61);
  assert.equal([metric(stops, 'requests')[0], metric(stops, 'retries')[0], metric(stops, 'ProviderError')[0]], [2, 0, 1]);
});

test('Retry-After: 0 s retries at once (azcore\'s three, all at the same instant), it does not give up', () => {
  // One token that never comes back; the second SecretSync's GET and its three retries at 0.
  const b = run(
    model({
      horizon: 10,
      fleet: [group({ clusters: 1, secretSyncs: 2, maxConcurrentReconciles: 2, jitterSeconds: 0 })],
      vaults: [vault({ ...tokens(1), retryAfter: 0 })],
      client: { ...NO_REQUEUE, retry: 'azcore' },
    }),
    1,
  );
  assert.equal([metric(b, 'retries')[0], metric(b, 'throttled')[0], requestSeries(b, 0)[0]], [3, 4, 5]);
});

test('latency 0: a reconcile whose GETs were partly accepted asks, after its retry, only for the rest', () => {
  // 20 objects at one instant against 15 tokens refilled at 1/s: 15 accepted, the 16th
  // throttled; its retry 10 s later finds 10 tokens and takes the last 5. One reconcile, 20 GETs
  // accepted, one 429.
  const b = run(
    model({
      horizon: 30,
      fleet: [group({ clusters: 1, secretSyncs: 1, objectsPerSync: 20, latency: 0, jitterSeconds: 0, rotationPollIntervalInSeconds: 1e6 })],
      vaults: [vault({ limiter: { kind: 'token-bucket', capacity: 15, refillPerSecond: 1 }, retryAfter: 10 })],
      client: { ...NO_REQUEUE, retry: 'azcore' },
    }),
    1,
  );
  assert.equal([metric(b, 'throttled')[0], metric(b, 'retries')[0], metric(b, 'ProviderError')[0], metric(b, 'UpdateValueChangeOrForceUpdateSucceeded')[0]], [1, 1, 0, 1]);
  assert.equal(sendTimes(b, 0), [...Array(16).fill(0), ...Array(5).fill(10)]);
});

test('retry storm: counted rejections keep a vault throttled without jitter; jitter breaks the loop', () => {
  // A scaled-down 2000x20 storm: 200 clusters x 5 SecretSyncs edited at once against a vault of
  // 100 tokens refilled at 10/s (1,000 GETs need 100 s of refill), azcore retries, latency on.
  const trials = scaled(5);
  const storm = (rejectedCount: boolean, jitterSeconds: number) =>
    run(
      model({
        horizon: 3600,
        fleet: [group({ clusters: 200, secretSyncs: 5, jitterSeconds, latency: { median: 0.04, p99: 0.25 } })],
        vaults: [vault({ limiter: { kind: 'token-bucket', capacity: 100, refillPerSecond: 10 }, rejectedCount })],
        client: { retry: 'azcore', requeue: { baseDelay: 0.005, maxDelay: 1000, overall: REQUEUE_OVERALL } },
      }),
      trials,
    );
  const notCounted = storm(false, 0);
  for (const c of metric(notCounted, 'convergence')) assert.ok(c < 200, `429s that do not count: converged in ${c} s`);
  const counted = storm(true, 0);
  assert.ok(metric(counted, 'convergence').every(Number.isNaN), 'counted 429s: never converges within the hour');
  for (const t of metric(counted, 'lastThrottleAt')) assert.ok(t > 1800, `still throttled after half an hour (last 429 at ${t} s)`);
  assert.ok(sum(metric(counted, 'throttled')) > 10 * sum(metric(notCounted, 'throttled')), 'ten times the 429s and more');
  const jittered = storm(true, 200);
  assert.equal(metric(jittered, 'throttled'), Array(trials).fill(0), 'jitter 200 s: no 429 at all');
  for (const c of metric(jittered, 'convergence')) assert.ok(c < 201, `jitter 200 s: converged in ${c} s`);
});

test.run();
