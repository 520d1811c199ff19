import { Bench } from 'tinybench';
import type { EngineChoice } from '../../sim/model/config.js';
import { METRIC_INDEX, TRIAL_METRICS } from '../../sim/metrics/trial-record.js';
import { runTrialBatch } from '../../sim/model/run-batch.js';
import { TRIAL_CASES } from './trial-cases.js';

/**
 * One whole-trial benchmark in this (fresh) process, so that the JIT has seen no other case:
 * tinybench times batches of trials with the given engine; prints the median milliseconds per
 * trial, the GETs per trial and how many trials ran coupled.
 */
const name = process.argv[2];
const engine = (process.argv[3] ?? 'auto') as EngineChoice;
const spec = TRIAL_CASES[name];
if (!spec) throw new Error(`unknown bench case ${name}`);
const model = spec.model();
let next = 0;
let requests = 0;
let coupled = 0;
let trials = 0;
const bench = new Bench({ iterations: 7, time: 0, warmupIterations: 2, warmupTime: 0 });
bench.add(name, () => {
  const batch = runTrialBatch(model, 1, 0, next, next + spec.batch, engine);
  next += spec.batch;
  requests = 0;
  for (let i = 0; i < spec.batch; i++) requests += batch.metrics[i * TRIAL_METRICS.length + METRIC_INDEX.requests];
  requests /= spec.batch;
  coupled += batch.coupled;
  trials += spec.batch;
});
await bench.run();
const medianMs = (bench.tasks[0].result as { latency: { p50: number } }).latency.p50 / spec.batch;
process.stdout.write(JSON.stringify({ medianMs, requests, coupledShare: coupled / trials }));
