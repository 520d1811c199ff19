import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CountHistograms } from '../sim/metrics/count-histogram.js';
import { ExactSum, productError } from '../sim/metrics/exact-sum.js';
import { Moments } from '../sim/metrics/moments.js';
import { quantileSorted } from '../sim/metrics/stats.js';
import { RandomStream } from '../sim/engine/random.js';

const uniforms = (label: number) => {
  const r = new RandomStream(`exact-sum-${label}`);
  return () => r.uniform();
};

// Every term below is a multiple of 2^-SCALE and below 2^60, so its exact value is an integer
// times 2^-SCALE: BigInt arithmetic gives the exact sum, and Number(bigint) rounds it to the
// nearest double, ties to even (ECMAScript's Number value for a mathematical value).
const SCALE = 200;
const exact = (x: number): bigint => {
  if (x === 0) return 0n;
  // x = m * 2^e exactly, m an integer below 2^54 (one bit of room for log2's rounding).
  const e = Math.floor(Math.log2(Math.abs(x))) - 53;
  if (e + SCALE < 0) throw new Error(`${x}: below the test's scale`);
  return BigInt(x / 2 ** e) * 2n ** BigInt(e + SCALE);
};
const rounded = (n: bigint): number => Number(n) / 2 ** SCALE;

/** Terms of wildly mixed magnitudes and signs, with cancellations and ties. */
function terms(rand: () => number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(rand() * 4);
    const mag = 2 ** Math.floor(rand() * 100 - 50);
    const x = kind === 0 ? Math.round(rand() * 1e6) : kind === 1 ? (rand() - 0.5) * mag : kind === 2 ? 2 ** -60 : -out[Math.floor(rand() * Math.max(1, out.length))] || 1;
    out.push(x);
  }
  return out;
}

test('ExactSum: the correctly rounded exact sum (against BigInt), whatever the order and the grouping of the terms', () => {
  const rand = uniforms(7);
  for (let round = 0; round < 300; round++) {
    const xs = terms(rand, 1 + Math.floor(rand() * 60));
    const want = rounded(xs.reduce((a, x) => a + exact(x), 0n));
    const s = new ExactSum();
    for (const x of xs) s.add(x);
    assert.ok(Object.is(s.value(), want) || (s.value() === 0 && want === 0), `round ${round}: ${s.value()} vs ${want}`);
    // Shuffled, split in three parts, merged in another order, through JSON.
    const shuffled = [...xs].sort(() => rand() - 0.5);
    const cut1 = Math.floor(rand() * shuffled.length);
    const cut2 = cut1 + Math.floor(rand() * (shuffled.length - cut1));
    const parts = [shuffled.slice(0, cut1), shuffled.slice(cut1, cut2), shuffled.slice(cut2)].map((p) => {
      const part = new ExactSum();
      for (const x of p) part.add(x);
      return ExactSum.fromJSON(JSON.parse(JSON.stringify(part)) as number[]);
    });
    const merged = new ExactSum();
    for (const p of [parts[2], parts[0], parts[1]]) merged.merge(p);
    assert.is(merged.value(), s.value(), `round ${round}: merged in parts`);
  }
});

test('ExactSum: half-way cases round to even, as the exact sum says (where a plain sum does not)', () => {
  const s = new ExactSum();
  for (const x of [1, 2 ** -53, 2 ** -80]) s.add(x);
  assert.is(s.value(), 1 + 2 ** -52, 'just above half-way: up');
  const t = new ExactSum();
  for (const x of [1, 2 ** -53]) t.add(x);
  assert.is(t.value(), 1, 'exactly half-way: to even');
  const u = new ExactSum();
  for (const x of [1e16, 1, -1e16]) u.add(x);
  assert.is(u.value(), 1, 'cancellation');
  assert.is(1e16 + 1 - 1e16, 0, 'where the plain sum loses it');
  // Just below half-way, the odd neighbour's tie, and the negative mirror images: the partial
  // under the half-way point decides, and only when it has the half's sign.
  const e = 2 ** -53;
  const cases: Array<[number[], number]> = [[[1, e, -(2 ** -80)], 1], [[1 + 2 * e, e], 1 + 4 * e], [[-1, -e, -(2 ** -80)], -(1 + 2 * e)], [[-1, -e, 2 ** -80], -1], [[2 ** -80, e, 1], 1 + 2 * e]];
  for (const [terms, want] of cases) {
    const v = new ExactSum();
    for (const x of terms) v.add(x);
    assert.is(v.value(), want, terms.join(' + '));
  }
});

test('productError: a * b = fl(a * b) + productError(a, b) exactly (against BigInt), at every scale and sign', () => {
  const rng = new RandomStream('product-error');
  for (let i = 0; i < 2000; i++) {
    // a = ma 2^ea, b = mb 2^eb with 41- to 53-bit integers ma, mb: the product's low part is a multiple of 2^(ea + eb).
    const ma = Math.floor(2 ** 40 + rng.uniform() * (2 ** 53 - 2 ** 40)) * (rng.uniform() < 0.5 ? -1 : 1);
    const mb = Math.floor(2 ** 40 + rng.uniform() * (2 ** 53 - 2 ** 40)) * (rng.uniform() < 0.5 ? -1 : 1);
    const ea = Math.floor(rng.uniform() * 120) - 60;
    const eb = Math.floor(rng.uniform() * 120) - 60;
    const a = ma * 2 ** ea;
    const b = mb * 2 ** eb;
    const scale = 2 ** (ea + eb);
    const exact = BigInt(ma) * BigInt(mb);
    const hi = a * b;
    const lo = productError(a, b);
    assert.is(BigInt(hi / scale) + BigInt(lo / scale), exact, `${a} x ${b}`);
  }
});

test('Moments: the sum of squares is exact (its partials against BigInt), for fractions, large integers and small ones', () => {
  // The variance (stats.ts, momentInterval) subtracts sum x mean from it exactly: a square
  // rounded to a double would cost the interval its digits when the spread is small.
  const rng = new RandomStream('moments-squares');
  for (const [label, value, scale] of [
    ['fractions', () => 1000 + Math.floor(rng.uniform() * 2 ** 30) * 2 ** -20, 2 ** 20],
    ['integers past 2^26', () => Math.floor(2 ** 26 + rng.uniform() * 2 ** 40), 1],
    ['small integers', () => Math.floor(rng.uniform() * 2 ** 26), 1],
  ] as Array<[string, () => number, number]>) {
    const m = new Moments();
    let exact = 0n;
    for (let i = 0; i < 500; i++) {
      const v = value();
      m.add(v);
      exact += BigInt(v * scale) ** 2n;
    }
    // Every partial is a multiple of 1 / scale^2: summed as integers of that unit.
    const partials = m.toJSON()[2];
    assert.is(partials.reduce((t, p) => t + BigInt(p * scale * scale), 0n), exact, label);
  }
});

test('Moments: the same bits for any split of the values; the interval of equal values has no width', () => {
  const rand = uniforms(11);
  const xs = Array.from({ length: 500 }, () => 0.1 + rand() * 1e-3);
  const whole = new Moments();
  for (const x of xs) whole.add(x);
  const a = new Moments();
  const b = new Moments();
  xs.forEach((x, i) => (i % 3 === 0 ? a : b).add(x));
  b.merge(Moments.fromJSON(JSON.parse(JSON.stringify(a))));
  assert.equal(b.toJSON()[0], whole.toJSON()[0]);
  assert.is(b.sum.value(), whole.sum.value());
  assert.is(b.squares.value(), whole.squares.value());
  const same = new Moments();
  for (let i = 0; i < 7; i++) same.add(0.1);
  same.add(NaN);
  same.add(Infinity);
  assert.is(same.n, 7, 'NaN and Infinity left out');
});

test('CountHistograms: type-7 quantiles equal those of the sorted values; merging equals adding every trial; the file form is trimmed', () => {
  const rand = uniforms(5);
  for (let round = 0; round < 40; round++) {
    const bins = 3;
    const trials = 1 + Math.floor(rand() * 300);
    const spread = [1, 10, 5000][round % 3];
    const values = Array.from({ length: trials }, () => Array.from({ length: bins }, (_, k) => Math.floor(rand() * spread * (k + 1)) + (k === 2 ? 100000 : 0)));
    const all = new CountHistograms(bins);
    const parts = [new CountHistograms(bins), new CountHistograms(bins)];
    values.forEach((v, i) => {
      all.addTrial(v, 0);
      parts[i % 2].addTrial(v, 0);
    });
    const merged = CountHistograms.fromJSON(JSON.parse(JSON.stringify(parts[1])));
    merged.merge(parts[0]);
    for (let k = 0; k < bins; k++) {
      const sorted = values.map((v) => v[k]).sort((x, y) => x - y);
      for (const q of [0, 0.5, 0.99, 1]) {
        assert.is(all.quantile(k, q), quantileSorted(sorted, q), `round ${round}, bin ${k}, q ${q}`);
        assert.is(merged.quantile(k, q), all.quantile(k, q), `merged: round ${round}, bin ${k}, q ${q}`);
      }
      // A shard's file holds each bin from its least count to its greatest, one frequency per count.
      const [lo, ...freq] = all.toJSON().bins[k];
      assert.is(lo, sorted[0], `round ${round}, bin ${k}: from the least count`);
      assert.is(freq.length, sorted[trials - 1] - sorted[0] + 1, `round ${round}, bin ${k}: to the greatest`);
      assert.is(freq.reduce((a, b) => a + b, 0), trials);
    }
    assert.is(JSON.stringify(merged), JSON.stringify(all), `round ${round}: the same file whatever the history`);
  }
  assert.ok(Number.isNaN(new CountHistograms(1).quantile(0, 0.99)), 'no trial: NaN');
  assert.throws(() => new CountHistograms(3).merge(new CountHistograms(4)), /histograms of 4 and 3 bins/);
});

test.run();
