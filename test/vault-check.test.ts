import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PUBLISHED_LIMITERS, recipeFleetModel } from '../sim/analytic/recipe-fleet-model.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { METRIC_INDEX, TRIAL_METRICS } from '../sim/metrics/trial-record.js';

/**
 * The vault check decides which trials need the coupled driver. It can only send a trial there
 * (the coupled driver is exact), so a check that is too cautious changes no number, only the
 * speed: engines.test.ts cannot see it. Here, in a fleet with no retries and no outage, a trial
 * runs coupled exactly when it is throttled: trial after trial, through the per-second quick
 * test and the replay.
 */
test('a trial runs coupled exactly when it is throttled, also right after one that was', () => {
  // 1,000 x 20 at J = 40.5 s: 20,000 GETs against 4,000 + 400 J, a 429 about once in 20.
  const limits = [PUBLISHED_LIMITERS['token-bucket'], PUBLISHED_LIMITERS['sliding-window'], { kind: 'token-bucket' as const, capacity: 4000, refillPerSecond: 400 }];
  const jitters = [40.5, 120, 60];
  let throttledSeen = 0;
  limits.forEach((limiter, i) => {
    const model = recipeFleetModel({ clusters: 1000, secretsPerCluster: 20, perSecondLimit: 400 }, jitters[i], limiter);
    const batch = runTrialBatch(model, 'vault-check', 0, 0, 60);
    let throttled = 0;
    for (let t = 0; t < 60; t++) throttled += batch.metrics[t * TRIAL_METRICS.length + METRIC_INDEX.throttledTrial];
    assert.is(batch.coupled, throttled, `${limiter.kind} at J = ${jitters[i]}: ${batch.coupled} coupled, ${throttled} throttled`);
    throttledSeen += throttled;
  });
  assert.ok(throttledSeen > 0 && throttledSeen < 150, `some trials throttled, most not (${throttledSeen} of 180)`);
});

test.run();
