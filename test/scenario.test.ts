import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { METRIC_INDEX, TRIAL_METRICS } from '../sim/metrics/trial-record.js';
import { runTrialBatch } from '../sim/model/run-batch.js';
import { UserError } from '../sim/scenario/errors.js';
import { parseScenario } from '../sim/scenario/load.js';
import { summaryColumns } from '../sim/output/results-files.js';
import { scenarioWarnings } from '../sim/scenario/warnings.js';
import { parseDuration, parseRate, parseShare } from '../sim/scenario/units.js';

const MIN = 'name: t\nfleet:\n  - {clusters: 10, secretSyncs: 2}\n';

function fails(yaml: string, message: string | RegExp, overrides = {}): void {
  try {
    parseScenario(yaml, 'x.yaml', overrides);
  } catch (e) {
    assert.instance(e, UserError);
    const text = (e as Error).message;
    assert.not.ok(text.includes('\n'), 'one line');
    if (typeof message === 'string') assert.is(text, message);
    else assert.match(text, message);
    return;
  }
  assert.unreachable(`accepted: ${yaml}`);
}

test('durations, shares and rates', () => {
  assert.is(parseDuration('250ms'), 0.25);
  assert.is(parseDuration('90s'), 90);
  assert.is(parseDuration('15m'), 900);
  assert.is(parseDuration('6h'), 21600);
  assert.is(parseDuration('1d'), 86400);
  assert.is(parseDuration('1.5h'), 5400);
  assert.is(parseDuration(42), 42);
  assert.is(parseDuration('1h30m'), 5400);
  assert.is(parseDuration('2m 30s'), 150);
  assert.is(parseDuration('1d2h'), 93600);
  for (const bad of ['-5s', '5 parsecs', '', 'h', '1h30', '1h-30m', -1, NaN, null, [1]]) assert.is(parseDuration(bad), null, String(bad));
  assert.is(parseShare('25%'), 0.25);
  assert.is(parseShare(0.3), 0.3);
  for (const bad of ['125%', 1.5, -0.1, 'half']) assert.is(parseShare(bad), null, String(bad));
  assert.is(parseRate('2/h'), 2 / 3600);
  assert.is(parseRate('1/30m'), 1 / 1800);
  assert.is(parseRate('3 / 1.5s'), 2);
  assert.is(parseRate(0.5), 0.5);
  for (const bad of ['2 per hour', '2/0s', '/h', -1, 'h']) assert.is(parseRate(bad), null, String(bad));
});

test('every key but name and fleet has its documented default', () => {
  const s = parseScenario(MIN, 'x.yaml');
  assert.is(s.seed, 1);
  assert.is(s.trials, 1000);
  assert.is(s.points.length, 1);
  const m = s.points[0].model;
  assert.is(m.horizon, 7200);
  assert.is(m.start, 'rollout');
  assert.equal(m.vaults.map((v) => [v.name, v.limiter, v.rejectedCount, v.retryAfter]), [['kv', { kind: 'token-bucket', capacity: 4000, refillPerSecond: 400 }, false, 'none']]);
  assert.equal(m.subscription, { kind: 'token-bucket', capacity: 20000, refillPerSecond: 2000 });
  const g = m.fleet[0];
  assert.equal(
    [g.vaults, g.objectsPerSync, g.rotationPollIntervalInSeconds, g.jitterSeconds, g.scheduling, g.maxConcurrentReconciles, g.enablePartialSecretSync, g.jitterOnRequeue, g.jitterOnRestart, g.latency],
    [['kv'], 1, 3600, 0, 'per-sync', 1, true, true, true, { median: 0.04, p99: 0.25 }],
  );
  assert.equal(m.client, { retry: 'azcore', requeue: { baseDelay: 0.005, maxDelay: 1000, overall: { ratePerSecond: 10, burst: 100 } } });
  assert.equal(m.metrics, { perSecondLimit: 400, timeseriesBin: 1 });
});

test('every problem of a document at once, one line each', () => {
  try {
    parseScenario('name: t\nfleet:\n  - {clusters: x, secretSyncs: y, jitterSeconds: soon}\ntrails: 5\n', 'x.yaml');
    assert.unreachable('accepted');
  } catch (e) {
    assert.instance(e, UserError);
    // In the schema's order; compared as sets.
    assert.equal((e as Error).message.split('\n').sort(), [
      'x.yaml: trails: unknown key, did you mean "trials"?',
      'x.yaml: fleet.0.clusters: expected a number, got "x"',
      'x.yaml: fleet.0.secretSyncs: expected a number, got "y"',
      'x.yaml: fleet.0.jitterSeconds: expected a duration such as 90, "250ms", "90s", "15m", "1h30m" or "1d", got "soon"',
    ].sort());
  }
});

test('a jitter far beyond the horizon (1e300 s) runs: no GET in the horizon, nothing allocated for the rest', () => {
  const m = parseScenario('name: t\nfleet:\n  - {clusters: 3, secretSyncs: 2, jitterSeconds: 1e300}\n', 'x.yaml').points[0].model;
  const b = runTrialBatch(m, 1, 0, 0, 2);
  const w = TRIAL_METRICS.length;
  assert.equal([b.metrics[METRIC_INDEX.requests], b.metrics[w + METRIC_INDEX.requests]], [0, 0]);
});

test('client.requeue.overall: the bucket by default, none turns it off', () => {
  assert.equal(parseScenario(MIN, 'x.yaml').points[0].model.client.requeue.overall, { ratePerSecond: 10, burst: 100 });
  assert.is(parseScenario(MIN + 'client: {requeue: {overall: none}}\n', 'x.yaml').points[0].model.client.requeue.overall, null);
  assert.equal(parseScenario(MIN + 'client: {requeue: {overall: {burst: 20}}}\n', 'x.yaml').points[0].model.client.requeue.overall, { ratePerSecond: 10, burst: 20 });
});

test('units, limiter kinds, events and subscription: none', () => {
  const s = parseScenario(
    `name: t
horizon: 90m
fleet:
  - {name: a, clusters: 10, secretSyncs: 2, jitterSeconds: 4m, latency: 0, vault: [v1, v2]}
vaults:
  - {name: v1, limiter: {kind: fixed-window, limit: 100, window: 10s, phase: 2s}}
  - {name: v2, limiter: {kind: sliding-window}, retryAfter: until-capacity, rejectedCount: true}
subscription: none
events:
  - {at: 1h, kind: rollout, clusters: 25%, waves: 4, over: 20m}
  - {at: 30m, kind: restart, clusters: a}
  - {at: 10m, kind: outage, vault: v2, duration: 5m}
  - {at: 20m, kind: outage, duration: 1m, timeout: 0}
  - {at: 0s, kind: rotation, every: 30m}
  - {at: 5m, kind: rotation, rate: 2/h, until: 40m, clusters: a, secretSyncs: 2}
  - {at: 5m, kind: rotation}
`,
    'x.yaml',
  );
  const m = s.points[0].model;
  assert.is(m.horizon, 5400);
  assert.is(m.fleet[0].jitterSeconds, 240);
  assert.is(m.fleet[0].latency, 0);
  assert.equal(m.vaults[0].limiter, { kind: 'fixed-window', limit: 100, window: 10, phase: 2 });
  assert.equal(m.vaults[1].limiter, { kind: 'sliding-window', limit: 4000, window: 10 });
  assert.is(m.subscription, null);
  assert.equal(m.events, [
    { at: 3600, kind: 'rollout', clusters: { share: 0.25 }, waves: 4, over: 1200 },
    { at: 1800, kind: 'restart', clusters: { group: 'a' } },
    { kind: 'outage', at: 600, vaults: [1], duration: 300, timeout: 30 },
    { kind: 'outage', at: 1200, vaults: [0, 1], duration: 60, timeout: 0 },
    { kind: 'rotation', at: 0, until: 5400, schedule: { kind: 'every', seconds: 1800 }, clusters: { share: 1 }, secretSyncs: 1 },
    { kind: 'rotation', at: 300, until: 2400, schedule: { kind: 'poisson', ratePerSecond: 2 / 3600 }, clusters: { group: 'a' }, secretSyncs: 2 },
    { kind: 'rotation', at: 300, until: 5400, schedule: { kind: 'once' }, clusters: { share: 1 }, secretSyncs: 1 },
  ]);
});

test('bad input: one line naming the field and the problem', () => {
  fails('name: t\n', 'x.yaml: fleet: is required');
  fails(MIN + 'trails: 5\n', 'x.yaml: trails: unknown key, did you mean "trials"?');
  fails('name: t\nfleet:\n  - {clusters: 10, secretSyncs: 2, jiterSeconds: 5}\n', 'x.yaml: fleet.0.jiterSeconds: unknown key, did you mean "jitterSeconds"?');
  fails('name: t\nfleet:\n  - {clusters: 10, secretSyncs: 2, jitterSeconds: 5 minutes}\n', /^x\.yaml: fleet\.0\.jitterSeconds: expected a duration such as .*got "5 minutes"$/);
  fails('name: t\nfleet:\n  - {clusters: 2.5, secretSyncs: 2}\n', 'x.yaml: fleet.0.clusters: expected a whole number, got 2.5');
  fails('name: t\nfleet:\n  - {clusters: 0, secretSyncs: 2}\n', 'x.yaml: fleet.0.clusters: must be at least 1');
  fails('name: t\nfleet:\n  - {clusters: 1, secretSyncs: 2, objectsPerSync: 70000}\n', 'x.yaml: fleet.0.objectsPerSync: must be at most 65535');
  fails(MIN + 'client: {retry: {maxRetries: 100000, baseDelay: 1, maxDelay: 10}}\n', 'x.yaml: client.retry.maxRetries: must be at most 65535');
  fails('name: t\nfleet:\n  - {clusters: 10, secretSyncs: 2, vault: kv-b}\n', 'x.yaml: fleet.0.vault: unknown vault "kv-b" (vaults: kv)');
  fails(MIN + 'vaults:\n  - {name: kv, limiter: {kind: leaky-bucket}}\n', 'x.yaml: vaults.0.limiter.kind: expected one of "token-bucket", "fixed-window", "sliding-window", got "leaky-bucket"');
  fails(MIN + 'vaults:\n  - {name: kv, limiter: {kind: token-bucket, capacty: 5}}\n', 'x.yaml: vaults.0.limiter.capacty: unknown key, did you mean "capacity"?');
  fails(MIN + 'start: cold\n', 'x.yaml: start: expected one of "rollout", "steady", got "cold"');
  fails('name: t\nfleets:\n  - {clusters: 10, secretSyncs: 2}\n', 'x.yaml: fleets: unknown key, did you mean "fleet"?');
  fails('name: t\nfleet: 5\n', 'x.yaml: fleet: expected a list, got 5');
  fails(MIN + 'horizon: .inf\n', /^x\.yaml: horizon: expected a positive duration .*, got infinity \(or a number too large\)$/);
  fails(MIN + 'horizon: 1e400\n', /got infinity \(or a number too large\)$/);
  fails('name: t\nfleet:\n  - {clusters: 10, secretSyncs: 2, jitterSeconds: .nan}\n', /^x\.yaml: fleet\.0\.jitterSeconds: expected a duration .*, got \.nan \(not a number\)$/);
  fails(MIN + 'vaults:\n  - {name: kv, limiter: {kind: token-bucket, window: 10s}}\n', 'x.yaml: vaults.0.limiter.window: not a key of this kind (kind token-bucket)');
  fails(MIN + 'subscription: nope\n', 'x.yaml: subscription: expected one of "none" or a mapping, got "nope"');
  fails(MIN + 'subscription: {limiter: {kind: token-bucket, capacity: 0.5}}\n', 'x.yaml: subscription.limiter.capacity: expected a whole number, got 0.5');
  fails(MIN + 'client: {requeue: {overall: {ratePerSecond: 0}}}\n', 'x.yaml: client.requeue.overall.ratePerSecond: must be greater than 0');
  fails(MIN + 'events:\n  - {at: 1m, kind: rollout, clusters: 100%, waves: 1000000000}\n', 'x.yaml: events.0.waves: must be at most 100,000');
  fails(MIN + 'vaults:\n  - {name: kv, background: {ratePerSecond: 1e9}}\n', 'x.yaml: vaults.0.background.ratePerSecond: 1000000000/s over the 7200s horizon is 7.20e+12 requests per trial; at most 1e+8');
  fails(MIN + 'client: {requeue: {overall: off}}\n', 'x.yaml: client.requeue.overall: expected one of "none" or a mapping, got "off"');
  fails(MIN + 'events:\n  - {at: 1h, kind: rollout, clusters: canary}\n', 'x.yaml: events.0.clusters: "canary" is neither a share such as "25%" nor a fleet group (groups: group0)');
  fails(MIN + 'events:\n  - {at: 1h, kind: rollout, clusters: 150%}\n', /^x\.yaml: events\.0\.clusters: expected a share in \[0, 1\].*got "150%"$/);
  fails(MIN + 'events:\n  - {at: 1h, kind: outage, vault: kv2, duration: 5m}\n', 'x.yaml: events.0.vault: unknown vault "kv2" (vaults: kv)');
  fails(MIN + 'events:\n  - {at: 1h, kind: outage}\n', 'x.yaml: events.0.duration: is required');
  fails(MIN + 'events:\n  - {at: 0, kind: rotation, every: 1h, rate: 2/h}\n', 'x.yaml: events.0.rate: give either every (periodic) or rate (Poisson), not both');
  fails(MIN + 'events:\n  - {at: 0, kind: rotation, rate: twice}\n', 'x.yaml: events.0.rate: expected a positive rate such as "2/h", "1/30m" or a number per second, got "twice"');
  fails(MIN + 'events:\n  - {at: 0, kind: rotation, until: 1h}\n', 'x.yaml: events.0.until: only applies with every or rate (a single rotation happens at `at`)');
  fails(MIN + 'events:\n  - {at: 0, kind: rotation, secretSyncs: 3}\n', 'x.yaml: events.0.secretSyncs: 3 is more than the 2 SecretSyncs per cluster of the selected clusters');
  fails(MIN + 'events:\n  - {at: 61m, kind: rotation}\n', /^x\.yaml: events\.0\.at: a rotation at 3660s cannot be measured: .*horizon \(7200s\)/);
  fails(MIN + 'sweep:\n  trials: [1, 2]\n', 'x.yaml: sweep.trials: trials cannot be swept');
  // Control characters in names: a terminal would run an escape, a file would hold a NUL.
  fails('name: t\nfleet:\n  - {name: "a\\e[2Jb", clusters: 10, secretSyncs: 2}\n', 'x.yaml: fleet.0.name: control characters (terminal escapes, NUL, line breaks) are not allowed in a name');
  fails(MIN + 'vaults:\n  - {name: "kv\\0"}\n', 'x.yaml: vaults.0.name: control characters (terminal escapes, NUL, line breaks) are not allowed in a name');
  fails(MIN + 'description: "a\\e]0;title\\a"\n', 'x.yaml: description: control characters other than line breaks and tabs are not allowed');
  // Two keys that set one field: every point ran the later one's value under the earlier's label.
  fails(MIN + 'sweep:\n  jitterSeconds: [0, 300]\n  fleet.0.jitterSeconds: [60]\n', 'x.yaml: sweep.fleet.0.jitterSeconds: sets what sweep.jitterSeconds sets too, so the columns would label values that did not run; sweep one of them');
  fails(MIN + 'sweep:\n  vaults.0.limiter: [{kind: fixed-window}]\n  vaults.0.limiter.capacity: [10]\n', /^x\.yaml: sweep\.vaults\.0\.limiter\.capacity: sets what sweep\.vaults\.0\.limiter sets too/);
  fails(MIN + 'sweep:\n  jitterSeconds: [10, -5]\n', /^x\.yaml: sweep point 1 \(jitterSeconds=-5\): fleet\.0\.jitterSeconds: expected a duration/);
  fails(MIN + 'assert:\n  - throttled is low\n', /^assert\.0: expected "<column> <op> <number>"/);
  fails('name: t\nfleet: [\n', /^x\.yaml:\d+:\d+: YAML syntax: /);
  fails('- just\n- a list\n', 'x.yaml: expected a mapping with at least name and fleet');
  fails(MIN, /^--set fleet\.0: expected path=value/, { set: ['fleet.0'] });
});

/** Two fleet groups (a: 10 clusters x 2 SecretSyncs, b: 5 x 1) and a sweep (YAML lines). */
const twoGroups = (sweep: string) => parseScenario(`name: t\nfleet:\n  - {name: a, clusters: 10, secretSyncs: 2}\n  - {name: b, clusters: 5, secretSyncs: 1}\nsweep:\n${sweep}`, 'x.yaml');

test('sweep: a swept key named like a column of summary.csv, or like another swept key, goes by its path: every column name once', () => {
  const s = twoGroups('  fleet.0.clusters: [10, 20]\n  fleet.0.secretSyncs: [1, 2]\n  fleet.1.secretSyncs: [3]\n  jitterSeconds: [0, 60]\n');
  assert.equal(s.sweepColumns, ['fleet.0.clusters', 'fleet.0.secretSyncs', 'fleet.1.secretSyncs', 'jitterSeconds']);
  const columns = summaryColumns(s);
  assert.equal(columns.filter((c, i) => columns.indexOf(c) !== i), [], 'a column named twice');
  assert.equal(columns.slice(0, 8), ['point', 'fleet.0.clusters', 'fleet.0.secretSyncs', 'fleet.1.secretSyncs', 'jitterSeconds', 'clusters', 'secretsPerCluster', 'trials']);
});

test('sweep: one point per combination, first key slowest, bare group keys apply to every group', () => {
  const s = twoGroups('  jitterSeconds: [0, 2m]\n  fleet.1.clusters: [5, 50, 500]\n');
  // The fleet's own `clusters` column is there too: the swept one goes by its path.
  assert.equal(s.sweepColumns, ['jitterSeconds', 'fleet.1.clusters']);
  assert.is(s.points.length, 6);
  assert.equal(
    s.points.map((p) => [p.model.fleet[0].jitterSeconds, p.model.fleet[1].jitterSeconds, p.model.fleet[1].clusters]),
    [[0, 0, 5], [0, 0, 50], [0, 0, 500], [120, 120, 5], [120, 120, 50], [120, 120, 500]],
  );
  assert.equal(s.points[4].sweep, [{ column: 'jitterSeconds', value: '2m' }, { column: 'fleet.1.clusters', value: 50 }]);
});

test('command-line overrides apply before validation', () => {
  const s = parseScenario(MIN, 'x.yaml', { trials: 7, seed: 'abc', set: ['fleet.0.jitterSeconds=90s', 'horizon=3600', 'vaults=[{name: kv, rejectedCount: true}]'] });
  assert.is(s.trials, 7);
  assert.is(s.seed, 'abc');
  assert.is(s.points[0].model.fleet[0].jitterSeconds, 90);
  assert.is(s.points[0].model.horizon, 3600);
  assert.is(s.points[0].model.vaults[0].rejectedCount, true);
  fails(MIN, 'x.yaml: fleet.0.jitterSecs: unknown key, did you mean "jitterSeconds"?', { set: ['fleet.0.jitterSecs=5'] });
  fails(MIN, '--set fleet.3.jitterSeconds: fleet.3 does not exist (the list has 1 entries)', { set: ['fleet.3.jitterSeconds=5'] });
});

test('warnings: a rollout window the horizon cuts short; an event at or after the horizon is an error', () => {
  const yaml = `${MIN}horizon: 10m\nevents:\n  - {at: 8m, kind: rollout, clusters: 100%, waves: 2, over: 3m}\n  - {at: 5m, kind: rollout, clusters: 100%, waves: 2, over: 5m}\n`;
  assert.equal(scenarioWarnings(parseScenario(yaml, 'x.yaml')), ['events.0: the rollout at 480 s with its waves and jitter runs to 660 s, after the horizon (600 s)']);
  fails(`${MIN}horizon: 10m\nevents:\n  - {at: 8m, kind: rollout, clusters: 100%}\n  - {at: 12m, kind: restart, clusters: 10%}\n`, 'x.yaml: events.1.at: the restart at 720s is at or after the horizon (600s), so it would never happen; a longer horizon or an earlier time');
  fails(`${MIN}horizon: 60s\nevents:\n  - {at: 10h, kind: rollout, clusters: 100%}\n`, 'x.yaml: events.0.at: the rollout at 36000s is at or after the horizon (60s), so it would never happen; a longer horizon or an earlier time');
  fails(`${MIN}horizon: 10m\nevents:\n  - {at: 10m, kind: outage, duration: 1m}\n`, 'x.yaml: events.0.at: the outage at 600s is at or after the horizon (600s), so it would never happen; a longer horizon or an earlier time');
  const swept = parseScenario(`${MIN}horizon: 10m\nsweep:\n  jitterSeconds: [0, 15m]\n`, 'x.yaml');
  assert.equal(scenarioWarnings(swept), ["horizon: 600 s ends before the initial rollout's jitter window (900 s): some SecretSyncs never fetch (point 1)"]);
  assert.equal(scenarioWarnings(parseScenario(MIN, 'x.yaml')), [], 'the defaults warn of nothing');
});

test.run();
