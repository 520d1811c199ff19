import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import { TrialCollector } from '../sim/metrics/trial-collector.js';
import { METRIC_INDEX, SCOPE_METRICS, TRIAL_METRICS } from '../sim/metrics/trial-record.js';

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

test('every count from the log, in any order, against a direct count: per second, per bin, the refresh window, per vault, unreachable, the times of the 429s', () => {
  const rng = new RandomStream('counts');
  const bin = 5;
  const [refreshStart, refreshWidth, limit] = [30, 100, 20];
  const outageEnd = 200;
  const c = new TrialCollector({ horizon: HORIZON, bin, refreshStart, refreshWidth, perSecondLimit: limit, outageEnd, vaults: 2, scopeLimits: [100, 200, 300], vaultSeries: true });
  // GETs to vault 0 or 1, one in ten into an outage (-1); then 300 single GETs answered 429.
  const sent = workload(rng).map(([t, n]): [number, number, number] => [t, rng.uniform() < 0.1 ? -1 : rng.int(2), n]);
  const throttled = Array.from({ length: 300 }, (): [number, number] => [rng.uniform() * HORIZON, rng.int(2)]).sort((a, b) => a[0] - b[0]);
  c.reset();
  for (const [t, v, n] of shuffle(sent, 'counts-order')) c.requests(t, v, n);
  for (const [t, v] of throttled) c.request(t, v, true);
  const metrics = new Float64Array(TRIAL_METRICS.length);
  const bins = c.bins;
  const series = new Uint32Array(2 * bins);
  const scopes = new Float64Array(3 * SCOPE_METRICS.length);
  const vaultSeries = new Uint32Array(2 * 2 * bins);
  c.finish(metrics, series, 0, scopes, vaultSeries);

  // The same counts, directly.
  const all = [...sent, ...throttled.map(([t, v]): [number, number, number] => [t, v, 1])];
  const perSecond = (keep: (v: number) => boolean) => {
    const out = new Array<number>(HORIZON).fill(0);
    for (const [t, v, n] of all) if (keep(v)) out[Math.floor(t)] += n;
    return out;
  };
  const fleet = perSecond(() => true);
  const sum = (keep: (v: number) => boolean) => all.reduce((a, [, v, n]) => a + (keep(v) ? n : 0), 0);
  const get = (m: keyof typeof METRIC_INDEX) => metrics[METRIC_INDEX[m]];
  assert.is(get('requests'), sum(() => true));
  assert.is(get('throttled'), throttled.length);
  assert.is(get('peakRps'), Math.max(...fleet));
  assert.is(get('throttledSeconds'), new Set(throttled.map(([t]) => Math.floor(t))).size);
  // The 429s came in time order (as the coupled driver meets them).
  assert.equal([get('firstThrottleAt'), get('lastThrottleAt')], [throttled[0][0], throttled[throttled.length - 1][0]]);
  assert.is(get('throttledAfterOutage'), throttled.filter(([t]) => t >= outageEnd).length);
  const refresh = fleet.slice(refreshStart, refreshStart + refreshWidth);
  const over = refresh.filter((n) => n > limit).length;
  assert.ok(over > 0 && over < refreshWidth, `some refresh seconds over the limit (${over})`);
  assert.equal([get('refreshSeconds'), get('refreshSecondsOver'), get('refreshOver'), get('pSecondOver')], [refreshWidth, over, 1, over / refreshWidth]);
  // Per bin: the fleet's GETs and 429s, then each vault's (as the series are laid out).
  const fleetBins = new Array<number>(2 * bins).fill(0);
  const vaultBins = new Array<number>(4 * bins).fill(0);
  for (const [t, v, n] of all) {
    const k = Math.floor(t / bin);
    fleetBins[k] += n;
    if (v >= 0) vaultBins[2 * v * bins + k] += n;
  }
  for (const [t, v] of throttled) {
    fleetBins[bins + Math.floor(t / bin)]++;
    vaultBins[(2 * v + 1) * bins + Math.floor(t / bin)]++;
  }
  assert.equal(Array.from(series), fleetBins, 'the fleet\'s series');
  assert.equal(Array.from(vaultSeries), vaultBins, 'each vault\'s series');
  // Each vault's and the subscription's GETs, 429s and busiest second: the unreachable reach none.
  const scope = (i: number, m: (typeof SCOPE_METRICS)[number]) => scopes[i * SCOPE_METRICS.length + SCOPE_METRICS.indexOf(m)];
  for (const v of [0, 1]) {
    assert.is(scope(v, 'requests'), sum((w) => w === v), `vault ${v}: requests`);
    assert.is(scope(v, 'throttled'), throttled.filter(([, w]) => w === v).length, `vault ${v}: 429s`);
    assert.is(scope(v, 'peakRps'), Math.max(...perSecond((w) => w === v)), `vault ${v}: peakRps`);
  }
  assert.ok(sum((w) => w < 0) > 0, 'some GETs reached no vault');
  assert.is(scope(2, 'requests'), sum((w) => w >= 0), 'subscription: requests');
  assert.is(scope(2, 'throttled'), throttled.length, 'subscription: 429s');
  assert.is(scope(2, 'peakRps'), Math.max(...perSecond((w) => w >= 0)), 'subscription: peakRps');
});

/** The double just below x > 0. */
function below(x: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] -= 1n;
  return f[0];
}

test('one vault, whole-second bins: the bins and the refresh window summed from the seconds count what entry by entry counts, at the edges too', () => {
  const rng = new RandomStream('seconds');
  for (const [horizon, bin, refreshStart, refreshWidth] of [[300, 1, 0, 270], [300, 7, 30, 100], [300.5, 10, 0, 500], [7, 270, 2, 1], [600, 270, 0, 270], [301, 3, 299, 5]]) {
    // GETs anywhere up to the horizon, at the horizon, and at and just below whole seconds and
    // multiples of the bin (where rounding t / bin could lift a time into the next bin).
    const sent: Array<[number, number, number]> = [[horizon, 0, 3], [0, 0, 1]];
    for (let i = 0; i < 400; i++) sent.push([rng.uniform() * horizon, rng.uniform() < 0.1 ? -1 : 0, 1 + rng.int(20)]);
    for (let k = 1; k * bin <= horizon; k++) sent.push([k * bin, 0, 1], [below(k * bin), 0, 2]);
    for (let s = 1; s <= horizon; s += 1 + rng.int(5)) sent.push([below(s), 0, 4], [s, -1, 1]);
    const c = new TrialCollector({ horizon, bin, refreshStart, refreshWidth, perSecondLimit: 30, outageEnd: NaN, vaults: 1, scopeLimits: [4000, NaN] });
    c.reset();
    for (const [t, v, n] of sent) c.requests(t, v, n);
    const metrics = new Float64Array(TRIAL_METRICS.length);
    const series = new Uint32Array(2 * c.bins);
    const scopes = new Float64Array(2 * SCOPE_METRICS.length);
    c.finish(metrics, series, 0, scopes);

    const seconds = Math.ceil(horizon);
    const perSecond = new Array<number>(seconds).fill(0);
    const reached = new Array<number>(seconds).fill(0);
    const bins = new Array<number>(2 * c.bins).fill(0);
    const window = new Array<number>(Math.ceil(Math.min(refreshWidth, horizon - refreshStart + 1))).fill(0);
    for (const [t, v, n] of sent) {
      if (Math.floor(t) < seconds) perSecond[Math.floor(t)] += n;
      if (Math.floor(t) < seconds && v >= 0) reached[Math.floor(t)] += n;
      if (Math.floor(t / bin) < c.bins) bins[Math.floor(t / bin)] += n;
      const r = Math.floor(t - refreshStart);
      if (r >= 0 && r < window.length) window[r] += n;
    }
    const at = `horizon ${horizon}, bin ${bin}, window from ${refreshStart}`;
    assert.equal(Array.from(series), bins, `${at}: the series`);
    const usable = Math.min(window.length, Math.max(0, Math.ceil(horizon - refreshStart)));
    const over = window.slice(0, usable).filter((n) => n > 30).length;
    const get = (m: keyof typeof METRIC_INDEX) => metrics[METRIC_INDEX[m]];
    assert.equal([get('refreshSeconds'), get('refreshSecondsOver')], [usable, over], `${at}: the refresh window`);
    assert.is(get('peakRps'), Math.max(...perSecond), `${at}: peakRps`);
    assert.is(get('requests'), sent.reduce((a, [, , n]) => a + n, 0), `${at}: requests`);
    const reachedAll = sent.reduce((a, [, v, n]) => a + (v >= 0 ? n : 0), 0);
    const scope = (m: (typeof SCOPE_METRICS)[number]) => scopes[SCOPE_METRICS.indexOf(m)];
    assert.equal([scope('requests'), scope('peakRps')], [reachedAll, Math.max(...reached)], `${at}: the vault's GETs`);
  }
});

test('sendsBySecond: every GET that reached a vault by its second, per vault and in all, the horizon\'s second included; asked before finish, the record is the same as without it', () => {
  const rng = new RandomStream('by-second');
  for (const [horizon, vaults] of [[300, 1], [300.5, 1], [120, 3], [7, 2]]) {
    const sent: Array<[number, number, number]> = [[horizon, 0, 3], [0, vaults - 1, 2], [horizon, -1, 1]];
    for (let i = 0; i < 500; i++) sent.push([rng.uniform() * horizon, rng.uniform() < 0.1 ? -1 : rng.int(vaults), 1 + rng.int(9)]);
    for (let s = 1; s <= horizon; s += 1 + rng.int(7)) sent.push([below(s), rng.int(vaults), 2], [s, rng.int(vaults), 1]);
    const make = () => {
      const c = new TrialCollector({ horizon, bin: 1, refreshStart: 0, refreshWidth: 1, perSecondLimit: 30, outageEnd: NaN, vaults, scopeLimits: new Array(vaults + 1).fill(4000) });
      c.reset();
      for (const [t, v, n] of sent) {
        c.requests(t, v, n);
        if (v < 0) for (let k = 0; k < n; k++) c.unavailable();
      }
      return c;
    };
    const c = make();
    const got = c.sendsBySecond();
    const slots = Math.ceil(horizon) + 1;
    const want = Array.from({ length: vaults }, () => new Array<number>(slots).fill(0));
    const total = new Array<number>(slots).fill(0);
    for (const [t, v, n] of sent) {
      if (v < 0) continue;
      want[v][Math.floor(t)] += n;
      total[Math.floor(t)] += n;
    }
    const at = `horizon ${horizon}, ${vaults} vaults`;
    assert.equal(Array.from(got.total), total, `${at}: in all`);
    for (let v = 0; v < vaults; v++) assert.equal(Array.from(got.counts[v]), want[v], `${at}: vault ${v}`);
    // The log is counted once: the record after sendsBySecond is the record of a collector never asked.
    const record = (x: TrialCollector) => {
      const metrics = new Float64Array(TRIAL_METRICS.length);
      const scopes = new Float64Array((vaults + 1) * SCOPE_METRICS.length);
      x.finish(metrics, new Uint32Array(2 * x.bins), 0, scopes);
      return [...metrics, ...scopes];
    };
    assert.equal(record(c), record(make()), `${at}: the record`);
    // Nothing may be logged once the log is counted.
    const late = make();
    late.sendsBySecond();
    late.requests(1, 0, 1);
    assert.throws(() => record(late), /logged after the log was counted/);
  }
});

test.run();
