import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import type { FleetEventConfig } from '../sim/model/config.js';
import { FleetLayout } from '../sim/model/fleet-layout.js';
import { RotationPlan } from '../sim/model/rotation-plan.js';
import { group, mean, metric, model, NO_REQUEUE, run, UNLIMITED } from './helpers.js';

const rotation = (at: number, schedule: Extract<FleetEventConfig, { kind: 'rotation' }>['schedule'], until = Infinity, secretSyncs = 1): FleetEventConfig => ({
  kind: 'rotation',
  at,
  until,
  schedule,
  clusters: { share: 1 },
  secretSyncs,
});

test('a rotation read by the next poll: value-change status and its staleness, exactly', () => {
  // One cluster, two SecretSyncs, P = 100 s, no jitter: reconciles at 0 (the rollout, forced),
  // 100, 200, 300. A rotation at 150 of the first SecretSync's secret is read at 200: that
  // reconcile reports a value change and the secret was stale for 50 s.
  const b = run(
    model({
      horizon: 350,
      fleet: [group({ clusters: 1, secretSyncs: 2, rotationPollIntervalInSeconds: 100 })],
      vaults: [UNLIMITED],
      events: [rotation(150, { kind: 'once' })],
    }),
    1,
  );
  assert.equal(metric(b, 'UpdateValueChangeOrForceUpdateSucceeded'), [3], 'two forced at 0, one rotation read at 200');
  assert.equal(metric(b, 'UpdateNoValueChangeSucceeded'), [5]);
  assert.equal([metric(b, 'stalenessP50')[0], metric(b, 'stalenessP99')[0], metric(b, 'stalenessMax')[0]], [50, 50, 50]);
});

/** One trial of one SecretSync polled every 100 s (reads at 0, 100, 200, 300), without requeues. */
function oneSecretSync(events: FleetEventConfig[]) {
  const fleet = [group({ clusters: 1, secretSyncs: 1, rotationPollIntervalInSeconds: 100 })];
  return run(model({ horizon: 350, fleet, vaults: [UNLIMITED], client: NO_REQUEUE, events }), 1);
}

/** The vault down from 190 s for good: the read at 200 fails, and every later one. */
const DOWN_FROM_190: FleetEventConfig = { kind: 'outage', at: 190, vaults: [0], duration: 1e6, timeout: 0 };

test('enablePartialSecretSync off: a successful reconcile serves the rotation it read; a failed one serves nothing, though its first object was fetched', () => {
  // One SecretSync of two objects, each GET answered in exactly 0.1 s, polled 100 s after each
  // reconcile's end (reconciles at 0, 100.2, 200.4, 300.6), a rotation of its first object's
  // secret at 150. Without an outage the reconcile at 200.4 serves it as it ends, at 200.6:
  // stale 50.6 s, whether partial syncs are on or off.
  const setup = (partial: boolean, outage: boolean) =>
    run(
      model({
        horizon: 350,
        fleet: [group({ clusters: 1, secretSyncs: 1, objectsPerSync: 2, rotationPollIntervalInSeconds: 100, latency: { median: 0.1, p99: 0.1 }, enablePartialSecretSync: partial })],
        vaults: [UNLIMITED],
        client: NO_REQUEUE,
        events: [rotation(150, { kind: 'once' }), ...(outage ? [{ kind: 'outage', at: 200.45, vaults: [0], duration: 0.1, timeout: 0 } satisfies FleetEventConfig] : [])],
      }),
      1,
    );
  const close = (x: number, y: number) => Math.abs(x - y) < 1e-9;
  for (const partial of [true, false]) assert.ok(close(metric(setup(partial, false), 'stalenessMax')[0], 50.6), `partial ${partial}, no outage`);
  // The vault down for the second GET at 200.5: its first object fetched, its second failed. With
  // partial syncs the first object is written (PartialSync) and the rotation served; off, the
  // reconcile writes nothing (ProviderError), and as it requeues only after the horizon the
  // secret stays stale to the end.
  const on = setup(true, true);
  assert.is(metric(on, 'PartialSync')[0], 1);
  assert.ok(close(metric(on, 'stalenessMax')[0], 50.5), `served as the reconcile fails at 200.5: ${metric(on, 'stalenessMax')[0]}`);
  const off = setup(false, true);
  assert.equal([metric(off, 'ProviderError')[0], metric(off, 'stalenessMax')[0]], [1, Infinity]);
});

test('a rotation never read within the trial is stale for longer than the trial: Infinity', () => {
  const b = oneSecretSync([rotation(150, { kind: 'once' }), DOWN_FROM_190]);
  assert.equal([metric(b, 'stalenessP99')[0], metric(b, 'stalenessMax')[0]], [Infinity, Infinity]);
});

test('a GET at the very instant of a rotation reads the new value: staleness 0', () => {
  // Latency 0: the reconcile at 100 reads the rotation made at 100.
  const b = oneSecretSync([rotation(100, { kind: 'once' })]);
  assert.equal(metric(b, 'stalenessMax'), [0]);
});

test('staleness counts every rotation: each read one, and each one still unread at the horizon', () => {
  // Rotations at 10, 20, 30, 40 are read at 100 (stale 90, 80, 70, 60 s); the vault is down
  // from 190 s for good, so those at 150, 160 and 170 are never read. Seven samples: the median
  // is the fourth, 90 s (were the unread ones counted once, it would be 80 s).
  const b = oneSecretSync([...[10, 20, 30, 40, 150, 160, 170].map((at) => rotation(at, { kind: 'once' })), DOWN_FROM_190]);
  assert.equal([metric(b, 'stalenessP50')[0], metric(b, 'stalenessMax')[0]], [90, Infinity]);
});

test('rotation events in any order, and schedules that interleave: the same staleness', () => {
  // As the test above, the events listed latest first; then a rotation every 20 s from 10 to 50
  // and one at 35, listed in either order: read at 100, stale 90, 70, 65 and 50 s.
  const reversed = oneSecretSync([DOWN_FROM_190, ...[170, 160, 150, 40, 30, 20, 10].map((at) => rotation(at, { kind: 'once' }))]);
  assert.equal([metric(reversed, 'stalenessP50')[0], metric(reversed, 'stalenessMax')[0]], [90, Infinity]);
  for (const events of [[rotation(10, { kind: 'every', seconds: 20 }, 51), rotation(35, { kind: 'once' })], [rotation(35, { kind: 'once' }), rotation(10, { kind: 'every', seconds: 20 }, 51)]]) {
    const b = oneSecretSync(events);
    assert.equal([metric(b, 'stalenessP50')[0], metric(b, 'stalenessMax')[0]], [67.5, 90]);
  }
});

test('a rotation still unread at the horizon is stale only for the SecretSyncs that hold its secret', () => {
  // Two SecretSyncs, the rotated secret held by the first only: rotations at 10, 20, 30 read at
  // 100 (stale 90, 80, 70 s), one at 150 never read (the vault down from 190 s). Four samples,
  // median 85 s; were the second SecretSync counted stale at the horizon too, five: 90 s.
  const fleet = [group({ clusters: 1, secretSyncs: 2, rotationPollIntervalInSeconds: 100 })];
  const events = [...[10, 20, 30, 150].map((at) => rotation(at, { kind: 'once' })), DOWN_FROM_190];
  const b = run(model({ horizon: 350, fleet, vaults: [UNLIMITED], client: NO_REQUEUE, events }), 1);
  assert.equal([metric(b, 'stalenessP50')[0], metric(b, 'stalenessMax')[0]], [85, Infinity]);
});

test('staleness in a steady fleet: never above P + J, p50 and p99 as the renewal process says', () => {
  // Per-sync polls every X = P + U[0, J). In a stationary fleet the wait from a rotation to the
  // next read is the forward recurrence time R, with CDF F(r) = r / E[X] for r <= P and
  // (P + d - d^2 / (2J)) / E[X] for r = P + d above, E[X] = P + J/2. With P = 100, J = 30:
  // median 57.5 s, p99 = 100 + 30 (1 - sqrt(1 - 2 x 13.85 / 30)) = 121.6925 s, max below 130 s.
  const [P, J] = [100, 30];
  const trials = 40;
  const b = run(
    model({
      horizon: 1000,
      start: 'steady',
      fleet: [group({ clusters: 50, secretSyncs: 2, rotationPollIntervalInSeconds: P, jitterSeconds: J })],
      vaults: [UNLIMITED],
      events: [rotation(10, { kind: 'every', seconds: 50 }, 1000, 2)],
    }),
    trials,
  );
  for (const max of metric(b, 'stalenessMax')) assert.ok(max <= P + J && max > P + J - 5, `max staleness ${max}`);
  const near = (name: 'stalenessP50' | 'stalenessP99', exact: number) => {
    const xs = metric(b, name);
    const m = mean(xs);
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (trials - 1));
    // 4 standard errors of the mean over trials, plus the quantile estimator's bias (about
    // 1/(n f) for n samples at density f: under 0.5 s here).
    const tolerance = (4 * sd) / Math.sqrt(trials) + 0.5;
    assert.ok(Math.abs(m - exact) < tolerance, `${name}: ${m} against ${exact} +- ${tolerance}`);
  };
  near('stalenessP50', 57.5);
  near('stalenessP99', P + J * (1 - Math.sqrt(1 - (2 * 13.85) / J)));
});

test('rotation times: every is periodic up to until, rate is a Poisson process', () => {
  const layout = new FleetLayout(model());
  const periodic = new RotationPlan([rotation(10, { kind: 'every', seconds: 30 }, 100)], layout, new RandomStream('p'));
  assert.equal(Array.from(periodic.times), [10, 40, 70]);
  // Poisson: the count over [0, 1000) at rate 0.05/s is Poisson(50): mean 50, variance 50.
  const runs = 400;
  const counts = Array.from({ length: runs }, (_, i) => new RotationPlan([rotation(0, { kind: 'poisson', ratePerSecond: 0.05 }, 1000)], layout, new RandomStream(`r${i}`)).count);
  const m = mean(counts);
  assert.ok(Math.abs(m - 50) < 4 * Math.sqrt(50 / runs), `mean count ${m}`);
  const v = counts.reduce((a, c) => a + (c - m) ** 2, 0) / (runs - 1);
  assert.ok(v > 35 && v < 65, `variance ${v} (Poisson: 50)`);
});

test('which SecretSyncs hold a rotated secret: the first secretSyncs of the selected clusters', () => {
  const layout = new FleetLayout(model({ fleet: [group({ name: 'a', clusters: 2, secretSyncs: 3 }), group({ name: 'b', clusters: 2, secretSyncs: 3 })] }));
  const plan = new RotationPlan([{ ...rotation(0, { kind: 'once' }, Infinity, 2), clusters: { group: 'b' } } as FleetEventConfig], layout, new RandomStream('w'));
  const held = [0, 1, 2, 3].map((c) => [0, 1, 2].map((i) => (plan.affects(0, c, i) ? 1 : 0)));
  assert.equal(held, [[0, 0, 0], [0, 0, 0], [1, 1, 0], [1, 1, 0]]);
});

test.run();
