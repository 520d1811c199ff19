import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { CalendarQueue, EventQueue } from '../queues.js';
import { RandomStream } from '../../sim/engine/random.js';
import { runPoints } from '../../sim/run/run-scenario.js';
import { cli } from '../cli-runner.js';
import { SIZE_WORK, TRIAL_CASES } from './trial-cases.js';

/**
 * `npm run bench`: medians measured by tinybench (one thread unless said), printed as a table
 * and written to results/bench.json, beside the targets of the engine issue and whether this
 * run meets each. Speed targets are checked here, never in timed tests. Each whole-trial case
 * runs in a fresh process, as a scenario does: the JIT has seen no other case's fleet.
 */
interface Row {
  task: string;
  medianMs: number;
  rate: string;
  target: string;
  /** Whether this run meets the target ('' for rows without one). */
  met: '' | 'yes' | 'no';
}
const met = (ok: boolean): Row['met'] => (ok ? 'yes' : 'no');
const rows: Row[] = [];
const describe = new Map<string, (ms: number) => Omit<Row, 'task' | 'medianMs' | 'met'>>();
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

/** Runs test/bench/<script>.js in a fresh process and parses the JSON it prints. */
function child<T>(script: string, ...args: string[]): T {
  const run = spawnSync(process.execPath, [fileURLToPath(new URL(`./${script}.js`, import.meta.url)), ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

// 1-4. Whole trials, each case in a fresh process (batches of trials, as a worker runs them),
// with the default engine (auto) and with the coupled driver alone (the design before 0.3.0),
// interleaved over three rounds: the machine drifts, so each figure is the median of three.
const ROUNDS = 3;
type CaseRun = { medianMs: number; requests: number; coupledShare: number };
const runs = new Map<string, CaseRun[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(TRIAL_CASES)) {
    for (const engine of ['auto', 'coupled']) {
      const key = `${name}|${engine}`;
      runs.set(key, [...(runs.get(key) ?? []), child<CaseRun>('trial-case', name, engine)]);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const measured = (name: string, engine = 'auto') => {
  const r = runs.get(`${name}|${engine}`)!;
  return { ms: median(r.map((x) => x.medianMs)), requests: r[0].requests, coupledShare: r[0].coupledShare };
};
const versus = (name: string) => `coupled driver ${measured(name, 'coupled').ms.toFixed(2)} ms (x${(measured(name, 'coupled').ms / measured(name).ms).toFixed(2)})`;
const trialRow = (name: string, rate: (ms: number, requests: number) => string, target: string, meets?: (ms: number, requests: number) => boolean) => {
  const { ms, requests, coupledShare } = measured(name);
  const ran = coupledShare > 0 ? `; ${Math.round(coupledShare * 100)}% of trials ran coupled` : '';
  rows.push({ task: `${name}: one trial`, medianMs: Number(ms.toFixed(3)), rate: `${rate(ms, requests)}; ${versus(name)}${ran}`, target, met: meets ? met(meets(ms, requests)) : '' });
};
trialRow('2000x20, 2 h, jitter 270 s', (ms, req) => `${perSecond(req, ms)} simulated GETs/s`, '>= 10,000,000 GETs/s per core; a size of the slope', (ms, req) => req / (ms / 1000) >= 10_000_000);
const throttles = '2000x20, 2 h, jitter 0 s';
trialRow(throttles, (ms, req) => `${perSecond(req, ms)} simulated GETs/s`, 'every trial throttles: at most 15% slower than the coupled driver alone', (ms) => ms <= 1.15 * measured(throttles, 'coupled').ms);
trialRow('2000x20 rollout, jitter 270 s, latency 0, no retries', (ms) => `${perSecond(1, ms)} trials/s`, '>= 12,000 trials/s per core (numpy 2,400)', (ms) => 1000 / ms >= 12_000);
trialRow('2000x20, horizon 300 s, jitter 270 s', (ms) => `${perSecond(1, ms)} trials/s; 38,411 trials on 2 cores in ${Math.round((38_411 * ms) / 2000)} s`, '38,411 trials (bound 1e-4) in < 120 s on 2 cores', (ms) => (38_411 * ms) / 2000 < 120);
// The size cases not reported above (2000x20, 2 h is the SimPy case's row).
for (const name of Object.keys(SIZE_WORK)) {
  if (name.startsWith('size ')) trialRow(name, (ms, req) => `${perSecond(req, ms)} simulated GETs/s`, 'slope <= 1.05 (log-log)');
}

// The whole run, end to end: sim run --workers 1 of the numpy case's scenario, 20,000 trials
// (pool, collector, CSV files), wall clock, interleaved with the coupled driver.
const E2E_TRIALS = 20_000;
const e2e = (engine: string) => {
  const out = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', 'scenarios/recipe-fleet.yaml', '--trials', String(E2E_TRIALS), '--workers', '1', '--quiet', '--engine', engine, '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sim run failed: ${r.stderr}`);
  rmSync(out, { recursive: true, force: true });
  return performance.now() - t0;
};
const e2eAuto: number[] = [];
const e2eCoupled: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  e2eAuto.push(e2e('auto'));
  e2eCoupled.push(e2e('coupled'));
}
const e2eRate = (ms: number) => E2E_TRIALS / (ms / 1000);
rows.push({
  task: `sim run scenarios/recipe-fleet.yaml --trials ${E2E_TRIALS} --workers 1 (wall, median of ${ROUNDS})`,
  medianMs: Math.round(median(e2eAuto)),
  rate: `${perSecond(E2E_TRIALS, median(e2eAuto))} trials/s; coupled driver ${perSecond(E2E_TRIALS, median(e2eCoupled))} trials/s`,
  target: '>= 9,600 trials/s (4 x numpy)',
  met: met(e2eRate(median(e2eAuto)) >= 9600),
});

const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });
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
  rows.push({ task: task.name, medianMs: Number(medianMs.toFixed(2)), ...describe.get(task.name)!(medianMs), met: '' });
}
const sizeNames = Object.keys(SIZE_WORK);
const slopeOf = (engine: string) => leastSquaresSlope(sizeNames.map((n) => Math.log(SIZE_WORK[n])), sizeNames.map((n) => Math.log(measured(n, engine).ms)));
const slope = slopeOf('auto');
rows.push({ task: 'cost against clusters x secrets x horizon (4 sizes)', medianMs: NaN, rate: `log-log slope ${slope.toFixed(2)}; coupled driver ${slopeOf('coupled').toFixed(2)}`, target: 'linear: slope <= 1.05', met: met(slope <= 1.05) });

// 6. Two workers against one: 960 trials of the rollout window on the pool (enough that the
// pool's start-up, about 0.2 s, does not decide the ratio).
const SCALING_TRIALS = 960;
const windowModel = TRIAL_CASES['2000x20, horizon 300 s, jitter 270 s'].model();
const wall = async (workers: number) => {
  const t0 = performance.now();
  await runPoints([{ index: 0, model: windowModel }], 1, SCALING_TRIALS, 'bench', { workers, progress: false });
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
const one = median(ones);
const two = median(twos);
rows.push({ task: `${SCALING_TRIALS} trials, horizon 300 s, 1 worker vs 2 (wall, median of 3)`, medianMs: Number(two.toFixed(0)), rate: `${(one / 1000).toFixed(1)} s vs ${(two / 1000).toFixed(1)} s: ${(one / two).toFixed(2)}x`, target: '>= 1.8x', met: met(one / two >= 1.8) });

// 7. Peak memory of one 10,000 x 50 trial (2 h), in a fresh process.
const big = child<{ ms: number; maxRssMb: number; requests: number }>('big-trial');
rows.push({
  task: '10000x50, 2 h, jitter 7600 s: one trial (fresh process)',
  medianMs: Number(big.ms.toFixed(0)),
  rate: `peak RSS ${big.maxRssMb.toFixed(0)} MB; 100 trials on 2 cores in ${Math.round((100 * big.ms) / 2000)} s`,
  target: '< 300 MB per worker; 100 trials < 60 s',
  met: met(big.maxRssMb < 300 && (100 * big.ms) / 2000 < 60),
});

// 8. sim import of a generated GitOps tree of about 100,000 files (3,500 clusters, each with two
// files of SSE objects, the extension's settings and 26 Deployment files), in a fresh process:
// wall time and peak RSS.
{
  const tree = mkdtempSync(join(tmpdir(), 'sim-bench-import-'));
  const example = join(fileURLToPath(new URL('../../..', import.meta.url)), 'examples', 'gitops', 'head', 'clusters', 'eu-1');
  const files = ['payments.yaml', 'orders.yaml', 'secret-store-extension.json'].map((f) => [f, readFileSync(join(example, f), 'utf8')] as const);
  const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: web}\nspec:\n  replicas: 2\n  template: {spec: {containers: [{name: app, image: "example.azurecr.io/app:1.0"}]}}\n';
  let count = 0;
  for (let c = 0; c < 3500; c++) {
    const dir = join(tree, 'clusters', `aks-${c}`);
    mkdirSync(join(dir, 'apps'), { recursive: true });
    for (const [f, text] of files) writeFileSync(join(dir, f), text);
    for (let i = 0; i < 26; i++) writeFileSync(join(dir, 'apps', `app-${i}.yaml`), deployment);
    count += files.length + 26;
  }
  const times: number[] = [];
  let rss = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['--import', fileURLToPath(new URL('../rss-at-exit.js', import.meta.url)), cli, 'import', tree, '--out', join(tree, 'out.yaml'), '--force', '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sim import failed: ${r.stderr}`);
    times.push(performance.now() - started);
    rss = Math.max(rss, Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]) / 1024);
  }
  rmSync(tree, { recursive: true, force: true });
  const ms = median(times);
  rows.push({ task: `sim import of ${count.toLocaleString('en-US')} files (3,500 clusters; wall, median of ${ROUNDS})`, medianMs: Math.round(ms), rate: `${perSecond(count, ms)} files/s; peak RSS ${rss.toFixed(0)} MB`, target: '< 10 s, < 300 MB', met: met(ms < 10_000 && rss < 300) });
}

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
