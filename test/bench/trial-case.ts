import { Bench } from 'tinybench';
import { METRIC_INDEX, TRIAL_METRICS } from '../../sim/metrics/trial-record.js';
import { runTrialBatch } from '../../sim/model/run-batch.js';
import { TRIAL_CASES } from './trial-cases.js';

/**
 * One whole-trial benchmark in this (fresh) process, so that the JIT has seen no other case:
 * tinybench times batches of trials; prints the median milliseconds per trial and the GETs per trial.
 */
const name = process.argv[2];
const spec = TRIAL_CASES[name];
if (!spec) throw new Error(`unknown bench case ${name}`);
const model = spec.model();
let next = 0;
let requests = 0;
const bench = new Bench({ iterations: 7, time: 0, warmupIterations: 2, warmupTime: 0 });
bench.add(name, () => {
  const batch = runTrialBatch(model, 1, 0, next, next + spec.batch);
  next += spec.batch;
  requests = 0;
  for (let i = 0; i < spec.batch; i++) requests += batch.metrics[i * TRIAL_METRICS.length + METRIC_INDEX.requests];
  requests /= spec.batch;
});
await bench.run();
const medianMs = (bench.tasks[0].result as { latency: { p50: number } }).latency.p50 / spec.batch;
process.stdout.write(JSON.stringify({ medianMs, requests }));
