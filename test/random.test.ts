import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hashLabel, RandomStream, seedStream, StreamDomain, TrialStreams } from '../sim/engine/random.js';
import { TrialCollector } from '../sim/metrics/trial-collector.js';
import type { EngineChoice } from '../sim/model/config.js';
import { FleetTrial } from '../sim/model/fleet-trial.js';
import { group, model, UNLIMITED } from './helpers.js';

const draws = (r: RandomStream, n: number) => Array.from({ length: n }, () => r.uniform());

function streams(seed: number | string, trial: number, vaults = 2): TrialStreams {
  const s = new TrialStreams(seed, vaults);
  s.forTrial(trial);
  return s;
}

/** Cluster c's stream in trial `trial` (seedStream's (seed, trial, Cluster, c), as the cluster model seeds it). */
function cluster(seed: number | string, trial: number, c: number): RandomStream {
  const r = new RandomStream();
  seedStream(r, hashLabel(String(seed)), trial, StreamDomain.Cluster, c);
  return r;
}

test('a cluster\'s stream depends on (seed, trial, cluster) only, not on the fleet around it', () => {
  const a = draws(cluster(1, 5, 3), 10);
  assert.equal(a, draws(cluster('1', 5, 3), 10), 'the seed 1 and the seed "1" are one seed');
  assert.not.equal(a, draws(cluster(1, 6, 3), 10), 'another trial');
  assert.not.equal(a, draws(cluster(1, 5, 4), 10), 'another cluster');
  assert.not.equal(a, draws(cluster(2, 5, 3), 10), 'another seed');
  const s = streams(1, 5);
  const vault = draws(s.vaults[0], 10);
  assert.equal(vault, draws(streams(1, 5, 7).vaults[0], 10), 'more vaults');
  assert.not.equal(vault, draws(cluster(1, 5, 0), 10), 'vault 0 and cluster 0 have streams of their own');
  assert.not.equal(vault, draws(s.vaults[1], 10));
  s.rewindVaults();
  assert.equal(draws(s.vaults[0], 10), vault, 'rewound to the start of the trial');
});

test('neighbouring clusters\' first draws are uniform and uncorrelated (within 5 standard errors)', () => {
  // The streams of one trial differ only in the cluster id: the seeding must not leave a trace.
  const n = 100_000;
  const first = Float64Array.from({ length: n }, (_, c) => cluster(1, 0, c).uniform());
  let sum = 0;
  let cross = 0;
  const grid = new Float64Array(100);
  for (let c = 0; c < n; c++) {
    sum += first[c];
    if (c + 1 < n) {
      cross += (first[c] - 0.5) * (first[c + 1] - 0.5);
      grid[Math.floor(first[c] * 10) * 10 + Math.floor(first[c + 1] * 10)]++;
    }
  }
  assert.ok(Math.abs(sum / n - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${sum / n}`);
  const correlation = cross / (n - 1) / (1 / 12);
  assert.ok(Math.abs(correlation) < 5 / Math.sqrt(n), `correlation ${correlation}`);
  // Pairs on a 10 x 10 grid: chi-square with 99 degrees of freedom, mean 99, sd 14.
  const expected = (n - 1) / 100;
  const chi2 = grid.reduce((a, o) => a + (o - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 99 + 5 * Math.sqrt(2 * 99), `chi-square ${chi2}`);
});

test('normal draws have mean 0 and variance 1 (within 5 standard errors)', () => {
  const r = new RandomStream('normal');
  const n = 200000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
  }
  const m = s / n;
  const v = s2 / n - m * m;
  assert.ok(Math.abs(m) < 5 / Math.sqrt(n), `mean ${m}`);
  assert.ok(Math.abs(v - 1) < 5 * Math.sqrt(2 / n), `variance ${v}`);
});

test('normal draws (the ziggurat) have the standard normal CDF, tails included (within 5 standard errors)', () => {
  const r = new RandomStream('ziggurat');
  const n = 1_000_000;
  // Phi(x), from tables; -3.5 and 3.5 are beyond the ziggurat's base (3.4426), in its tail algorithm.
  const phi: Array<[number, number]> = [[-3.5, 2.326290790e-4], [-2, 0.0227501319], [-1, 0.1586552539], [0, 0.5], [0.5, 0.6914624613], [1.5, 0.9331927987], [3, 0.9986501020], [3.5, 0.9997673709]];
  const below = new Array(phi.length).fill(0);
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    for (let k = 0; k < phi.length; k++) if (x < phi[k][0]) below[k]++;
  }
  phi.forEach(([x, p], k) => {
    const se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(below[k] / n - p) < 5 * se, `P(X < ${x}) = ${below[k] / n}, expected ${p}`);
  });
});

test('the normal tail beyond the ziggurat\'s base R: its probability and its mean excess (within 5 standard errors)', () => {
  const r = new RandomStream('tail');
  const R = 3.442619855899;
  const n = 4_000_000;
  let count = 0;
  let excess = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.abs(r.normal());
    if (x > R) {
      count++;
      excess += x - R;
    }
  }
  // P(|X| > R) = 2 Q(R); E[X - R | X > R] = phi(R) / Q(R) - R, with variance 0.0583.
  const p = 5.761085123916405e-4;
  assert.ok(Math.abs(count / n - p) < 5 * Math.sqrt((p * (1 - p)) / n), `tail share ${count / n}`);
  assert.ok(Math.abs(excess / count - 0.25469720032055276) < 5 * Math.sqrt(0.0583037 / count), `mean excess ${excess / count}`);
});

test('lognormal with median m and p99 q has those quantiles', () => {
  const r = new RandomStream('lognormal');
  const mu = Math.log(0.04);
  const sigma = Math.log(0.25 / 0.04) / 2.3263478740408408;
  const n = 100000;
  const xs = Float64Array.from({ length: n }, () => r.lognormal(mu, sigma)).sort();
  // Order statistics: the share below the true quantile q is Binomial(n, q)/n; 5 standard errors.
  const below = (x: number) => xs.findIndex((v) => v >= x) / n;
  assert.ok(Math.abs(below(0.04) - 0.5) < 5 * Math.sqrt(0.25 / n));
  assert.ok(Math.abs(below(0.25) - 0.99) < 5 * Math.sqrt(0.0099 / n));
});

/** sfc32 as PractRand's RNG_engines.txt states it, written apart (unsigned arithmetic): the reference. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = (b ^ (b >>> 9)) >>> 0;
    b = (c + (c << 3)) >>> 0;
    c = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  };
}

test('known answers: the generator is sfc32 (three rounds after seeding), and the streams of given keys start where they did', () => {
  const rng = new RandomStream('kat');
  for (const [a, b, c] of [[1, 2, 3], [0xdeadbeef | 0, 0x12345678, -7], [0, 0, 0]]) {
    rng.seed(a, b, c);
    const ref = sfc32(a >>> 0, b >>> 0, c >>> 0, 1);
    for (let i = 0; i < 3; i++) ref();
    for (let i = 0; i < 50; i++) assert.is(rng.uniform() * 2 ** 32, ref(), `(${a}, ${b}, ${c}) draw ${i}`);
  }
  // The first 32 bits of four named streams (seed 1): they name every number the tool prints,
  // so a change here changes every result for a given seed (a minor version, a changelog line).
  const first = (trial: number, domain: StreamDomain, id: number) => {
    seedStream(rng, hashLabel('1'), trial, domain, id);
    return rng.uniform() * 2 ** 32;
  };
  assert.equal(
    [first(0, StreamDomain.Cluster, 0), first(7, StreamDomain.Cluster, 1999), first(3, StreamDomain.Vault, 1), first(12345, StreamDomain.Trial, 0)],
    [1632237122, 215897744, 3220504472, 2655874025],
  );
  // A stream named by a label (importance sampling's batches are): its first 32 bits, pinned.
  assert.equal([new RandomStream('1/rare/refreshOver/0').uniform() * 2 ** 32, new RandomStream('').uniform() * 2 ** 32], [1407604082, 752386586]);
});

test('the cluster model draws cluster c\'s jitter from the stream (seed, trial, Cluster, c) names, in both drivers and the walk', () => {
  // One SecretSync of one object a cluster, latency 0, a rollout: each cluster's one GET goes out
  // at its first draw, U[0, 100). The general walk (steady: a first phase, then the poll's
  // jitter), the one-instant walk and the coupled run all seed it so.
  for (const start of ['rollout', 'steady'] as const) {
    const m = model({ horizon: 1000, start, fleet: [group({ clusters: 6, secretSyncs: 1, jitterSeconds: 100, rotationPollIntervalInSeconds: 3600, latency: 0 })], vaults: [UNLIMITED] });
    for (const engine of ['auto', 'coupled'] as EngineChoice[]) {
      const fleet = new FleetTrial(m, 'streams');
      const col = new TrialCollector({ horizon: m.horizon, bin: 1, refreshStart: 0, refreshWidth: 1, perSecondLimit: 1, outageEnd: NaN, vaults: 1 });
      col.reset();
      fleet.run(4, col, engine);
      const got = Array.from(col.sends.times.subarray(0, col.sends.length)).sort((a, b) => a - b);
      const expected = Array.from({ length: 6 }, (_, c) => {
        const r = cluster('streams', 4, c);
        return start === 'rollout' ? r.uniformBelow(100) : r.stationaryResidual(3600, 100);
      }).filter((t) => t <= 1000).sort((a, b) => a - b);
      assert.ok(start === 'steady' || expected.length === 6);
      assert.equal(got, expected, `${start}, ${engine}`);
    }
  }
});

test.run();
