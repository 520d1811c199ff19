import { METRIC_INDEX } from '../../sim/metrics/trial-record.js';
import { runTrialBatch } from '../../sim/model/run-batch.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** One 10,000-cluster x 50-secret trial of 2 h in this process: its time and the peak RSS. */
const model = parseScenario('name: big\nhorizon: 2h\nfleet:\n  - {clusters: 10000, secretSyncs: 50, jitterSeconds: 7600}\n', 'bench').points[0].model;
const t0 = performance.now();
const batch = runTrialBatch(model, 1, 0, 0, 1);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, requests: batch.metrics[METRIC_INDEX.requests] }));
