import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrialCollector } from '../sim/metrics/trial-collector.js';
import { METRIC_INDEX, TRIAL_METRICS } from '../sim/metrics/trial-record.js';
import { ConvergenceProbe } from '../sim/model/probes/convergence.js';
import { RecoveryProbe } from '../sim/model/probes/recovery.js';

type Change = [t: number, cluster: number, delta: 1 | -1];

/** The recovery a probe reports for these changes (NaN: none; null: undecided). */
function recovery(end: number, changes: Change[], inOrder: boolean): number | null {
  const probe = new RecoveryProbe(end);
  probe.reset();
  for (const [t, c, d] of changes) probe.change(t, c, d);
  const col = new TrialCollector({ horizon: 100, bin: 1, refreshStart: 0, refreshWidth: 1, perSecondLimit: 1, outageEnd: NaN });
  col.reset();
  if (!probe.finish(col, inOrder)) return null;
  const m = new Float64Array(TRIAL_METRICS.length);
  col.finish(m, new Uint32Array(2 * col.bins), 0);
  return m[METRIC_INDEX.recovery];
}

const byCluster = (changes: Change[]) => [...changes].sort((a, b) => a[1] - b[1]);

test('recovery: the first instant after the outage with no SecretSync failing, whatever order clusters report in', () => {
  const changes: Change[] = [[5, 0, 1], [6, 1, 1], [12, 0, -1], [15, 1, -1], [30, 0, 1]];
  assert.is(recovery(10, changes, true), 5);
  assert.is(recovery(10, byCluster(changes), false), 5, 'cluster by cluster');
  assert.is(recovery(10, [[5, 0, 1], [7, 0, -1]], false), 0, 'nothing failing as the outage ends');
  assert.ok(Number.isNaN(recovery(10, [[5, 0, 1], [12, 1, 1], [13, 0, -1]], false)!), 'never recovered');
  assert.ok(Number.isNaN(recovery(NaN, changes, false)!), 'no outage tracked');
});

test('recovery: ties across clusters are decided when all go one way, undecided when they cross', () => {
  const sameWay: Change[] = [[5, 0, 1], [6, 1, 1], [12, 0, -1], [12, 1, -1]];
  assert.is(recovery(10, byCluster(sameWay), false), 2);
  // At 12 cluster 0 recovers while cluster 1 starts failing: the fleet's count touches 0 only if
  // cluster 0's event comes first, which only the coupled driver knows.
  const crossing: Change[] = [[5, 0, 1], [12, 0, -1], [12, 1, 1], [20, 1, -1]];
  assert.is(recovery(10, byCluster(crossing), false), null);
  assert.is(recovery(10, crossing, true), 2, "in the fleet's order, cluster 0 first");
  assert.is(recovery(10, [[5, 0, 1], [12, 1, 1], [12, 0, -1], [20, 1, -1]], true), 10, 'cluster 1 first');
  // One cluster's own changes at one instant keep their order.
  assert.is(recovery(10, [[5, 0, 1], [12, 0, -1], [12, 0, 1], [14, 0, -1]], false), 2);
});

test('convergence: the last awaited success, in any order; none when one never succeeds', () => {
  const col = new TrialCollector({ horizon: 100, bin: 1, refreshStart: 0, refreshWidth: 1, perSecondLimit: 1, outageEnd: NaN });
  const m = new Float64Array(TRIAL_METRICS.length);
  const p = new ConvergenceProbe(10);
  for (const done of [[40, 12, 30], [12, 40]]) {
    col.reset();
    p.reset();
    p.await(3);
    for (const t of done) p.succeeded(t);
    p.finish(col);
    col.finish(m, new Uint32Array(2 * col.bins), 0);
    if (done.length === 3) assert.is(m[METRIC_INDEX.convergence], 30);
    else assert.ok(Number.isNaN(m[METRIC_INDEX.convergence]));
  }
  // A rollout that edits nothing (every cluster selected by a group of none) has no convergence.
  col.reset();
  p.reset();
  p.finish(col);
  col.finish(m, new Uint32Array(2 * col.bins), 0);
  assert.ok(Number.isNaN(m[METRIC_INDEX.convergence]), 'nothing awaited: no convergence');
});

test.run();
