import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import { FixedWindow } from '../sim/model/limiters/fixed-window.js';
import type { Limiter } from '../sim/model/limiters/limiter.js';
import { SlidingWindow } from '../sim/model/limiters/sliding-window.js';
import { TokenBucket } from '../sim/model/limiters/token-bucket.js';
import { SendLog } from '../sim/metrics/send-log.js';
import { ANY_VAULT, WindowPeak } from '../sim/metrics/window-peak.js';

const rng = new RandomStream('limiters');

/** One request at t: accepted (and counted) or not. */
function tryAcquire(limiter: Limiter, t: number): boolean {
  if (!limiter.wouldAccept(t)) return false;
  limiter.take(t);
  return true;
}

test('token bucket: a burst offered faster than the refill gets exactly capacity + refill * t', () => {
  for (const [capacity, refill, seconds] of [[4000, 400, 10], [100, 7, 30], [1, 1, 5]] as const) {
    const b = new TokenBucket(capacity, refill);
    b.reset();
    let accepted = 0;
    // Offer a request every 1/1024 s (exact in binary) on [0, seconds].
    for (let i = 0; i <= seconds * 1024; i++) if (tryAcquire(b, i / 1024)) accepted++;
    assert.is(accepted, capacity + refill * seconds, `capacity ${capacity}, refill ${refill}`);
  }
});

test('token bucket: refills to capacity and no further; retryAfter is the time to one token', () => {
  const b = new TokenBucket(10, 2);
  b.reset();
  for (let i = 0; i < 10; i++) assert.ok(tryAcquire(b, 0));
  assert.not.ok(b.wouldAccept(0));
  assert.is(b.retryAfter(0), 0.5);
  let n = 0;
  while (tryAcquire(b, 1000)) n++;
  assert.is(n, 10, 'a long idle time does not store more than the capacity');
});

test('token bucket: rejected requests that count drive the balance negative', () => {
  const b = new TokenBucket(5, 1);
  b.reset();
  for (let i = 0; i < 5; i++) b.take(0);
  for (let i = 0; i < 10; i++) b.take(0); // ten rejected requests that count
  assert.is(b.retryAfter(0), 11, 'a debt of 10 tokens plus the one needed, at 1 per second');
  assert.not.ok(b.wouldAccept(10.9));
  assert.ok(b.wouldAccept(11));
});

test('batched requests at the edges: exactly one token, a time exactly one window old, a ring left by the trial before', () => {
  const b = new TokenBucket(1, 1);
  b.reset();
  b.takeMany(0, 1);
  assert.is(b.acceptable(0.5, 1), 0);
  assert.is(b.acceptable(1, 1), 1, 'refilled to exactly one token at t = 1');
  const w = new SlidingWindow(1, 10);
  w.reset();
  w.takeMany(0, 1);
  assert.is(w.acceptable(9.5, 1), 0);
  assert.is(w.acceptable(10, 1), 1, 'the window is (t - 10, t]: a request at 0 has left it at 10');
  assert.is(w.wouldAccept(10), true);
  // A ring of three filled at 0 by a trial, then a new trial with one request at 50: at 55 only
  // two more fit; the stale times at 0 in the ring's other slots are not this trial's.
  const ring = new SlidingWindow(3, 10);
  ring.reset();
  ring.takeMany(0, 3);
  ring.reset();
  ring.takeMany(50, 1);
  assert.is(ring.acceptable(55, 3), 2);
  assert.is(ring.acceptable(60, 3), 3, 'the request at 50 has left the window at 60');
  // More requests at once than the limit, the one stored request old: the limit, not more.
  const few = new SlidingWindow(3, 10);
  few.reset();
  few.takeMany(0, 1);
  assert.is(few.acceptable(20, 5), 3);
});

test('fixed window: the count resets at each boundary, phase included', () => {
  const w = new FixedWindow(3, 10, 4);
  w.reset(rng);
  const at = (t: number) => tryAcquire(w, t);
  // Window [-6, 4): three accepted, fourth rejected.
  assert.equal([at(0), at(1), at(2), at(3.999)], [true, true, true, false]);
  assert.is(w.retryAfter(3.999), 4 - 3.999);
  // Window [4, 14).
  assert.equal([at(4), at(5), at(13.9), at(13.95)], [true, true, true, false]);
  assert.equal([at(14), at(14), at(14), at(14)], [true, true, true, false]);
});

test('fixed window: a random phase is uniform on [0, window) and differs between trials', () => {
  const phases = new Set<number>();
  const n = 400;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = new FixedWindow(1, 10, 'random');
    w.reset(new RandomStream(`phase${i}`));
    // The first boundary after 0 is where the single slot frees up again.
    assert.ok(tryAcquire(w, 0));
    const next = w.retryAfter(0);
    assert.ok(next > 0 && next <= 10);
    phases.add(next);
    sum += next;
  }
  assert.ok(phases.size > n - 5);
  // The time to the first boundary is uniform on (0, 10]: mean 5, standard error 10 / sqrt(12 n).
  const se = 10 / Math.sqrt(12 * n);
  assert.ok(Math.abs(sum / n - 5) < 4 * se, `mean ${sum / n}`);
});

test('sliding window: never more than the limit in any window, and exactly the reference decisions', () => {
  const limit = 50;
  const window = 10;
  const w = new SlidingWindow(limit, window);
  w.reset();
  const r = new RandomStream('sliding');
  const accepted: number[] = [];
  let t = 0;
  for (let i = 0; i < 20000; i++) {
    t += r.exponential(20); // 20 per second against 5 per second allowed: mostly full
    if (r.uniform() < 0.1) t = Math.ceil(t); // some requests on exact window edges
    // Reference: count the accepted requests in (t - window, t] by brute force.
    let inWindow = 0;
    for (let j = accepted.length - 1; j >= 0 && accepted[j] > t - window; j--) inWindow++;
    const expected = inWindow < limit;
    assert.is(tryAcquire(w, t), expected, `request ${i} at ${t}`);
    if (expected) accepted.push(t);
  }
  // Every window (x - window, x] ending at an accepted time holds at most `limit`.
  let lo = 0;
  for (let hi = 0; hi < accepted.length; hi++) {
    while (accepted[lo] <= accepted[hi] - window) lo++;
    assert.ok(hi - lo + 1 <= limit);
  }
  assert.ok(accepted.length > 0.9 * (t / window) * limit, 'it does accept up to the limit');
});

test('sliding window: retryAfter is when the oldest counted request leaves the window', () => {
  const w = new SlidingWindow(2, 10);
  w.reset();
  assert.ok(tryAcquire(w, 1));
  assert.ok(tryAcquire(w, 3));
  assert.not.ok(w.wouldAccept(5));
  assert.is(w.retryAfter(5), 6);
  assert.ok(tryAcquire(w, 11));
});

test('batched requests: acceptable + takeMany decide exactly as one request after another', () => {
  const make = () => [new TokenBucket(50, 7.3), new FixedWindow(40, 3, 0.7), new SlidingWindow(30, 2.5)];
  const stream = new RandomStream('batches');
  const one = make();
  const many = make();
  let t = 0;
  for (let step = 0; step < 3000; step++) {
    t += stream.uniform() < 0.3 ? 0 : stream.exponential(4);
    const n = 1 + stream.int(25);
    for (let l = 0; l < one.length; l++) {
      let accepted = 0;
      while (accepted < n && one[l].wouldAccept(t)) {
        one[l].take(t);
        accepted++;
      }
      const k = many[l].acceptable(t, n);
      assert.is(k, accepted, `limiter ${l}, step ${step}`);
      many[l].takeMany(t, k);
    }
  }
});

/**
 * surelyAcceptsAll is the independent driver's quick vault test: whenever it says yes for some
 * counts per second, every arrival sequence with those counts must be accepted in full. The
 * arrivals here are pushed to the bins' edges (the worst case) or spread at random; the counts
 * sit near each limit, so that both answers occur, and a limit of exactly one bin is checked
 * at the boundary.
 */
test('surelyAcceptsAll never says yes to counts some arrival sequence would see rejected', () => {
  const shapes = {
    'token bucket': () => new TokenBucket(50, 5),
    'fixed window': () => new FixedWindow(50, 10, 'random'),
    'sliding window': () => new SlidingWindow(50, 10),
  };
  const r = new RandomStream('surely');
  for (const [name, make] of Object.entries(shapes)) {
    let yes = 0;
    let rejectedWhenUnsure = 0;
    for (let k = 0; k < 400; k++) {
      const counts = new Uint32Array(30);
      const level = 2 + r.int(11);
      for (let b = 0; b < counts.length; b++) counts[b] = r.int(level) + (r.uniform() < 0.05 ? r.int(40) : 0);
      const times: number[] = [];
      const edges = r.uniform() < 0.5;
      counts.forEach((n, b) => {
        for (let i = 0; i < n; i++) times.push(edges ? (r.uniform() < 0.5 ? b : b + 1 - 1e-9) : b + r.uniform());
      });
      times.sort((x, y) => x - y);
      const limiter = make();
      limiter.reset(r);
      const accepted = times.every((t) => tryAcquire(limiter, t));
      const sure = limiter.surelyAcceptsAll(counts, 1);
      if (sure) {
        yes++;
        assert.ok(accepted, `${name}: sure of ${counts.join(' ')}, yet a request was rejected`);
      } else if (!accepted) {
        rejectedWhenUnsure++;
      }
    }
    assert.ok(yes > 40 && rejectedWhenUnsure > 40, `${name}: ${yes} sure, ${rejectedWhenUnsure} rejected: both answers must occur`);
  }
  const one = (n: number) => Uint32Array.from([n]);
  assert.ok(new TokenBucket(50, 5).surelyAcceptsAll(one(49), 1), 'a token of margin');
  assert.not.ok(new TokenBucket(50, 5).surelyAcceptsAll(one(51), 1));
  assert.ok(new SlidingWindow(50, 10).surelyAcceptsAll(one(50), 1));
  assert.not.ok(new SlidingWindow(50, 10).surelyAcceptsAll(one(51), 1));
});


/**
 * rejectsAnyOf (the limiter shapes' check without a replay) against the limiter itself: the
 * log's GETs, every one accepted, replayed in time order through acceptable/take must meet a
 * rejection exactly when rejectsAnyOf says so. Logs near the limit, unsorted, with ties, GETs
 * exactly one window apart and at window edges, several GETs at an instant, two vaults (one
 * selected; ANY_VAULT), windows that are and are not a whole number of the peak's bins.
 */
test('rejectsAnyOf decides exactly as a replay through the limiter would', () => {
  const r = new RandomStream('rejects');
  const peaks = new WindowPeak();
  const shapes = [
    (w: number) => new SlidingWindow(40, w),
    (w: number) => new FixedWindow(40, w, 'random'),
    (w: number) => new FixedWindow(40, w, 0),
  ];
  const answers = [0, 0];
  for (let k = 0; k < 600; k++) {
    const window = [10, 2.5, 7.3, 0.1][k % 4];
    const log = new SendLog();
    const entries: Array<[number, number, number]> = [];
    const rate = (35 + r.int(15)) / window;
    for (let t = r.exponential(rate); t < 6 * window; t += r.uniform() < 0.2 ? 0 : r.exponential(rate)) {
      // Some GETs exactly a window after an earlier one, or on a window's edge.
      const time = r.uniform() < 0.1 && entries.length > 0 ? entries[r.int(entries.length)][0] + window : r.uniform() < 0.05 ? Math.ceil(t / window) * window : t;
      entries.push([time, r.uniform() < 0.1 ? -1 : r.int(2), 1 + (r.uniform() < 0.1 ? r.int(4) : 0)]);
    }
    for (const [t, v, n] of entries) log.push(t, v, n);
    const inOrder = [...entries].sort((a, b) => a[0] - b[0]);
    for (const which of [0, ANY_VAULT]) {
      for (const make of shapes) {
        const limiter = make(window);
        const phase = new RandomStream(`phase ${k}`);
        limiter.reset(phase);
        let rejected = false;
        for (const [t, v, n] of inOrder) {
          if (which === ANY_VAULT ? v < 0 : v !== which) continue;
          if (limiter.acceptable(t, n) < n) {
            rejected = true;
            break;
          }
          limiter.takeMany(t, n);
        }
        limiter.reset(new RandomStream(`phase ${k}`));
        peaks.load(log);
        const said = limiter.rejectsAnyOf!(which, peaks);
        assert.is(said, rejected, `log ${k}, window ${window}, ${limiter.constructor.name}, which ${which}`);
        answers[rejected ? 1 : 0]++;
      }
    }
  }
  assert.ok(answers[0] > 300 && answers[1] > 300, `${answers}: both answers must occur`);
});

test.run();
