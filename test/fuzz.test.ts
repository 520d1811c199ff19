import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { summariseBatches } from '../sim/metrics/summary.js';
import { METRIC_INDEX as M, STATUS_REASONS, TRIAL_METRICS } from '../sim/metrics/trial-record.js';
import { UserError } from '../sim/scenario/errors.js';
import { parseScenario } from '../sim/scenario/load.js';
import { cli, root } from './cli-runner.js';
import { run, scaled } from './helpers.js';

/**
 * Property-based tests (fast-check, seeded: the same documents on every run). Generated scenario
 * documents, mostly wrong, must be accepted or refused with one line per problem, never crash;
 * generated small valid scenarios must run on both drivers with the same records, records that
 * make sense (the limiter's promise kept, summary intervals around their means) and the poll
 * loop's counts.
 */
const SEED = 20261130;

/** Any YAML value a user might write where a number, a duration or a mapping belongs. */
const junk = fc.oneof(
  fc.integer({ min: -5, max: 1e6 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(Infinity, -Infinity, NaN, 0, -0, 1e300, 1e-300, 2 ** 53),
  fc.constantFrom('90s', '5m', '2h', '1d', '250ms', 'soon', '', '100%', '50%', '2/h', 'none', 'auto', '..', '__proto__'),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('kind', 'capacity', 'limit', 'window', 'median', 'p99', 'ratePerSecond', 'x'), fc.integer({ min: -1, max: 5000 }), { maxKeys: 3 }),
);

/** A field's value: usually plausible, sometimes junk. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 15, arbitrary: good }, { weight: 1, arbitrary: junk });

const groupDoc = fc.record(
  {
    clusters: maybe(fc.integer({ min: 1, max: 50 })),
    secretSyncs: maybe(fc.integer({ min: 1, max: 10 })),
    objectsPerSync: maybe(fc.integer({ min: 1, max: 3 })),
    jitterSeconds: maybe(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom('30s', '2m'))),
    rotationPollIntervalInSeconds: maybe(fc.integer({ min: 1, max: 3600 })),
    maxConcurrentReconciles: maybe(fc.integer({ min: 1, max: 4 })),
    latency: maybe(fc.oneof(fc.constant(0), fc.record({ median: fc.constantFrom('40ms', 0.1, 2), p99: fc.constantFrom('250ms', 1, 0.01) }))),
    scheduling: maybe(fc.constantFrom('per-sync', 'cluster-ticker')),
    vault: maybe(fc.constantFrom('kv', 'kv2', ['kv'])),
  },
  { requiredKeys: ['clusters', 'secretSyncs'] },
);

const documentArb = fc.record(
  {
    name: maybe(fc.constantFrom('fuzz', 'a.b', 'x_1')),
    horizon: maybe(fc.oneof(fc.integer({ min: 1, max: 7200 }), fc.constantFrom('10m', '2h'))),
    trials: maybe(fc.integer({ min: 1, max: 100 })),
    seed: maybe(fc.integer()),
    start: maybe(fc.constantFrom('rollout', 'steady')),
    fleet: maybe(fc.array(groupDoc, { minLength: 1, maxLength: 3 })),
    vaults: maybe(fc.array(fc.record({ name: maybe(fc.constantFrom('kv', 'kv2')), limiter: maybe(fc.constantFrom({ kind: 'token-bucket' }, { kind: 'sliding-window', limit: 100, window: '10s' })), background: maybe(fc.record({ ratePerSecond: maybe(fc.constantFrom(0, 5)) })) }, { requiredKeys: ['name'] }), { minLength: 1, maxLength: 2 })),
    subscription: maybe(fc.constantFrom('none')),
    client: maybe(fc.record({ retry: maybe(fc.constantFrom('azcore', 'none')), requeue: maybe(fc.record({ baseDelay: maybe(fc.constantFrom('5ms', 1)), overall: maybe(fc.constantFrom('none')) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    events: maybe(fc.array(fc.record({ at: maybe(fc.constantFrom('1m', '30s', 0)), kind: fc.constantFrom('rollout', 'restart', 'outage', 'rotation', 'deploy'), clusters: maybe(fc.constantFrom('50%', '100%', 'g0')), duration: maybe(fc.constantFrom('1m', 10)), waves: maybe(fc.integer({ min: 1, max: 4 })) }, { requiredKeys: ['kind'] }), { maxLength: 3 })),
    metrics: maybe(fc.record({ timeseriesBin: maybe(fc.constantFrom('1s', 10)), perSecondLimit: maybe(fc.constantFrom(400, 100)) }, { requiredKeys: [] })),
    sweep: maybe(fc.dictionary(fc.constantFrom('jitterSeconds', 'fleet.0.clusters', 'trials', 'horizon', 'nope.deep'), fc.array(maybe(fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 3 }), { maxKeys: 2 })),
    typo: fc.constantFrom('trails', 'fleets', 'horizn'),
  },
  { requiredKeys: ['name', 'fleet'] },
).map((d) => {
  // A typo in one document of four.
  if (typeof d.name === 'string' && d.name.length % 4 !== 0) delete d.typo;
  return d;
});

test('generated scenario documents: accepted, or refused with one line per problem; never another error', () => {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(documentArb, (doc) => {
      let text: string;
      try {
        text = stringify(doc);
      } catch {
        return; // not a document YAML can write
      }
      try {
        const s = parseScenario(text, 'fuzz.yaml');
        assert.ok(s.points.length >= 1);
        accepted++;
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`not a UserError for\n${text}\n${(e as Error).stack}`);
        for (const line of e.message.split('\n')) {
          assert.ok(line.startsWith('fuzz.yaml'), `a line that does not name the file: ${line}`);
          assert.not.match(line, /\bat .*\.js:\d+|Invalid input|got got/, line);
        }
        refused++;
      }
    }),
    { seed: SEED, numRuns: scaled(3000, 200) },
  );
  console.log(`  (documents: ${accepted} accepted, ${refused} refused)`);
  assert.ok(accepted > 0 && refused > 0, 'both kinds generated');
});

/** Small valid scenarios: every model feature, a few clusters, a short horizon. */
const smallScenario = fc.record({
  clusters: fc.integer({ min: 1, max: 12 }),
  secretSyncs: fc.integer({ min: 1, max: 6 }),
  objectsPerSync: fc.integer({ min: 1, max: 3 }),
  jitter: fc.integer({ min: 0, max: 40 }),
  poll: fc.integer({ min: 2, max: 60 }),
  workers: fc.integer({ min: 1, max: 3 }),
  latency: fc.constantFrom('0', '{median: 50ms, p99: 400ms}', '{median: 2s, p99: 8s}'),
  scheduling: fc.constantFrom('per-sync', 'cluster-ticker'),
  start: fc.constantFrom('rollout', 'steady'),
  limiter: fc.constantFrom(
    '{kind: token-bucket, capacity: 20, refillPerSecond: 3}',
    '{kind: fixed-window, limit: 25, window: 5s, phase: random}',
    '{kind: sliding-window, limit: 25, window: 5s}',
    '{kind: token-bucket, capacity: 100000, refillPerSecond: 10000}',
  ),
  retry: fc.constantFrom('azcore', 'none'),
  overall: fc.constantFrom('{ratePerSecond: 10, burst: 100}', '{ratePerSecond: 2, burst: 3}', 'none'),
  rejectedCount: fc.boolean(),
  event: fc.constantFrom('', '{at: 20s, kind: rollout, clusters: 50%}', '{at: 10s, kind: restart, clusters: 100%}', '{at: 5s, kind: outage, duration: 20s, timeout: 1s}', '{at: 0s, kind: rotation, every: 15s, until: 40s}'),
});

/** A small valid scenario's document. */
function smallYaml(p: typeof smallScenario extends fc.Arbitrary<infer T> ? T : never): string {
  return `name: fuzz
horizon: 120s
start: ${p.start}
fleet:
  - {clusters: ${p.clusters}, secretSyncs: ${p.secretSyncs}, objectsPerSync: ${p.objectsPerSync}, jitterSeconds: ${p.jitter}, rotationPollIntervalInSeconds: ${p.poll}, maxConcurrentReconciles: ${p.workers}, latency: ${p.latency}, scheduling: ${p.scheduling}}
vaults:
  - {name: kv, limiter: ${p.limiter}, rejectedCount: ${p.rejectedCount}}
client: {retry: ${p.retry}, requeue: {overall: ${p.overall}}}
events: [${p.event}]
`;
}

test('generated small scenarios run on both drivers with the same records, and the records make sense', () => {
  let runs = 0;
  fc.assert(
    fc.property(smallScenario, (p) => {
      const yaml = smallYaml(p);
      const m = parseScenario(yaml, 'fuzz.yaml').points[0].model;
      const batch = run(m, 2, runs); // auto against coupled: same records
      runs++;
      // The summary row: every interval holds its mean, nothing negative, shares within [0, 1].
      const row = summariseBatches([batch]).summary;
      for (const [column, mean] of row) {
        if (!column.endsWith('_mean') || Number.isNaN(mean)) continue;
        const name = column.slice(0, -'_mean'.length);
        const lo = row.get(`${name}_lo`)!;
        const hi = row.get(`${name}_hi`)!;
        // A metric that only some trials have: one value has no interval.
        if (Number.isNaN(lo) && Number.isNaN(hi) && row.get(`${name}_n`) === 1) continue;
        assert.ok(lo <= mean && mean <= hi && lo >= 0, `${name}: ${mean} in [${lo}, ${hi}]`);
        if (['throttledTrial', 'refreshOver', 'pSecondOver', 'throttledFraction'].includes(name)) assert.ok(hi <= 1, `${name}_hi ${hi}`);
      }
      const w = TRIAL_METRICS.length;
      for (let i = 0; i < 2; i++) {
        const v = (k: keyof typeof M) => batch.metrics[i * w + M[k]];
        assert.ok(v('requests') >= v('throttled') && v('throttled') >= 0, `requests ${v('requests')} >= throttled ${v('throttled')}`);
        assert.ok(v('peakRps') <= v('requests') && v('peak10s') <= v('requests') && v('peakRps') <= v('peak10s'), 'peaks within the GETs');
        assert.ok(v('throttledTrial') === (v('throttled') > 0 ? 1 : 0));
        assert.ok(!(v('pSecondOver') < 0 || v('pSecondOver') > 1), `pSecondOver ${v('pSecondOver')}`);
        assert.ok(v('retries') >= 0 && v('requeues') >= 0 && v('fetchesNeeded') >= 0);
        const series = batch.series.subarray(i * 2 * batch.bins, i * 2 * batch.bins + batch.bins).reduce((a, b) => a + b, 0);
        assert.ok(series <= v('requests'), 'the timeseries holds no more GETs than were sent');
        // The limiter's promise: the GETs it accepted in any k whole seconds stay within what its
        // shape allows over k seconds (outages aside: their GETs never reached it).
        if (!p.event.includes('outage')) {
          const base = i * 2 * batch.bins;
          const accepted = Array.from({ length: batch.bins }, (_, b) => batch.series[base + b] - batch.series[base + batch.bins + b]);
          const l = m.vaults[0].limiter;
          const allowed = (k: number) =>
            l.kind === 'token-bucket' ? l.capacity + l.refillPerSecond * k : l.kind === 'sliding-window' ? l.limit * Math.ceil(k / l.window) : l.limit * (Math.ceil(k / l.window) + 1);
          for (let from = 0; from < accepted.length; from++) {
            let sum = 0;
            for (let k = 1; from + k <= accepted.length; k++) {
              sum += accepted[from + k - 1];
              assert.ok(sum <= allowed(k), `${sum} GETs accepted in [${from}, ${from + k}) s, the ${l.kind} allows ${allowed(k)}`);
            }
          }
        }
        for (const k of TRIAL_METRICS) assert.ok(!Number.isNaN(v(k)) || ['firstThrottleAt', 'lastThrottleAt', 'convergence', 'recovery', 'stalenessP50', 'stalenessP99', 'stalenessMax', 'amplification', 'pSecondOver'].includes(k), `${k} is NaN`);
      }
    }),
    { seed: SEED, numRuns: scaled(120, 12) },
  );
  console.log(`  (small scenarios run: ${runs}, each on both drivers)`);
});

test('generated healthy fleets: every SecretSync reconciles within J of the rollout and then every P to P + J', () => {
  // Latency 0 and a limit no fleet here reaches: nothing fails and no reconcile waits, so each
  // SecretSync's reconciles number between floor((H - J) / (P + J)) + 1 and floor(H / P) + 1.
  let trials = 0;
  fc.assert(
    fc.property(
      fc.record({
        clusters: fc.integer({ min: 1, max: 10 }),
        secretSyncs: fc.integer({ min: 1, max: 8 }),
        jitter: fc.integer({ min: 0, max: 60 }),
        poll: fc.integer({ min: 1, max: 90 }),
        workers: fc.integer({ min: 1, max: 3 }),
        horizon: fc.integer({ min: 61, max: 400 }),
      }),
      (p) => {
        const m = parseScenario(
          `name: polls\nhorizon: ${p.horizon}s\nfleet:\n  - {clusters: ${p.clusters}, secretSyncs: ${p.secretSyncs}, jitterSeconds: ${p.jitter}, rotationPollIntervalInSeconds: ${p.poll}, maxConcurrentReconciles: ${p.workers}, latency: 0}\nvaults:\n  - {name: kv, limiter: {kind: token-bucket, capacity: 1000000, refillPerSecond: 100000}}\n`,
          'polls.yaml',
        ).points[0].model;
        const batch = run(m, 3, trials);
        const w = TRIAL_METRICS.length;
        const syncs = p.clusters * p.secretSyncs;
        const least = syncs * (Math.floor((p.horizon - p.jitter) / (p.poll + p.jitter)) + 1);
        const most = syncs * (Math.floor(p.horizon / p.poll) + 1);
        for (let i = 0; i < 3; i++) {
          const v = (k: keyof typeof M) => batch.metrics[i * w + M[k]];
          const reconciles = STATUS_REASONS.reduce((sum, r) => sum + v(r), 0);
          assert.is(v('throttled'), 0);
          assert.is(v('UpdateNoValueChangeSucceeded') + v('UpdateValueChangeOrForceUpdateSucceeded'), reconciles, 'every reconcile succeeded');
          assert.ok(reconciles >= least && reconciles <= most, `${reconciles} reconciles of ${syncs} SecretSyncs over ${p.horizon} s, expected ${least} to ${most}`);
          trials++;
        }
      },
    ),
    { seed: SEED, numRuns: scaled(100, 10) },
  );
  console.log(`  (healthy fleets: ${trials} trials checked)`);
});

test('generated documents through the command line: validate and run exit 0 or 2, one line, never a stack or a hang', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-fuzz-'));
  const codes: Record<string, number> = {};
  let n = 0;
  fc.assert(
    // Mostly-wrong documents, and small valid scenarios (one in three) to run.
    fc.property(fc.oneof({ weight: 2, arbitrary: documentArb.map((d) => ({ d })) }, { weight: 1, arbitrary: smallScenario.map((p) => ({ p })) }), (pick) => {
      let text: string;
      try {
        text = 'p' in pick ? smallYaml(pick.p) : stringify(pick.d);
      } catch {
        return;
      }
      const file = join(dir, `doc${n++}.yaml`);
      writeFileSync(file, text);
      for (const command of [['validate', file], ['run', file, '--trials', '2', '--quiet', '--force', '--out', join(dir, `out${n}`)]]) {
        const r = spawnSync(process.execPath, [cli, ...command], { encoding: 'utf8', timeout: 60_000 });
        const key = `${command[0]} ${r.status}`;
        codes[key] = (codes[key] ?? 0) + 1;
        assert.ok(r.status === 0 || r.status === 2, `${command[0]} exit ${r.status} for\n${text}\n${r.stderr}`);
        assert.not.match(r.stderr, /^\s+at /m, `a stack for\n${text}\n${r.stderr}`);
        if (r.status === 2) assert.is(r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:')).every((l) => l.startsWith('sim: ')), true, r.stderr);
      }
    }),
    { seed: SEED + 1, numRuns: scaled(24, 4) },
  );
  console.log(`  (command lines: ${JSON.stringify(codes)})`);
  assert.ok((codes['run 0'] ?? 0) > 0 && (codes['validate 2'] ?? 0) > 0, 'both outcomes generated');
});

test('attacks through the command line: sizes, paths and records refused in one line, exit 2, never a stack or a hang', () => {
  // The hardening review's cases (issue 34): each hung, exhausted memory, crashed or wrote into
  // the user's files before. A hang shows as status null (killed at 60 s).
  const dir = mkdtempSync(join(tmpdir(), 'sim-attack-'));
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`;
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const users = join(dir, 'users');
  mkdirSync(users);
  writeFileSync(join(users, 'report.html'), 'mine');
  const cases: Array<[string[], RegExp]> = [
    [['run', 'scenarios/2000x20.yaml', '--trials', '1e11', '--out', join(dir, 'o')], /--trials: at most 2147483647/],
    [['jitter', '--clusters', '700', '--secrets', '30', '--verify', '--trials', '1e12'], /--trials: at most/],
    [['validate', file('cycle.yaml', 'name: a\nfleet: &a [*a]\n')], /a YAML alias refers to a node that contains it/],
    [['validate', file('sweep.yaml', `name: big\nfleet:\n  - {clusters: 10, secretSyncs: 1, objectsPerSync: 1}\nsweep:\n  jitterSeconds: ${values(100)}\n  fleet.0.clusters: ${values(100)}\n  fleet.0.objectsPerSync: ${values(100)}\n  horizon: ${values(10)}\n`)], /sweep: 10,000,000 points/],
    [['table', '--table', '/dev/zero'], /\/dev\/zero: not a regular file/],
    [['table', '--table', fifo], /fifo: not a regular file/],
    [['recommend', 'scenarios/2000x20.yaml', '--set', 'fleet.0.clusters=50000000', '--quiet'], /the run would need about/],
    [['validate', file('storm.yaml', 'name: s\nfleet:\n  - {clusters: 10, secretSyncs: 1, objectsPerSync: 1}\nclient:\n  retry: {maxRetries: 100, baseDelay: 0s, maxDelay: 0s}\n')], /client\.retry\.maxDelay: maxDelay 0 retries every failed GET/],
    [['run', 'test/fixtures/small.yaml', '--trials', '2', '--out', join(users, 'report.html')], /--out .*report\.html: is a file, not a folder/],
    [['run', 'test/fixtures/small.yaml', '--trials', '2', '--out', users], /holds report\.html but no run\.json/],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000, cwd: root });
    assert.is(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.is(readFileSync(join(users, 'report.html'), 'utf8'), 'mine');
  // --workers beyond the cores is capped, not a hundred thousand threads.
  const many = spawnSync(process.execPath, [cli, 'run', 'test/fixtures/small.yaml', '--trials', '2', '--workers', '100000', '--quiet', '--out', join(dir, 'many')], { encoding: 'utf8', timeout: 60_000, cwd: root });
  assert.is(many.status, 0, many.stderr);
  assert.ok(JSON.parse(readFileSync(join(dir, 'many', 'run.json'), 'utf8')).workers <= availableParallelism());
});

test('generated run.json tampering: sim report exits 0 or 2 in one line, and never puts a script into the page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-tamper-'));
  const good = join(dir, 'good');
  assert.is(spawnSync(process.execPath, [cli, 'run', 'test/fixtures/small.yaml', '--trials', '3', '--quiet', '--out', good], { cwd: root }).status, 0);
  const record = JSON.parse(readFileSync(join(good, 'run.json'), 'utf8'));
  const paths: string[][] = [];
  const walk = (v: unknown, at: string[]) => {
    if (at.length > 0) paths.push(at);
    if (v && typeof v === 'object' && at.length < 4) for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...at, k]);
  };
  walk(record, []);
  let n = 0;
  const codes: Record<string, number> = {};
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.oneof(junk, fc.constant('<script>alert(1)</script>')), (path, value) => {
      const copy = join(dir, `t${n++}`);
      cpSync(good, copy, { recursive: true });
      const r = structuredClone(record);
      let node = r;
      for (const k of path.slice(0, -1)) node = node[k];
      node[path.at(-1)!] = value;
      writeFileSync(join(copy, 'run.json'), JSON.stringify(r));
      const out = spawnSync(process.execPath, [cli, 'report', copy], { encoding: 'utf8', timeout: 60_000, cwd: root });
      codes[String(out.status)] = (codes[String(out.status)] ?? 0) + 1;
      assert.ok(out.status === 0 || out.status === 2, `${path.join('.')} = ${JSON.stringify(value)}: exit ${out.status}\n${out.stderr}`);
      if (out.status === 2) assert.is(out.stderr.trim().split('\n').length, 1, out.stderr);
      else assert.not.ok(readFileSync(join(copy, 'report.html'), 'utf8').includes('<script>alert'), `${path.join('.')}: a script in the page`);
    }),
    { seed: SEED + 2, numRuns: scaled(20, 4) },
  );
  console.log(`  (report of tampered run.json: ${JSON.stringify(codes)})`);
  assert.ok((codes['2'] ?? 0) > 0, 'refusals generated');
});

test.run();
