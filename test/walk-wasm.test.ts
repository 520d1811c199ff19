import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import { TrialCollector } from '../sim/metrics/trial-collector.js';
import type { EngineChoice, ModelConfig } from '../sim/model/config.js';
import { FleetTrial } from '../sim/model/fleet-trial.js';
import { group, model, scaled, UNLIMITED, vault } from './helpers.js';

/**
 * The quiet clusters' walk in WebAssembly (sim/model/wasm/walk.ts) against JavaScript: its
 * records, GET by GET, the cluster model's.
 */

/** A trial's GETs from the send log, as sorted "time vault count" lines (one line per GET and instant). */
function sends(m: ModelConfig, trial: number, engine: EngineChoice): { lines: string[]; trial: FleetTrial } {
  const fleet = new FleetTrial(m, 'walk');
  const col = new TrialCollector({ horizon: m.horizon, bin: 1, refreshStart: 0, refreshWidth: 1, perSecondLimit: 1, outageEnd: NaN, vaults: m.vaults.length });
  col.reset();
  fleet.run(trial, col, engine);
  const perInstant = new Map<string, number>();
  const log = col.sends;
  for (let i = 0; i < log.length; i++) {
    const key = `${log.times[i]} ${log.vaults[i]}`;
    perInstant.set(key, (perInstant.get(key) ?? 0) + log.counts[i]);
  }
  return { lines: [...perInstant].map(([k, c]) => `${k} ${c}`).sort(), trial: fleet };
}

/** The model's output's first room, in sends (cluster.ts's `fleet`). */
const FIRST_ROOM = 4096;

test('the walk sends the cluster model\'s GETs, each at the same instant to the same vault, on random quiet fleets', () => {
  const rng = new RandomStream('walk-fleets');
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  let compared = 0;
  for (let f = 0; f < scaled(40, 16); f++) {
    const m = model({
      horizon: pick([5, 60, 400]),
      start: rng.uniform() < 0.7 ? 'rollout' : 'steady',
      fleet: [group({
        clusters: 1 + rng.int(5),
        secretSyncs: pick([1, 3, 20]),
        objectsPerSync: pick([1, 2, 5]),
        jitterSeconds: pick([0, 1, 30, 270]),
        rotationPollIntervalInSeconds: pick([1, 7, 60, 3600]),
        latency: pick([0, { median: 0.04, p99: 0.25 }, { median: 3, p99: 40 }] as const),
        vaults: ['kv', 'kv2'],
        vaultShares: [0.4, 0.6],
      })],
      vaults: [UNLIMITED, vault({ ...UNLIMITED, name: 'kv2' })],
    });
    // One SecretSync cannot be split (the scenario refuses it): whole clusters round robin.
    if (m.fleet[0].clusters * m.fleet[0].secretSyncs < 2) m.fleet[0].vaultShares = null;
    const auto = sends(m, f, 'auto');
    assert.is(auto.trial.coupledTrials, 0, `fleet ${f} ran coupled`);
    assert.is(auto.trial.quietClusters, m.fleet[0].clusters, `fleet ${f}: every cluster walked`);
    assert.equal(auto.lines, sends(m, f, 'coupled').lines, `fleet ${f}`);
    compared += auto.lines.length;
  }
  assert.ok(compared > scaled(1000, 100), `only ${compared} instants compared`);
});

test('a cluster that sends more GETs than the walk\'s output first holds: the output grows, the GETs are the cluster model\'s', () => {
  // A cluster of 40 SecretSyncs of 3 objects polled every second for 200 s: over 8,000 GETs in
  // one call of the walk; two vaults, so that a vault moved wrong as the output grows shows.
  const m = model({
    horizon: 200,
    fleet: [group({ clusters: 2, secretSyncs: 40, objectsPerSync: 3, jitterSeconds: 1, rotationPollIntervalInSeconds: 1, latency: { median: 0.01, p99: 0.05 }, vaults: ['kv', 'kv2'], vaultShares: [0.5, 0.5] })],
    vaults: [UNLIMITED, vault({ ...UNLIMITED, name: 'kv2' })],
  });
  const auto = sends(m, 3, 'auto');
  const room = auto.trial.model.sendRoom;
  // Grown twice at least: the vaults and counts moved while holding records.
  assert.ok(room >= 4 * FIRST_ROOM, `the output holds ${room} records`);
  assert.equal(auto.lines, sends(m, 3, 'coupled').lines);
});

test.run();
