import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';

const draws = (r: RandomStream, n: number) => Array.from({ length: n }, () => r.uniform());

test('a trial stream depends on (seed, point, trial) only', () => {
  assert.equal(draws(RandomStream.forTrial(1, 0, 5), 10), draws(RandomStream.forTrial(1, 0, 5), 10));
  assert.not.equal(draws(RandomStream.forTrial(1, 0, 5), 10), draws(RandomStream.forTrial(1, 0, 6), 10));
  assert.not.equal(draws(RandomStream.forTrial(1, 0, 5), 10), draws(RandomStream.forTrial(1, 1, 5), 10));
  assert.not.equal(draws(RandomStream.forTrial(1, 0, 5), 10), draws(RandomStream.forTrial(2, 0, 5), 10));
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

test.run();
