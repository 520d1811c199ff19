import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrialCollector } from '../sim/metrics/trial-collector.js';
import { FleetTrial } from '../sim/model/fleet-trial.js';
import { describePaths, importanceRollout, oneInstant, quietWalkBlocker } from '../sim/model/paths.js';
import { group, model } from './helpers.js';

/**
 * sim/model/paths.ts decides which way a cluster runs and whether a scenario can be
 * importance-sampled; the drivers follow it (a blocked group never takes the quiet walk).
 */

test('the quiet walk: blocked by overlapping reconciles, a cluster-ticker, rotations in the trial; else open', () => {
  assert.is(quietWalkBlocker(group(), 0), null);
  assert.match(quietWalkBlocker(group({ maxConcurrentReconciles: 2 }), 0) ?? '', /maxConcurrentReconciles is not 1/);
  assert.match(quietWalkBlocker(group({ scheduling: 'cluster-ticker' }), 0) ?? '', /cluster-ticker/);
  assert.match(quietWalkBlocker(group(), 1) ?? '', /rotate/);
});

test('the one-instant walk: one SecretSync, latency 0, a rollout, no poll back inside the horizon', () => {
  const m = model({ horizon: 600 });
  const g = group({ secretSyncs: 1, latency: 0, rotationPollIntervalInSeconds: 3600 });
  assert.ok(oneInstant(g, m));
  assert.not.ok(oneInstant({ ...g, secretSyncs: 2 }, m));
  assert.not.ok(oneInstant({ ...g, latency: { median: 0.05, p99: 0.2 } }, m));
  assert.not.ok(oneInstant(g, { ...m, start: 'steady' }));
  assert.not.ok(oneInstant({ ...g, rotationPollIntervalInSeconds: 600 }, m));
});

test('importance sampling: the recipe rollout, else the first condition that fails, in words', () => {
  const recipe = model({ horizon: 600, fleet: [group({ clusters: 100, secretSyncs: 1, objectsPerSync: 20, latency: 0, jitterSeconds: 300, rotationPollIntervalInSeconds: 3600 })] });
  assert.equal(importanceRollout(recipe), { rollout: { clusters: 100, secretsPerCluster: 20, jitterSeconds: 300 } });
  const why = (m: typeof recipe) => ('why' in importanceRollout(m) ? (importanceRollout(m) as { why: string }).why : 'available');
  assert.is(why({ ...recipe, fleet: [recipe.fleet[0], recipe.fleet[0]] }), 'it has several fleet groups');
  assert.is(why({ ...recipe, start: 'steady' }), 'start is not rollout');
  assert.is(why({ ...recipe, horizon: 7200 }), 'a second poll falls inside the horizon');
  assert.is(why({ ...recipe, horizon: 200 }), 'its horizon ends before the jitter does (the GETs past it would not count)');
  const lines = describePaths(recipe);
  assert.match(lines[0], /^g: the one-instant walk/);
  assert.match(lines[1], /available/);
  assert.match(describePaths({ ...recipe, fleet: [{ ...recipe.fleet[0], maxConcurrentReconciles: 3 }] })[0], /^g: the cluster model in an event loop \(maxConcurrentReconciles is not 1/);
});

test('the drivers follow the decision: a blocked group\'s clusters never take the quiet walk, an open one\'s all do', () => {
  const runs = (m: ReturnType<typeof model>) => {
    const trial = new FleetTrial(m, 'paths');
    const col = new TrialCollector({ horizon: m.horizon, bin: 1, refreshStart: 0, refreshWidth: 1, perSecondLimit: 1e9, outageEnd: NaN, vaults: 1 });
    col.reset();
    trial.run(0, col, 'auto');
    return trial.quietClusters;
  };
  assert.is(runs(model({ fleet: [group({ clusters: 30 })] })), 30);
  assert.is(runs(model({ fleet: [group({ clusters: 30, maxConcurrentReconciles: 2 })] })), 0);
  assert.is(runs(model({ fleet: [group({ clusters: 30, scheduling: 'cluster-ticker' })] })), 0);
});

test.run();
