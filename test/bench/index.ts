import { mkdirSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { EventQueue } from '../../sim/engine/event-queue.js';
import { RandomStream } from '../../sim/engine/random.js';
import { runTrialBatch } from '../../sim/model/run-batch.js';
import { METRIC_INDEX } from '../../sim/metrics/trial-record.js';
import { parseScenario } from '../../sim/scenario/load.js';

/**
 * `npm run bench`: medians measured by tinybench, printed as a table and written to
 * results/bench.json. Speed targets are checked here, never in timed tests.
 */
const fleet = (jitter: number) =>
  parseScenario(`name: b\nhorizon: 2h\nfleet:\n  - {clusters: 2000, secretSyncs: 20, jitterSeconds: ${jitter}}\n`, 'bench').points[0].model;

const requestsPerTrial = new Map<string, number>();
const bench = new Bench({ iterations: 7, time: 0, warmupIterations: 1, warmupTime: 0 });
for (const jitter of [270, 0]) {
  const model = fleet(jitter);
  const name = `2000x20, 2 h, jitter ${jitter} s: one trial`;
  let trial = 0;
  bench.add(name, () => {
    const batch = runTrialBatch(model, 1, 0, trial, trial + 1);
    trial++;
    requestsPerTrial.set(name, batch.metrics[METRIC_INDEX.requests]);
  });
}
const HOLDS = 200_000;
for (const pending of [1_000, 100_000, 1_000_000]) {
  const q = new EventQueue(pending);
  const rng = new RandomStream('hold');
  for (let i = 0; i < pending; i++) q.push(rng.uniform() * 3600, i, 0);
  bench.add(`event queue hold x ${HOLDS / 1000}k, ${pending.toLocaleString('en-US')} pending`, () => {
    for (let i = 0; i < HOLDS; i++) {
      q.pop();
      q.push(q.poppedTime + rng.uniform() * 3600, q.poppedA, 0);
    }
  });
}

await bench.run();
const rows = bench.tasks.map((task) => {
  const r = task.result as { latency: { p50: number } };
  const medianMs = r.latency.p50;
  const requests = requestsPerTrial.get(task.name);
  return {
    task: task.name,
    medianMs: Number(medianMs.toFixed(2)),
    rate: requests ? `${Math.round(requests / (medianMs / 1000)).toLocaleString('en-US')} simulated GETs/s` : `${Math.round(HOLDS / (medianMs / 1000)).toLocaleString('en-US')} holds/s`,
  };
});
console.table(rows);
mkdirSync('results', { recursive: true });
writeFileSync('results/bench.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2) + '\n');
