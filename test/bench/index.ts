import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { LIMITER_SHAPES, recipeFleetModel } from '../../sim/analytic/recipe-fleet-model.js';
import { CalendarQueue } from '../../sim/engine/calendar-queue.js';
import { EventQueue } from '../../sim/engine/event-queue.js';
import { RandomStream } from '../../sim/engine/random.js';
import { METRIC_INDEX } from '../../sim/metrics/trial-record.js';
import type { ModelConfig } from '../../sim/model/config.js';
import { runTrialBatch } from '../../sim/model/run-batch.js';
import { runPoints } from '../../sim/run/run-scenario.js';
import { parseScenario } from '../../sim/scenario/load.js';

/**
 * `npm run bench`: medians measured by tinybench (one thread unless said), printed as a table
 * and written to results/bench.json, beside the targets of the performance issue. Speed
 * targets are checked here, never in timed tests.
 */
const fleet = (clusters: number, secrets: number, jitter: number, horizon: string): ModelConfig =>
  parseScenario(`name: b\nhorizon: ${horizon}\nfleet:\n  - {clusters: ${clusters}, secretSyncs: ${secrets}, jitterSeconds: ${jitter}}\n`, 'bench').points[0].model;

interface Row {
  task: string;
  medianMs: number;
  rate: string;
  target: string;
}
const rows: Row[] = [];
const requestsPerTrial = new Map<string, number>();
const describe = new Map<string, (ms: number) => Omit<Row, 'task' | 'medianMs'>>();

const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });
const addTrial = (name: string, model: ModelConfig, describeRate: (ms: number, requests: number) => Omit<Row, 'task' | 'medianMs'>) => {
  let trial = 0;
  bench.add(name, () => {
    const batch = runTrialBatch(model, 1, 0, trial, trial + 1);
    trial++;
    requestsPerTrial.set(name, batch.metrics[METRIC_INDEX.requests]);
  });
  describe.set(name, (ms) => describeRate(ms, requestsPerTrial.get(name)!));
};
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

// 1. Simulated requests per second, the SimPy baselines' scenario.
for (const [jitter, simpy] of [[270, 21_000], [0, 35_000]] as const) {
  addTrial(`2000x20, 2 h, jitter ${jitter} s: one trial`, fleet(2000, 20, jitter, '2h'), (ms, req) => ({
    rate: `${perSecond(req, ms)} simulated GETs/s`,
    target: `> 10,000,000 GETs/s per core (SimPy ${simpy.toLocaleString('en-US')} x 300)`,
  }));
}
// 2. The numpy baseline: one jittered rollout, latency 0, no retries, a token bucket.
addTrial('2000x20 rollout, jitter 270 s, latency 0, no retries', recipeFleetModel({ clusters: 2000, secretsPerCluster: 20, perSecondLimit: 400 }, 270, LIMITER_SHAPES['token-bucket']), (ms) => ({
  rate: `${perSecond(1, ms)} trials/s`,
  target: '>= 2,400 trials/s per core (numpy)',
}));
// 3. The tail-probability case: the rollout window only.
addTrial('2000x20, horizon 300 s, jitter 270 s: one trial', fleet(2000, 20, 270, '300s'), (ms) => ({
  rate: `${perSecond(1, ms)} trials/s; 38,411 trials on 2 cores in ${Math.round((38_411 * ms) / 2000)} s`,
  target: '38,411 trials (bound 1e-4) in < 120 s on 2 cores',
}));
// 4. Cost against size: clusters x secrets x horizon, four sizes.
const sizes = [
  [500, 10, '1h'],
  [1000, 20, '1h'],
  [2000, 20, '2h'],
  [4000, 25, '2h'],
] as const;
for (const [c, s, h] of sizes) {
  addTrial(`size ${c}x${s}, ${h}, jitter 270 s`, fleet(c, s, 270, h), (ms, req) => ({ rate: `${perSecond(req, ms)} simulated GETs/s`, target: 'slope ~1 (log-log)' }));
}
// 5. The event queues alone: the hold operation.
const HOLDS = 200_000;
for (const pending of [1_000, 100_000, 1_000_000]) {
  for (const kind of ['binary heap', 'calendar queue'] as const) {
    const rng = new RandomStream('hold');
    const q = kind === 'binary heap' ? new EventQueue(pending) : new CalendarQueue(400_000, 1, pending);
    for (let i = 0; i < pending; i++) q.push(rng.uniform() * 3600, i, 0);
    const name = `${kind} hold x ${HOLDS / 1000}k, ${pending.toLocaleString('en-US')} pending`;
    bench.add(name, () => {
      for (let i = 0; i < HOLDS; i++) {
        q.pop();
        q.push(q.poppedTime + rng.uniform() * 3600, q.poppedA, 0);
      }
    });
    describe.set(name, (ms) => ({ rate: `${perSecond(HOLDS, ms)} holds/s`, target: '' }));
  }
}

await bench.run();
for (const task of bench.tasks) {
  const medianMs = (task.result as { latency: { p50: number } }).latency.p50;
  rows.push({ task: task.name, medianMs: Number(medianMs.toFixed(2)), ...describe.get(task.name)!(medianMs) });
}
const sizeRows = sizes.map(([c, s, h]) => ({ work: c * s * (h === '1h' ? 1 : 2), ms: rows.find((r) => r.task.startsWith(`size ${c}x${s},`))!.medianMs }));
const slope = leastSquaresSlope(sizeRows.map((r) => Math.log(r.work)), sizeRows.map((r) => Math.log(r.ms)));
rows.push({ task: 'cost against clusters x secrets x horizon (4 sizes)', medianMs: NaN, rate: `log-log slope ${slope.toFixed(2)}`, target: 'linear: slope 1' });

// 6. Two workers against one: 240 trials of the rollout window on the pool.
const windowModel = fleet(2000, 20, 270, '300s');
const wall = async (workers: number) => {
  const t0 = performance.now();
  await runPoints([{ index: 0, model: windowModel }], 1, 240, 'bench', { workers, progress: false });
  return performance.now() - t0;
};
await wall(2); // warm-up
// Alternating runs, medians of three each: one wall-clock run is too noisy on a shared machine.
const ones: number[] = [];
const twos: number[] = [];
for (let i = 0; i < 3; i++) {
  ones.push(await wall(1));
  twos.push(await wall(2));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const one = median(ones);
const two = median(twos);
rows.push({ task: '240 trials, horizon 300 s, 1 worker vs 2 (wall, median of 3)', medianMs: Number(two.toFixed(0)), rate: `${(one / 1000).toFixed(1)} s vs ${(two / 1000).toFixed(1)} s: ${(one / two).toFixed(2)}x`, target: '>= 1.8x' });

// 7. Peak memory of one 10,000 x 50 trial (2 h), in a fresh process.
const child = spawnSync(process.execPath, [fileURLToPath(new URL('./big-trial.js', import.meta.url))], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(`big-trial failed: ${child.stderr}`);
const big = JSON.parse(child.stdout) as { ms: number; maxRssMb: number; requests: number };
rows.push({
  task: '10000x50, 2 h, jitter 7600 s: one trial (fresh process)',
  medianMs: Number(big.ms.toFixed(0)),
  rate: `peak RSS ${big.maxRssMb.toFixed(0)} MB; 100 trials on 2 cores in ${Math.round((100 * big.ms) / 2000)} s`,
  target: '< 300 MB per worker; 100 trials < 60 s',
});

console.table(rows);
mkdirSync('results', { recursive: true });
writeFileSync('results/bench.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2) + '\n');

function leastSquaresSlope(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}
