import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ModelConfig } from '../sim/model/config.js';
import { binomialTailAbove, group, NO_REQUEUE, mean, metric, model, requestSeries, run, scaled, sum, throttledSeries, UNLIMITED, vault } from './helpers.js';

/** |observed - expected| within 4 standard errors of a proportion estimated from `n` samples. */
function close(observed: number, expected: number, n: number, what: string): void {
  const se = Math.sqrt(Math.max(expected * (1 - expected), 1e-12) / n);
  assert.ok(Math.abs(observed - expected) <= 4 * se, `${what}: observed ${observed}, exact ${expected}, 4 se = ${4 * se}`);
}

/** Pooled share of refresh-window seconds over the limit, across the batch. */
function pooledSecondOver(b: ReturnType<typeof run>): number {
  return sum(metric(b, 'refreshSecondsOver')) / sum(metric(b, 'refreshSeconds'));
}

test('pSecondOver matches the exact binomial when a cluster fetches its S secrets at one instant', () => {
  // One SecretSync of S objects per cluster, latency 0: each cluster's S GETs land in one
  // second, drawn uniformly from the J seconds: the count of clusters in a second is
  // Binomial(C, 1/J) and a second is over 400 when that count exceeds floor(400 / S).
  for (const [C, S, J] of [[300, 20, 20], [700, 30, 30], [120, 10, 4]] as const) {
    const trials = scaled(600, 10);
    const b = run(model({ horizon: J + 5, fleet: [group({ clusters: C, secretSyncs: 1, objectsPerSync: S, jitterSeconds: J })], vaults: [UNLIMITED] }), trials);
    const exact = binomialTailAbove(C, 1 / J, Math.floor(400 / S));
    // Seconds of one trial are correlated; the variance of the pooled share is at most that of
    // one second per trial, so the standard error uses n = trials (conservative).
    close(pooledSecondOver(b), exact, trials, `C=${C} S=${S} J=${J}`);
    assert.equal(metric(b, 'refreshSeconds'), Array(trials).fill(J));
    assert.equal(metric(b, 'requests'), Array(trials).fill(C * S), 'each object fetched once');
  }
});

test('pSecondOver with per-sync jitter is the binomial over every GET', () => {
  // S SecretSyncs per cluster, each with its own U[0, J) delay: a second's count is Binomial(C*S, 1/J).
  const [C, S, J] = [100, 20, 5];
  const trials = scaled(600, 10);
  const b = run(model({ horizon: 10, fleet: [group({ clusters: C, secretSyncs: S, jitterSeconds: J })], vaults: [UNLIMITED] }), trials);
  close(pooledSecondOver(b), binomialTailAbove(C * S, 1 / J, 400), trials, 'per-sync');
});

test('a burst at one instant: the token bucket admits exactly its capacity', () => {
  const b = run(
    model({
      horizon: 10,
      fleet: [group({ clusters: 250, secretSyncs: 20 })],
      client: NO_REQUEUE,
    }),
    3,
  );
  assert.equal(metric(b, 'requests'), [5000, 5000, 5000]);
  assert.equal(metric(b, 'throttled'), [1000, 1000, 1000]);
  assert.equal(metric(b, 'ProviderError'), [1000, 1000, 1000]);
  assert.equal(metric(b, 'firstThrottleAt'), [0, 0, 0]);
  assert.equal(metric(b, 'throttledSeconds'), [1, 1, 1]);
  assert.equal(metric(b, 'peakRps'), [5000, 5000, 5000]);
});

test('the subscription limiter binds across vaults: a request needs both', () => {
  const twoVaults = (subscription: ModelConfig['subscription'], trials: number) =>
    run(
      model({
        horizon: 10,
        fleet: [group({ clusters: 500, secretSyncs: 10, vaults: ['a', 'b'] })],
        vaults: [vault({ name: 'a' }), vault({ name: 'b' })],
        subscription,
        client: NO_REQUEUE,
      }),
      trials,
    );
  // 2,500 GETs per vault (round robin), each vault would take 4,000; the subscription takes 4,500.
  assert.equal(metric(twoVaults({ kind: 'token-bucket', capacity: 4500, refillPerSecond: 1e-9 }, 2), 'throttled'), [500, 500]);
  assert.equal(metric(twoVaults(null, 1), 'throttled'), [0], 'without a subscription cap both vaults cope');
});

test('failed reconciles requeue with the doubling backoff: attempts at 0.005 * (2^n - 1) s', () => {
  // The only token goes to the first SecretSync; the second fails at 0, 5 ms, 15 ms, 35 ms, ...
  // up to 5.115 s within a 10 s horizon: 11 attempts.
  const b = run(
    model({
      horizon: 10,
      fleet: [group({ clusters: 1, secretSyncs: 2 })],
      vaults: [vault({ limiter: { kind: 'token-bucket', capacity: 1, refillPerSecond: 1e-12 } })],
    }),
    1,
  );
  assert.equal(metric(b, 'requests'), [12]);
  assert.equal(metric(b, 'throttled'), [11]);
  assert.equal(metric(b, 'requeues'), [11]);
  assert.equal(metric(b, 'ProviderError'), [11]);
  assert.equal(metric(b, 'amplification'), [6], '12 requests for 2 needed fetches');
  assert.ok(Number.isNaN(metric(b, 'convergence')[0]), 'never converges');
});

test('one worker per cluster fetches SecretSyncs and their objects one after another', () => {
  const oneSecond = { median: 1, p99: 1 }; // constant 1 s latency
  const serial = run(model({ horizon: 20, fleet: [group({ clusters: 1, secretSyncs: 3, objectsPerSync: 2, latency: oneSecond })], vaults: [UNLIMITED] }), 1);
  assert.equal(requestSeries(serial, 0).slice(0, 8), [1, 1, 1, 1, 1, 1, 0, 0]);
  assert.equal(metric(serial, 'convergence'), [6]);
  const parallel = run(
    model({ horizon: 20, fleet: [group({ clusters: 1, secretSyncs: 3, objectsPerSync: 2, maxConcurrentReconciles: 3, latency: oneSecond })], vaults: [UNLIMITED] }),
    1,
  );
  assert.equal(requestSeries(parallel, 0).slice(0, 4), [3, 3, 0, 0]);
  assert.equal(metric(parallel, 'convergence'), [2]);
});

test('a SecretSync considered while it runs is reconciled once more, never queued twice', () => {
  const oneSecond = { median: 1, p99: 1 };
  const b = run(
    model({
      horizon: 20,
      start: 'steady',
      fleet: [group({ clusters: 4, secretSyncs: 1, rotationPollIntervalInSeconds: 1e9, latency: oneSecond })],
      vaults: [UNLIMITED],
      events: [
        { kind: 'rollout', at: 2, clusters: { share: 1 }, waves: 1, over: 0 },
        { kind: 'rollout', at: 2.5, clusters: { share: 1 }, waves: 1, over: 0 },
        { kind: 'rollout', at: 2.6, clusters: { share: 1 }, waves: 1, over: 0 },
      ],
    }),
    1,
  );
  // First edit at 2 runs 2..3; the edits at 2.5 and 2.6 mark it dirty once: one more run at 3.
  assert.equal(requestSeries(b, 0).slice(0, 5), [0, 0, 4, 4, 0]);
  assert.equal(metric(b, 'UpdateValueChangeOrForceUpdateSucceeded'), [8]);
});

test('every SecretSync of a rollout converges, even one that was mid-reconcile when edited', () => {
  const b = run(
    model({
      horizon: 400,
      start: 'steady',
      fleet: [group({ clusters: 200, secretSyncs: 10, rotationPollIntervalInSeconds: 20, jitterSeconds: 30, latency: { median: 1, p99: 1 } })],
      vaults: [UNLIMITED],
      events: [{ kind: 'rollout', at: 100, clusters: { share: 1 }, waves: 1, over: 0 }],
    }),
    20,
  );
  // Jitter below 30 s, then at most 10 SecretSyncs of 1 s ahead in the queue, one of them
  // possibly a run that started before the edit: done within 42 s.
  for (const c of metric(b, 'convergence')) assert.ok(c > 25 && c <= 42, `converged in ${c}`);
});

test('rollout waves and restarts touch the clusters they name, when they say', () => {
  const b = run(
    model({
      horizon: 200,
      start: 'steady',
      fleet: [group({ name: 'a', clusters: 8, secretSyncs: 3, rotationPollIntervalInSeconds: 1e9 }), group({ name: 'b', clusters: 6, secretSyncs: 2, rotationPollIntervalInSeconds: 1e9 })],
      vaults: [UNLIMITED],
      events: [
        { kind: 'rollout', at: 100, clusters: { group: 'a' }, waves: 4, over: 40 },
        { kind: 'restart', at: 50, clusters: { share: 0.5 } },
        { kind: 'restart', at: 150, clusters: { group: 'b' } },
      ],
    }),
    5,
  );
  for (let trial = 0; trial < 5; trial++) {
    const s = requestSeries(b, trial);
    assert.equal([s[100], s[110], s[120], s[130]], [6, 6, 6, 6], 'two clusters x 3 SecretSyncs per wave');
    assert.equal(s[150], 12, 'group b restarted');
    assert.ok(s[50] >= 7 * 2 && s[50] <= 7 * 3, 'half the 14 clusters restarted');
    assert.is(sum(s), s[50] + 24 + 12);
  }
  assert.equal(metric(b, 'convergence'), Array(5).fill(30), 'the last wave at 130 s converges at once');
});

test('cluster-ticker: a tick enqueues all of a cluster\'s SecretSyncs together, every P', () => {
  const b = run(
    model({
      horizon: 300,
      start: 'steady',
      fleet: [group({ clusters: 1, secretSyncs: 5, rotationPollIntervalInSeconds: 100, scheduling: 'cluster-ticker' })],
      vaults: [UNLIMITED],
    }),
    30,
  );
  const phases: number[] = [];
  for (let trial = 0; trial < 30; trial++) {
    const s = requestSeries(b, trial);
    const busy = s.flatMap((n, t) => (n > 0 ? [t] : []));
    assert.equal(busy.map((t) => s[t]), [5, 5, 5], 'three ticks of five GETs in 300 s');
    assert.equal([busy[1] - busy[0], busy[2] - busy[1]], [100, 100]);
    phases.push(busy[0]);
  }
  assert.ok(new Set(phases).size > 15, 'the phase is random per cluster');
});

test('cluster-ticker: each SecretSync waits its own jitter after the tick, never before it', () => {
  // Ticks at a phase U[0, P), each SecretSync's GET a U[0, J) later, P = 100, J = 50. Within a
  // horizon of 80 s a GET goes out with probability P(U[0,100) + U[0,50) < 80) = (30 + 25) / 100
  // = 0.55 (with the jitter subtracted it would be 0.71): 2 clusters x 5 SecretSyncs, 5.5 GETs.
  const trials = scaled(400, 40);
  const b = run(
    model({
      horizon: 80,
      start: 'steady',
      fleet: [group({ clusters: 2, secretSyncs: 5, rotationPollIntervalInSeconds: 100, jitterSeconds: 50, scheduling: 'cluster-ticker' })],
      vaults: [UNLIMITED],
    }),
    trials,
  );
  const counts = metric(b, 'requests');
  const m = mean(counts);
  const sd = Math.sqrt(counts.reduce((a, x) => a + (x - m) ** 2, 0) / (trials - 1));
  assert.ok(Math.abs(m - 5.5) < (5 * sd) / Math.sqrt(trials), `${m} GETs per trial, exact 5.5`);
});

test('convergence is timed from the initial rollout, or with a steady start from the first rollout event', () => {
  // Latency 0, no jitter: every reconcile is instant, so the rollout tracked converges at once.
  // A later rollout must not take its place, nor an event of another kind before it.
  const fleet = [group({ clusters: 2, secretSyncs: 2, rotationPollIntervalInSeconds: 1e6, jitterSeconds: 0 })];
  const later = { kind: 'rollout', at: 50, clusters: { share: 1 }, waves: 2, over: 20 } as const;
  const restart = { kind: 'restart', at: 10, clusters: { share: 1 } } as const;
  const fromStart = run(model({ horizon: 100, fleet, vaults: [UNLIMITED], events: [restart, later] }), 1);
  assert.equal(metric(fromStart, 'convergence'), [0], 'the initial rollout at 0');
  const steady = run(model({ horizon: 100, start: 'steady', fleet, vaults: [UNLIMITED], events: [restart, later] }), 1);
  assert.equal(metric(steady, 'convergence'), [10], 'the rollout event at 50, whose second wave starts at 60');
});

test('enablePartialSecretSync: on, a reconcile fetches every object; off, it stops at the first failure', () => {
  const setup = (partial: boolean) =>
    run(
      model({
        horizon: 10,
        fleet: [group({ clusters: 1, secretSyncs: 1, objectsPerSync: 4, enablePartialSecretSync: partial })],
        vaults: [vault({ limiter: { kind: 'token-bucket', capacity: 2, refillPerSecond: 1e-9 } })],
        client: NO_REQUEUE,
      }),
      1,
    );
  const partial = setup(true);
  assert.equal([metric(partial, 'requests')[0], metric(partial, 'throttled')[0], metric(partial, 'PartialSync')[0], metric(partial, 'ProviderError')[0]], [4, 2, 1, 0]);
  const failFast = setup(false);
  assert.equal([metric(failFast, 'requests')[0], metric(failFast, 'throttled')[0], metric(failFast, 'PartialSync')[0], metric(failFast, 'ProviderError')[0]], [3, 1, 0, 1]);
});

test('start: steady gives a uniform request rate from t = 0 (no spike)', () => {
  const [C, S, P, J] = [200, 10, 600, 120];
  const trials = scaled(200, 4);
  const b = run(
    model({
      horizon: 1200,
      start: 'steady',
      fleet: [group({ clusters: C, secretSyncs: S, rotationPollIntervalInSeconds: P, jitterSeconds: J })],
      vaults: [UNLIMITED],
      metrics: { perSecondLimit: 400, timeseriesBin: 60 },
    }),
    trials,
  );
  // Each SecretSync polls once per P + U[0, J): C*S*60/(P + J/2) GETs per minute on average.
  const expected = (C * S * 60) / (P + J / 2);
  // A SecretSync fetches at most once in a 60 s bin: variance per trial <= expected.
  const tolerance = 5 * Math.sqrt(expected / trials);
  for (let k = 0; k < b.bins; k++) {
    const perTrial = Array.from({ length: trials }, (_, i) => requestSeries(b, i)[k]);
    const m = mean(perTrial);
    assert.ok(Math.abs(m - expected) < tolerance, `bin ${k}: ${m} GETs/min against ${expected} +- ${tolerance}`);
  }
});

test('a burst in the last second of the horizon is throttled, and both drivers see it', () => {
  // Ten SecretSyncs edited at 59.5 s of a 60-s trial against a bucket of 5 tokens: 5 429s. The
  // independent driver's per-second test must count that last second too (run() compares it
  // with the coupled driver).
  const b = run(
    model({
      horizon: 60,
      fleet: [group({ clusters: 10, secretSyncs: 1, rotationPollIntervalInSeconds: 1e9 })],
      vaults: [vault({ limiter: { kind: 'token-bucket', capacity: 5, refillPerSecond: 0.01 } })],
      client: NO_REQUEUE,
      start: 'steady',
      events: [{ kind: 'rollout', at: 59.5, clusters: { share: 1 }, waves: 1, over: 0 }],
    }),
    1,
  );
  assert.equal(metric(b, 'throttled'), [5]);
});

test('background load counts against the vault', () => {
  const base = {
    horizon: 70,
    start: 'steady' as const,
    fleet: [group({ clusters: 10, secretSyncs: 1, rotationPollIntervalInSeconds: 1e9 })],
    events: [{ kind: 'rollout' as const, at: 60, clusters: { share: 1 }, waves: 1, over: 0 }],
    client: NO_REQUEUE,
  };
  const limiter = { kind: 'token-bucket' as const, capacity: 100, refillPerSecond: 5 };
  const quiet = run(model({ ...base, vaults: [vault({ limiter })] }), 20);
  const busy = run(model({ ...base, vaults: [vault({ limiter, background: { ratePerSecond: 50 } })] }), 20);
  assert.equal(metric(quiet, 'throttled'), Array(20).fill(0));
  // After 60 s at 50/s against a refill of 5/s the bucket is empty: nearly all 10 GETs fail.
  assert.ok(mean(metric(busy, 'throttled')) > 8);
  assert.is(sum(throttledSeries(busy, 0).slice(0, 60)), 0, 'background 429s are not fleet 429s');
});

test.run();
