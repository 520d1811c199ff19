import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import { TrialCollector } from '../sim/metrics/trial-collector.js';
import { METRIC_INDEX, TRIAL_METRICS } from '../sim/metrics/trial-record.js';

const HORIZON = 400;

function collector(): TrialCollector {
  return new TrialCollector({ horizon: HORIZON, bin: 10, refreshStart: 0, refreshWidth: 1, perSecondLimit: 400, outageEnd: NaN });
}

/**
 * Request instants, in time order, with the count sent at each: dense bursts, a sparse stretch,
 * a second burst whose peak counts only the part of the first still in its window, and a long
 * tail; more entries than the send log first holds. Some instants repeat (several GETs at one
 * instant, as from a latency-0 reconcile).
 */
function workload(rng: RandomStream): Array<[number, number]> {
  const times: number[] = [];
  const spread = (n: number, from: number, width: number) => {
    for (let i = 0; i < n; i++) times.push(from + rng.uniform() * width);
  };
  spread(3000, 0, 5);
  spread(700, 20, 180);
  spread(6000, 300, 2);
  spread(7000, 310.5, 0.5);
  spread(20000, 330, 70);
  times.sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const t of times) {
    out.push([t, 1 + rng.int(3)]);
    if (rng.uniform() < 0.1) out.push([t, 2]); // the same instant again
  }
  return out;
}

/** A copy of xs in a random order (Fisher-Yates, from a named stream). */
function shuffle<T>(xs: readonly T[], label: string): T[] {
  const rng = new RandomStream(label);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The largest count of requests in any (t - 10, t], t a request instant, counted directly. */
function peak10s(requests: Array<[number, number]>): number {
  let peak = 0;
  for (let i = 0; i < requests.length; i++) {
    const t = requests[i][0];
    if (i + 1 < requests.length && requests[i + 1][0] === t) continue; // the instant's last entry counts all of it
    let sum = 0;
    for (let j = i; j >= 0 && requests[j][0] > t - 10; j--) sum += requests[j][1];
    peak = Math.max(peak, sum);
  }
  return peak;
}

test('peak10s is the largest count in any trailing 10 s, whatever order the requests come in', () => {
  const requests = workload(new RandomStream('collector'));
  const c = collector();
  const metrics = new Float64Array(TRIAL_METRICS.length);
  // Shuffled, as the independent driver reports them (one cluster after another).
  c.reset();
  for (const [t, n] of shuffle(requests, 'shuffle')) c.requests(t, 0, n);
  c.finish(metrics, new Uint32Array(2 * c.bins), 0);
  assert.is(metrics[METRIC_INDEX.peak10s], peak10s(requests), 'shuffled');
  c.reset();
  for (const [t, n] of requests) {
    if (n === 1) c.request(t, 0, false);
    else c.requests(t, 0, n);
  }
  c.finish(metrics, new Uint32Array(2 * c.bins), 0);
  assert.is(metrics[METRIC_INDEX.requests], requests.reduce((a, [, n]) => a + n, 0));
  assert.is(metrics[METRIC_INDEX.peak10s], peak10s(requests));
});

test('peak10s of single GETs to one vault (every entry the same vault and count), shuffled', () => {
  const requests = workload(new RandomStream('single')).map(([t]): [number, number] => [t, 1]);
  const c = collector();
  const metrics = new Float64Array(TRIAL_METRICS.length);
  c.reset();
  for (const [t] of shuffle(requests, 'shuffle-single')) c.request(t, 0, false);
  c.finish(metrics, new Uint32Array(2 * c.bins), 0);
  assert.is(metrics[METRIC_INDEX.requests], requests.length);
  assert.is(metrics[METRIC_INDEX.peak10s], peak10s(requests));
});

test('peak10s: the trial\'s earliest GET logged second is sorted to the front', () => {
  // 0.6 then 0.5 share the sort's bucket; unsorted, the window (0.55, 10.55] would still hold
  // 0.5 and the peak would be 3. Single GETs, and counts that differ.
  for (const counts of [[1, 1, 1], [1, 2, 1]]) {
    const c = collector();
    const metrics = new Float64Array(TRIAL_METRICS.length);
    c.reset();
    [0.6, 0.5, 10.55].forEach((t, i) => c.requests(t, 0, counts[i]));
    c.finish(metrics, new Uint32Array(2 * c.bins), 0);
    assert.is(metrics[METRIC_INDEX.peak10s], counts[0] + counts[1], String(counts));
  }
});

test('peak10s: a request exactly 10 s after another no longer counts it', () => {
  const c = collector();
  c.reset();
  c.requests(1, 0, 5);
  c.requests(11, 0, 3); // (1, 11]: 5 falls out
  c.requests(11.5, 0, 1);
  c.requests(21.25, 0, 4); // (11.25, 21.25]: 1 + 4
  const metrics = new Float64Array(TRIAL_METRICS.length);
  c.finish(metrics, new Uint32Array(2 * c.bins), 0);
  assert.is(metrics[METRIC_INDEX.peak10s], 5);
  c.reset();
  c.requests(1, 0, 5);
  c.requests(10.999, 0, 3);
  c.finish(metrics, new Uint32Array(2 * c.bins), 0);
  assert.is(metrics[METRIC_INDEX.peak10s], 8, 'a reset collector starts from an empty window');
});

test.run();
