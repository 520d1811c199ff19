import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PUBLISHED_LIMITERS, recipeFleetModel } from '../sim/analytic/recipe-fleet-model.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { METRIC_INDEX, SHAPE_METRICS, TRIAL_METRICS } from '../sim/metrics/trial-record.js';
import { metric, run } from './helpers.js';

/**
 * The vault check decides which trials need the coupled driver. It can only send a trial there
 * (the coupled driver is exact), so a check that is too cautious changes no number, only the
 * speed: engines.test.ts cannot see it. Here, in a fleet with no retries and no outage, a trial
 * runs coupled exactly when it is throttled: trial after trial, through the per-second quick
 * test and the replay.
 */
test('a trial runs coupled exactly when it is throttled, also right after one that was', () => {
  // 1,000 x 20 at J = 40.5 s: 20,000 GETs against 4,000 + 400 J, a 429 about once in 20.
  // At J = 40 nearly every trial throttles, yet no second holds the 4,401 GETs that would doom it
  // at once: the replay must find each 429 (one that accepted everything would pass the rest).
  const limits = [PUBLISHED_LIMITERS['token-bucket'], PUBLISHED_LIMITERS['token-bucket'], PUBLISHED_LIMITERS['sliding-window'], { kind: 'token-bucket' as const, capacity: 4000, refillPerSecond: 400 }];
  const jitters = [40, 40.5, 120, 60];
  const least = [50, 0, 0, 0];
  let throttledSeen = 0;
  limits.forEach((limiter, i) => {
    const model = recipeFleetModel({ clusters: 1000, secretsPerCluster: 20, perSecondLimit: 400 }, jitters[i], limiter);
    const batch = runTrialBatch(model, 'optimistic-check', 0, 0, 60);
    let throttled = 0;
    for (let t = 0; t < 60; t++) throttled += batch.metrics[t * TRIAL_METRICS.length + METRIC_INDEX.throttledTrial];
    assert.is(batch.coupled, throttled, `${limiter.kind} at J = ${jitters[i]}: ${batch.coupled} coupled, ${throttled} throttled`);
    assert.ok(throttled >= least[i], `${limiter.kind} at J = ${jitters[i]}: only ${throttled} of 60 throttled`);
    throttledSeen += throttled;
  });
  assert.ok(throttledSeen > 50 && throttledSeen < 180, `throttled trials and clean ones (${throttledSeen} of 240)`);
});

test('other applications\' load on the vault: the replay meets it as the coupled driver does', () => {
  // 1,000 x 20 at J = 46 s throttles only with the background's 50 GETs/s on top (20,000 + 2,300
  // against 4,000 + 400 J = 22,400): about half the trials, every one found by the replay.
  const m = recipeFleetModel({ clusters: 1000, secretsPerCluster: 20, perSecondLimit: 400 }, 46, PUBLISHED_LIMITERS['token-bucket']);
  m.vaults[0].background = { ratePerSecond: 50 };
  const batch = run(m, 24, 'background');
  const throttled = metric(batch, 'throttledTrial').reduce((a, b) => a + b, 0);
  assert.ok(throttled >= 4 && throttled <= 20, `${throttled} of 24 throttled`);
  assert.is(batch.coupled, throttled);
});

test('a fleet that surely throttles: every cluster walked once (the history the shapes replay), the trial coupled, every shape throttled', () => {
  // 2,000 x 20 GETs at t = 0 (J = 0) against 4,000 + 400 a second: second 0 is above anything
  // the vault could accept, so the check says no without a replay, the trial runs coupled, and
  // the walk still covers all 2,000 clusters (the limiter shapes' check replays the whole
  // history with every GET accepted). With a subscription limit, and with two vaults (the check
  // then counts the walk's log entries), the same.
  const model = recipeFleetModel({ clusters: 2000, secretsPerCluster: 20, perSecondLimit: 400 }, 0, PUBLISHED_LIMITERS['token-bucket']);
  const check = (m: typeof model, label: string) => {
    const batch = runTrialBatch(m, 'surelyThrottles', 0, 0, 3);
    assert.equal(metric(batch, 'throttledTrial'), [1, 1, 1], label);
    assert.is(batch.coupled, 3, label);
    assert.is(batch.quietClusters, 3 * 2000, `${label}: clusters walked`);
    for (const shape of SHAPE_METRICS) assert.equal(metric(batch, shape), [1, 1, 1], `${label}: ${shape}`);
  };
  check(model, 'one vault');
  check({ ...model, subscription: { kind: 'token-bucket', capacity: 2000, refillPerSecond: 200 } }, 'a subscription');
  check({ ...model, vaults: [model.vaults[0], { ...model.vaults[0], name: 'kv2' }], fleet: [{ ...model.fleet[0], vaults: ['kv', 'kv2'] }] }, 'two vaults');
});

test.run();
