import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { Moments } from '../sim/metrics/moments.js';
import { PointSums } from '../sim/metrics/point-sums.js';
import { METRIC_INDEX, type TrialBatch } from '../sim/metrics/trial-record.js';
import { group, metric, model, requestSeries, sum, throttledSeries, vault } from './helpers.js';

// Two vaults that throttle (each gets 120 GETs of a rollout within 20 s, against buckets that
// pass 30 + 3/s and 40 + 4/s), so that every sum, the 429s' included, is non-zero somewhere.
const TWO_VAULTS = model({
  horizon: 120,
  fleet: [group({ clusters: 60, secretSyncs: 4, jitterSeconds: 20, vaults: ['a', 'b'], vaultShares: [0.5, 0.5] })],
  vaults: [
    vault({ name: 'a', limiter: { kind: 'token-bucket', capacity: 30, refillPerSecond: 3 } }),
    vault({ name: 'b', limiter: { kind: 'token-bucket', capacity: 40, refillPerSecond: 4 } }),
  ],
  metrics: { perSecondLimit: 10, timeseriesBin: 5 },
});
const TRIALS = 9;
const whole = runTrialBatch(TWO_VAULTS, 'point-sums', 0, 0, TRIALS);
const pieces: TrialBatch[] = [[0, 2], [2, 3], [3, 7], [7, 9]].map(([from, to]) => runTrialBatch(TWO_VAULTS, 'point-sums', 0, from, to));

test('the sums of one batch: per-bin GETs and 429s and per-vault series add the trials\' records', () => {
  const s = PointSums.ofBatches([whole]);
  assert.is(s.trials, TRIALS);
  assert.is(s.vaults, 2);
  assert.is(s.vaultSeries.length, 2 * 2 * whole.bins);
  const bins = whole.bins;
  const trials = Array.from({ length: TRIALS }, (_, j) => j);
  for (let k = 0; k < bins; k++) {
    assert.is(s.requests[k], sum(trials.map((j) => requestSeries(whole, j)[k])), `requests in bin ${k}`);
    assert.is(s.throttled[k], sum(trials.map((j) => throttledSeries(whole, j)[k])), `429s in bin ${k}`);
    // The vaults' series add up to the fleet's.
    assert.is(s.vaultSeries[k] + s.vaultSeries[2 * bins + k], s.requests[k], `vaults' requests in bin ${k}`);
    assert.is(s.vaultSeries[bins + k] + s.vaultSeries[3 * bins + k], s.throttled[k], `vaults' 429s in bin ${k}`);
  }
  assert.ok(s.throttled.some((x) => x > 0) && s.vaultSeries.subarray(bins, 2 * bins).some((x) => x > 0), 'vault a throttles');
  assert.is(s.metrics[METRIC_INDEX.requests].n, TRIALS);
  assert.is(sum(Array.from(s.requests)), sum(metric(whole, 'requests')), 'the bins hold every GET');
});

/**
 * The sums as numbers: counts and bins as kept, each exact sum as its value (the same sum can be
 * held as different partials: merged pieces keep their own).
 */
function canonical(s: PointSums): string {
  const moments = (m: Moments) => [m.n, m.sum.value(), m.squares.value()];
  return JSON.stringify({
    ...s.toJSON(),
    metrics: s.metrics.map(moments),
    share: s.share.map((x) => x.value()),
    scopes: s.scopes.map(moments),
  });
}

test('sums of any split of the trials, merged in any order, equal the sums of one batch of them all, bit for bit', () => {
  const one = canonical(PointSums.ofBatches([whole]));
  assert.is(canonical(PointSums.ofBatches(pieces)), one, 'several batches');
  for (const order of [[0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]]) {
    const merged = new PointSums(whole.bins, 2);
    for (const i of order) merged.merge(PointSums.ofBatches([pieces[i]]));
    assert.is(canonical(merged), one, `merged in the order ${order}`);
  }
  // Through JSON (a shard's file): the same sums back.
  const sums = PointSums.ofBatches(pieces);
  assert.is(canonical(PointSums.fromJSON(JSON.parse(JSON.stringify(sums)))), canonical(sums));
});

test('merging sums of another shape is refused, naming both', () => {
  const s = new PointSums(24, 2);
  assert.throws(() => s.merge(new PointSums(25, 2)), /25 bins and 2 vaults merged into 24 and 2/);
  assert.throws(() => s.merge(new PointSums(24, 1)), /24 bins and 1 vaults merged into 24 and 2/);
  s.merge(new PointSums(24, 2));
  assert.is(s.trials, 0);
});

test('one vault keeps no per-vault series; a trial without refresh seconds adds nothing to pSecondOver\'s sums', () => {
  const one = runTrialBatch(model({ horizon: 30 }), 1, 0, 0, 2);
  const s = PointSums.ofBatches([one]);
  assert.is(s.vaults, 1);
  assert.is(s.vaultSeries.length, 0);
  const share = new PointSums(1, 1);
  share.addShare(0, 0);
  share.addShare(3, 0);
  assert.is(share.shareTrials, 0);
  share.addShare(2, 5);
  share.addShare(0, 4);
  assert.is(share.shareTrials, 2);
  assert.equal(share.share.map((x) => x.value()), [2, 9, 4, 10, 41]);
});

test.run();
