import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clopperPearson, klInterval, meanInterval, NON_NEGATIVE, quantileSorted, SHARE, wilson, Z95 } from '../sim/metrics/stats.js';
import { secondsShare } from '../sim/metrics/summary.js';

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('Wilson interval: an upper bound with zero events, z^2 / (n + z^2)', () => {
  const w = wilson(0, 1000);
  assert.is(w.mean, 0);
  assert.is(w.lo, 0);
  near(w.hi, (Z95 * Z95) / (1000 + Z95 * Z95));
  // 38,411 trials without a throttled one bound the frequency below 1e-4; 38,410 do not.
  assert.ok(wilson(0, 38411).hi < 1e-4);
  assert.ok(wilson(0, 38410).hi > 1e-4);
});

test('Wilson interval: textbook values and symmetry', () => {
  // 5 of 10: Wilson 95% = [0.2366, 0.7634] (Newcombe 1998).
  const w = wilson(5, 10);
  near(w.lo, 0.23659309, 1e-7);
  near(w.hi, 0.76340691, 1e-7);
  const a = wilson(3, 50);
  const b = wilson(47, 50);
  near(a.lo, 1 - b.hi);
  near(a.hi, 1 - b.lo);
  assert.is(wilson(50, 50).hi, 1);
  // All events or none: the bound is 1 or 0 exactly (the formula's rounding gives
  // 0.9999999999999999 at n = 10 and at a third of the n up to 100,000).
  for (let n = 1; n <= 100; n++) assert.equal([wilson(n, n).hi, wilson(0, n).lo], [1, 0], `n = ${n}`);
});

test('mean interval: mean +- t(n - 1) s / sqrt(n), NaN left out', () => {
  const iv = meanInterval([1, 2, 3, 4, NaN]);
  assert.is(iv.n, 4);
  assert.is(iv.mean, 2.5);
  // t(0.975, 3) = 3.182446305 (tables), not z = 1.96: four values say little.
  near(iv.hi - iv.mean, (3.182446305 * Math.sqrt(5 / 3)) / 2, 1e-8);
  assert.ok(Number.isNaN(meanInterval([NaN]).mean));
  assert.ok(Number.isNaN(meanInterval([4]).lo), 'no interval from one value');
});

test('no interval leaves its metric\'s range: counts and times from 0, shares within [0, 1]', () => {
  // Six trials, one throttled 10 times: the t interval's lower end would be -5.7.
  const counts = meanInterval([0, 0, 0, 0, 0, 10], NON_NEGATIVE);
  assert.is(counts.lo, 0);
  near(counts.hi, 10 / 6 + (2.570581836 * 10) / 6, 1e-6); // s = sqrt(100 / 6), t(0.975, 5)
  const share = meanInterval([1, 1, 1, 0.9], SHARE);
  assert.is(share.hi, 1);
  assert.ok(share.lo > 0.8 && share.lo < 0.975);
});

test('Clopper-Pearson: with no event the upper bound is 1 - alpha^(1/n); textbook values', () => {
  near(clopperPearson(0, 100).hi, 1 - 0.025 ** (1 / 100));
  near(clopperPearson(0, 100, 0.05).hi, 1 - 0.05 ** (1 / 100));
  // 5 of 10, 95% two-sided: [0.18709, 0.81291] (Clopper and Pearson 1934, tables).
  near(clopperPearson(5, 10).lo, 0.187086, 1e-6);
  near(clopperPearson(5, 10).hi, 0.812914, 1e-6);
  assert.equal([clopperPearson(10, 10).hi, clopperPearson(0, 10).lo], [1, 0]);
  assert.equal([clopperPearson(3, 10).mean, clopperPearson(7, 10).mean], [0.3, 0.7]);
});

test('KL interval: n KL(m, bound) = ln(1 / alpha) at each end; as the binomial with no event; never inside Clopper-Pearson', () => {
  const kl = (q: number, p: number) => (q > 0 ? q * Math.log(q / p) : 0) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - p)) : 0);
  const iv = klInterval(0.1, 200);
  near(200 * kl(0.1, iv.hi), Math.log(40), 1e-9);
  near(200 * kl(0.1, iv.lo), Math.log(40), 1e-9);
  near(klInterval(0, 500).hi, 1 - 0.025 ** (1 / 500), 1e-12);
  // Every second over in every trial (a jitter of a second or two): the mirror image.
  near(klInterval(1, 10).lo, 0.025 ** (1 / 10), 1e-12);
  assert.is(klInterval(1, 10).hi, 1);
  for (const [k, n] of [[1, 50], [7, 300], [40, 100]]) {
    const [a, b] = [klInterval(k / n, n), clopperPearson(k, n)];
    assert.ok(a.lo <= b.lo && a.hi >= b.hi, `${k}/${n}: KL [${a.lo}, ${a.hi}] contains CP [${b.lo}, ${b.hi}]`);
  }
});

test('pSecondOver\'s interval comes from the per-trial counts: correlated seconds do not narrow it', () => {
  // Ten trials of 100 refresh seconds; in one trial every second is over. Pooled, that is 100
  // of 1,000 seconds (Wilson [0.083, 0.120]); per trial, it is one trial in ten.
  const over = [100, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const seconds = Array(10).fill(100);
  const iv = secondsShare(over, seconds);
  assert.is(iv.mean, 0.1);
  assert.is(iv.n, 10);
  assert.ok(iv.lo < 0.02 && iv.hi > 0.4, `[${iv.lo}, ${iv.hi}]`);
  assert.ok(wilson(100, 1000).hi < 0.13, 'the pooled interval would claim far more');
  // Seconds that behave independently (10 of 100 in every trial): the pooled Wilson interval.
  const even = secondsShare(Array(10).fill(10), seconds);
  near(even.lo, wilson(100, 1000).lo);
  near(even.hi, wilson(100, 1000).hi);
  // No second over anywhere: the bound of a trial with any, 1 - 0.025^(1/10).
  near(secondsShare(Array(10).fill(0), seconds).hi, 1 - 0.025 ** 0.1);
});

test('pSecondOver\'s interval covers at 95%: seconds negatively correlated (p = 0.5) and rare ones (p near 1e-4)', () => {
  // Synthetic trials of 200 refresh seconds. At p = 0.5 a trial's over-seconds are a
  // hypergeometric draw (200 of 400, half over): the count varies half as much as a binomial's,
  // as a rollout's fixed GETs make it. A design effect floored at 1 covered 99.3% of 2,000
  // replicates (an interval 1.4x too wide). Near 1e-4: 3,000 trials, a trial's seconds over one
  // at a time. Coverage within 93-97.5% in 2,000 and 1,000 replicates (0.5 and 0.7% standard error).
  let state = 12345;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const coverage = (replicates: number, trials: number, draw: () => number, truth: number) => {
    let covered = 0;
    const seconds = new Float64Array(trials).fill(200);
    for (let r = 0; r < replicates; r++) {
      const over = Float64Array.from({ length: trials }, draw);
      const iv = secondsShare(over, seconds);
      if (iv.lo <= truth && truth <= iv.hi) covered++;
    }
    return covered / replicates;
  };
  const hypergeometric = () => {
    let k = 0;
    for (let i = 0, left = 200, pool = 400; i < 200; i++, pool--) if (uniform() < left / pool) (k++, left--);
    return k;
  };
  const half = coverage(2000, 50, hypergeometric, 0.5);
  assert.ok(half >= 0.93 && half <= 0.975, `p = 0.5: coverage ${half}`);
  const p = 1e-4;
  const none = (1 - p) ** 200;
  const rare = () => {
    if (uniform() < none) return 0;
    let k = 0;
    for (let i = 0; i < 200; i++) if (uniform() < p) k++;
    return Math.max(1, k);
  };
  // E[over] = P(any) E[max(1, Binomial(200, p))] = (1 - none) (200 p + none).
  const tail = coverage(1000, 3000, rare, ((1 - none) * (200 * p + none)) / 200);
  assert.ok(tail >= 0.93 && tail <= 0.975, `p near 1e-4: coverage ${tail}`);
});

test('quantiles interpolate between order statistics', () => {
  assert.is(quantileSorted([1, 2, 3, 4, 5], 0.5), 3);
  near(quantileSorted([0, 10], 0.99), 9.9);
  assert.is(quantileSorted([7], 0.99), 7);
});

test.run();
