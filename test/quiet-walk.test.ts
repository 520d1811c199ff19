import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import type { GroupConfig, Latency, ModelConfig } from '../sim/model/config.js';
import { group, metric, model, requestSeries, run, scaled, UNLIMITED, vault } from './helpers.js';

/**
 * The independent driver's fast path for quiet clusters (sim/model/wasm/walk.ts) specialises
 * the cluster model's rules for a cluster that meets no fleet event. Here random quiet fleets,
 * chosen to meet its edges (every consideration at one instant, latency 0, GETs in flight at the
 * horizon, polls every second, several objects and vaults, a steady start, a group with more
 * workers that takes the cluster model in the same trial), run on the default engine and on the
 * coupled driver, which runs the cluster model: every trial record and timeseries must be the
 * same, and (the vaults never throttle) no trial may have fallen back to the coupled driver.
 */
const rng = new RandomStream('quiet-walk');
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];

const LATENCIES: Latency[] = [0, { median: 0.05, p99: 0.5 }, { median: 2, p99: 30 }];

function randomGroup(i: number): GroupConfig {
  const latency = pick(LATENCIES);
  return group({
    name: `g${i}`,
    clusters: 1 + rng.int(6),
    secretSyncs: pick([1, 2, 7, 20, 40]),
    objectsPerSync: pick([1, 1, 3]),
    jitterSeconds: pick([0, 0.5, 10, 120]),
    rotationPollIntervalInSeconds: pick([1, 5, 30, 600]),
    latency,
    maxConcurrentReconciles: rng.uniform() < 0.2 ? 2 : 1,
    vaults: rng.uniform() < 0.3 ? ['kv', 'kv2'] : ['kv'],
  });
}

function randomFleet(): ModelConfig {
  const fleet = Array.from({ length: 1 + rng.int(3) }, (_, i) => randomGroup(i));
  // Some groups split their SecretSyncs between the two vaults (one SecretSync cannot be split).
  for (const g of fleet) if (g.vaults.length === 2 && rng.uniform() < 0.5 && g.clusters * g.secretSyncs >= 2) g.vaultShares = [0.3, 0.7];
  return model({
    horizon: pick([3, 30, 200]),
    start: rng.uniform() < 0.7 ? 'rollout' : 'steady',
    fleet,
    vaults: [UNLIMITED, vault({ ...UNLIMITED, name: 'kv2' })],
    metrics: { perSecondLimit: 400, timeseriesBin: pick([1, 7]) },
  });
}

test('random quiet fleets: the fast path gives the cluster model\'s records, trial by trial', () => {
  const fleets = scaled(60, 10);
  let sent = 0;
  for (let f = 0; f < fleets; f++) {
    const m = randomFleet();
    const batch = run(m, 3, f);
    assert.is(batch.coupled, 0, `fleet ${f} fell back to the coupled driver`);
    // Every cluster of a one-worker group took the fast path, in each trial.
    const quiet = m.fleet.reduce((n, g) => n + (g.maxConcurrentReconciles === 1 ? g.clusters : 0), 0);
    assert.is(batch.quietClusters, 3 * quiet, `fleet ${f}: clusters on the fast path`);
    if (metric(batch, 'requests').some((n) => n > 0)) sent++;
  }
  // Not a vacuous comparison: most fleets send GETs within their horizon.
  assert.ok(sent >= fleets / 2, `only ${sent} of ${fleets} fleets sent GETs`);
});

test('every consideration at one instant with latency: the start keeps SecretSync order, so each vault gets its GETs when the cluster model sends them', () => {
  // J = 0: all seven SecretSyncs of a cluster are considered at t = 0 and served one after
  // another; the first 30% (rounded) fetch from kv, the rest from kv2, so serving equal times out
  // of index order would move GETs between the vaults' seconds.
  const m = model({
    horizon: 30,
    start: 'rollout',
    fleet: [group({ clusters: 4, secretSyncs: 7, objectsPerSync: 3, jitterSeconds: 0, rotationPollIntervalInSeconds: 600, latency: { median: 2, p99: 30 }, vaults: ['kv', 'kv2'], vaultShares: [0.3, 0.7] })],
    vaults: [UNLIMITED, vault({ ...UNLIMITED, name: 'kv2' })],
    metrics: { perSecondLimit: 400, timeseriesBin: 1 },
  });
  const batch = run(m, 4, 'ties');
  assert.is(batch.coupled, 0);
  assert.is(batch.quietClusters, 16);
});

test('clusters that are one instant (the recipe\'s fleet: one SecretSync, latency 0, no poll back): the walk\'s shortcut gives the cluster model\'s records', () => {
  // The walk takes a shortcut for such a group (walk.ts's `instant`): one jitter draw and at most
  // one record a cluster. Here jitters that reach past the horizon (no record), J = 0 (no draw),
  // clusters alternating between two vaults, a poll back just past the horizon and one inside it
  // (no shortcut), and a group after it that polls back.
  for (const [jitter, horizon, poll] of [[40, 30, 600], [0, 30, 600], [10, 30, 31], [10, 30, 20]]) {
    const m = model({
      horizon,
      start: 'rollout',
      fleet: [
        // A group before it with several SecretSyncs a cluster: a cluster's first SecretSync is not its index.
        group({ name: 'before', clusters: 2, secretSyncs: 3, objectsPerSync: 1, jitterSeconds: 5, rotationPollIntervalInSeconds: 600, latency: 0 }),
        group({ name: 'instant', clusters: 9, secretSyncs: 1, objectsPerSync: 4, jitterSeconds: jitter, rotationPollIntervalInSeconds: poll, latency: 0, vaults: ['kv', 'kv2'] }),
        group({ name: 'polls', clusters: 3, secretSyncs: 1, objectsPerSync: 2, jitterSeconds: 5, rotationPollIntervalInSeconds: 7, latency: 0 }),
      ],
      vaults: [UNLIMITED, vault({ ...UNLIMITED, name: 'kv2' })],
      metrics: { perSecondLimit: 400, timeseriesBin: 1 },
    });
    const batch = run(m, 5, `instant ${jitter} ${poll}`);
    assert.is(batch.coupled, 0);
    assert.is(batch.quietClusters, 5 * 14);
    assert.ok(metric(batch, 'requests').every((n) => n > 0), `J = ${jitter}, poll ${poll}: GETs sent`);
  }
});

test('a one-instant group without jitter after one with it: each of its clusters sends at 0', () => {
  // The one-instant walk draws four clusters' jitters at once; with J = 0 every lane is 0, not
  // what the group before left there.
  const oneInstant = (name: string, jitterSeconds: number, v: string): GroupConfig =>
    group({ name, clusters: 6, secretSyncs: 1, latency: 0, jitterSeconds, rotationPollIntervalInSeconds: 1e6, vaults: [v] });
  const m = model({ horizon: 200, fleet: [oneInstant('a', 100, 'kv'), oneInstant('b', 0, 'kv2')], vaults: [UNLIMITED, vault({ ...UNLIMITED, name: 'kv2' })] });
  const b = run(m, 3);
  for (let i = 0; i < 3; i++) assert.ok(requestSeries(b, i)[0] >= 6, `trial ${i}: ${requestSeries(b, i)[0]} GETs at 0`);
});

test.run();
