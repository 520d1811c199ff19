import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import { SendLog } from '../sim/metrics/send-log.js';
import { ANY_VAULT, binsPerSecond, EVERY_SEND, WindowPeak } from '../sim/metrics/window-peak.js';

interface Entry { t: number; vault: number; count: number }

/**
 * The definition, counted directly: over every entry `chosen` keeps, the GETs of the kept
 * entries with t - 10 < time <= t (t - 10 in doubles, as the simulator computes it). The
 * selection is the test's own, not the module's codes, so a code taken for a vault shows.
 */
function bruteForce(entries: Entry[], which: Which): number {
  const keep = (v: number) => (which === EVERY ? true : which === ANY ? v >= 0 : v === which);
  const chosen = entries.filter((e) => keep(e.vault));
  let peak = 0;
  for (const end of chosen) {
    const since = end.t - 10;
    let sum = 0;
    for (const e of chosen) if (e.t > since && e.t <= end.t) sum += e.count;
    peak = Math.max(peak, sum);
  }
  return peak;
}

// The test's names for the selections, mapped to the module's codes only when calling it.
type Which = number | 'every' | 'any';
const EVERY = 'every';
const ANY = 'any';
const code = (which: Which) => (which === EVERY ? EVERY_SEND : which === ANY ? ANY_VAULT : which);

function logOf(entries: Entry[]): SendLog {
  const log = new SendLog(16);
  for (const e of entries) log.push(e.t, e.vault, e.count);
  return log;
}

/**
 * Times where the bins' reasoning could go wrong: bin edges of every width (multiples of 1/64 s
 * and of 1 s), pairs exactly 10 s apart, the largest doubles below an edge (where t - 10
 * rounds up to the edge), repeated instants, dense bursts and sparse tails.
 */
function edgyTime(rng: RandomStream, span: number): number {
  const r = rng.uniform();
  const base = Math.floor(rng.uniform() * span * 64) / 64;
  if (r < 0.2) return base;
  if (r < 0.35) return Math.floor(rng.uniform() * span);
  if (r < 0.5) return Math.max(0, base - 2 ** -40);
  if (r < 0.6) return Math.max(0, base * (1 - Number.EPSILON));
  if (r < 0.7) return 3 + rng.uniform() * 0.5; // a dense burst
  return rng.uniform() * span;
}

test('the window peak equals the direct count on random logs with edge times, ties, weights and vaults', () => {
  const rng = new RandomStream('window-peak');
  const wp = new WindowPeak();
  let cases = 0;
  for (let round = 0; round < 400; round++) {
    const span = [1, 12, 40, 300][round % 4];
    const n = 1 + rng.int(round % 5 === 0 ? 600 : 120);
    // One round in seven lies weeks into a trial, beyond the bins' reach: the sorted scan's
    // turn (5e6 + a multiple of 1/64 is still an exact double).
    const offset = round % 7 === 3 ? 5e6 : 0;
    const entries: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const t = offset + edgyTime(rng, span);
      // Vaults -1 (an outage's GET) to 3: the selectors' codes must not be taken for a vault's index.
      entries.push({ t, vault: rng.int(5) - 1, count: 1 + (rng.uniform() < 0.3 ? rng.int(20) : 0) });
      // The same instant again, and an entry exactly 10 s later.
      if (rng.uniform() < 0.1) entries.push({ t, vault: 0, count: 1 });
      if (rng.uniform() < 0.1) entries.push({ t: t + 10, vault: 1, count: 2 });
    }
    const log = logOf(entries);
    for (const which of [EVERY, ANY, 0, 1, 2, 3] as Which[]) {
      assert.is(wp.peak(log, code(which)), bruteForce(entries, which), `round ${round}, which ${which}, ${entries.length} entries`);
      cases++;
    }
  }
  assert.is(cases, 2400);
});

test('the window peak is the same for every bin width, and for the width the busy seconds choose (the collector\'s way: load, count by seconds, peaks)', () => {
  const rng = new RandomStream('window-peak-widths');
  const wp = new WindowPeak();
  const chosen = new Set<number>();
  for (let round = 0; round < 120; round++) {
    const span = [2, 12, 40, 300][round % 4];
    // Sparse, crowded (a burst of hundreds in a second) and latency-0-like (weights of 20) logs.
    const n = 1 + rng.int([40, 400, 1500][round % 3]);
    const entries: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const t = round % 5 === 1 && rng.uniform() < 0.7 ? 5 + rng.uniform() * 0.8 : edgyTime(rng, span);
      entries.push({ t, vault: rng.int(3) - 1, count: round % 3 === 2 ? 20 : 1 + rng.int(3) });
    }
    const log = logOf(entries);
    const seconds = span + 11;
    wp.load(log);
    wp.countSeconds(seconds, new Uint32Array(seconds + 1), new Uint32Array(seconds + 1));
    for (const which of [EVERY, ANY, 0] as Which[]) {
      const want = bruteForce(entries, which);
      assert.is(wp.peakOfLoaded(code(which)), want, `round ${round}, which ${which}, chosen width`);
      for (let k = 1; k <= 64; k *= 2) assert.is(wp.peakOfLoaded(code(which), k), want, `round ${round}, which ${which}, k ${k}`);
    }
    let end = 0;
    const busy = new Set<number>();
    for (const e of entries) {
      end = Math.max(end, e.t);
      busy.add(Math.floor(e.t));
    }
    chosen.add(binsPerSecond(entries.length, Math.max(1, end), busy.size));
  }
  assert.ok(chosen.size >= 3, `the rule chose ${[...chosen].join(', ')}`);
});

test('the bins\' width fitted on trial logs: k = 2, 32, 8 and 64 for the latency-0 rollout, the rollout window, the 2-h case and every trial throttling', () => {
  // (entries, latest time, busy seconds) as those trials' logs have them (docs/performance.md).
  assert.is(binsPerSecond(2000, 270, 271), 2);
  assert.is(binsPerSecond(40000, 290, 291), 32);
  assert.is(binsPerSecond(80000, 7200, 600), 8);
  assert.is(binsPerSecond(145917, 3696, 192), 64);
  // Unknown busy seconds (several vaults): about one entry a bin over the span, at most 64.
  assert.is(binsPerSecond(2000, 270, 0), 8);
  assert.is(binsPerSecond(1e6, 10, 0), 64);
  assert.is(binsPerSecond(1, 1000, 1), 1);
});

test('the window peak of a dense rollout (most bins hold entries) equals the direct count', () => {
  const rng = new RandomStream('window-peak-dense');
  const wp = new WindowPeak();
  for (let round = 0; round < 6; round++) {
    const entries: Entry[] = [];
    for (let i = 0; i < 3000; i++) entries.push({ t: rng.uniform() * (20 + round * 10), vault: 0, count: 1 + (round % 2) * 19 });
    assert.is(wp.peak(logOf(entries), EVERY_SEND), bruteForce(entries, EVERY), `round ${round}`);
  }
});

test('the window peak of bursts far denser than the bins (dozens of entries a bin, in any order) equals the direct count', () => {
  const rng = new RandomStream('window-peak-bursts');
  const wp = new WindowPeak();
  for (let round = 0; round < 4; round++) {
    const entries: Entry[] = [];
    for (let i = 0; i < 2500; i++) entries.push({ t: (round % 2) * 9.5 + rng.uniform() * 1.5, vault: 0, count: 1 + rng.int(3) });
    for (let i = 0; i < 300; i++) entries.push({ t: 10 + rng.uniform() * 12, vault: 0, count: 1 });
    assert.is(wp.peak(logOf(entries), EVERY_SEND), bruteForce(entries, EVERY), `round ${round}`);
  }
});

test('the window peak of times beyond the bins\' reach (weeks) falls back to the sorted scan, same count', () => {
  const rng = new RandomStream('window-peak-far');
  const entries: Entry[] = [];
  for (let i = 0; i < 300; i++) entries.push({ t: rng.uniform() < 0.5 ? rng.uniform() * 30 : 5e6 + rng.uniform() * 30, vault: rng.int(2), count: 1 });
  const wp = new WindowPeak();
  for (const which of [EVERY, 1] as Which[]) assert.is(wp.peak(logOf(entries), code(which)), bruteForce(entries, which));
});

test('a window far longer than the log (a long shape\'s window: capacity 5 over a refill of 1e-12/s) holds every GET; fixed windows of it too', () => {
  const rng = new RandomStream('window-peak-long');
  const entries: Entry[] = [];
  for (let i = 0; i < 50; i++) entries.push({ t: rng.uniform() * 15, vault: rng.int(2), count: 1 + rng.int(3) });
  const wp = new WindowPeak();
  const total = (v: number) => entries.filter((e) => v === EVERY_SEND || e.vault === v).reduce((a, e) => a + e.count, 0);
  wp.load(logOf(entries));
  for (const window of [5e12, 1e9]) {
    assert.is(wp.peakOfLoaded(EVERY_SEND, undefined, window), total(EVERY_SEND));
    assert.is(wp.peakOfLoaded(1, undefined, window), total(1));
    assert.is(wp.windowCountExceeds(1, 0.25 * window, window, total(1)), false);
    assert.is(wp.windowCountExceeds(1, 0.25 * window, window, total(1) - 1), true);
  }
});

test('the window peak: (t - 10, t] excludes a GET exactly 10 s before, counts one at t; an empty log is 0', () => {
  const wp = new WindowPeak();
  assert.is(wp.peak(logOf([]), EVERY_SEND), 0);
  assert.is(wp.peak(logOf([{ t: 15, vault: 0, count: 4 }, { t: 5, vault: 0, count: 3 }]), EVERY_SEND), 4);
  assert.is(wp.peak(logOf([{ t: 14.5, vault: 0, count: 4 }, { t: 5, vault: 0, count: 3 }]), EVERY_SEND), 7);
  // A log reused: a shorter second log after a longer one.
  const log = logOf([{ t: 1, vault: 0, count: 9 }, { t: 2, vault: 0, count: 9 }]);
  assert.is(wp.peak(log, EVERY_SEND), 18);
  log.clear();
  log.push(0.5, 0, 1);
  assert.is(wp.peak(log, EVERY_SEND), 1);
});

test.run();
