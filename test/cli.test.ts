import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixture, root, sim, simWithin } from './cli-runner.js';
import { parseArgs } from '../sim/cli/args.js';


test('flags parse into data', async () => {
  const a = await parseArgs(['run', 'x.yaml', '--trials', '50', '--seed', '9', '--workers', '2', '--set', 'a=1', '--set', 'b=2', '--json']);
  assert.equal(a, { command: 'run', scenario: 'x.yaml', trials: 50, seed: 9, workers: 2, engine: 'auto', out: undefined, set: ['a=1', 'b=2'], json: true, quiet: false, force: false, report: false, method: 'plain' });
  const c = await parseArgs(['run', 'x.yaml', '--engine', 'coupled']);
  assert.is((c as { engine: string }).engine, 'coupled');
  const j = await parseArgs(['jitter', '--clusters', '700', '--secrets', '30', '--jitter', '3m', '--longest-refresh', '75m']);
  assert.equal(j, { command: 'jitter', trials: undefined, seed: undefined, workers: undefined, engine: 'auto', clusters: 700, secrets: 30, risk: 1e-4, perSecondLimit: 400, jitter: 180, longestRefresh: 4500, poll: 3600, verify: false, method: 'plain', json: false });
  const r = await parseArgs(['recommend', 'x.yaml', '--target', '1e-3', '--metric', 'refreshOver']);
  assert.equal(r, { command: 'recommend', scenario: 'x.yaml', trials: undefined, seed: undefined, workers: undefined, engine: 'auto', target: 1e-3, metric: 'refreshOver', maxTrials: 100000, maxTime: 600, shapes: ['token-bucket', 'fixed-window', 'sliding-window'], method: 'plain', set: [], json: false, quiet: false });
  const one = await parseArgs(['recommend', 'x.yaml', '--shape', 'sliding-window', '--trials', '50', '--json']);
  assert.ok(one.command === 'recommend');
  assert.equal([one.shapes, one.trials, one.json], [['sliding-window'], 50, true]);
  for (const bad of [['jitter', '--clusters', '7'], ['jitter', '--clusters', '7', '--secrets', '3', '--jitter', 'soon'], ['recommend', 'x.yaml', '--metric', 'peakRps'], ['recommend', 'x.yaml', '--target', '0'], ['recommend', 'x.yaml', '--shape', 'leaky'], ['recommend', 'x.yaml', '--trials', '500', '--max-trials', '400'], ['run', 'x.yaml', '--trials', '0'], ['run', 'x.yaml', '--workers', '1.5'], ['run', 'x.yaml', '--bogus'], ['run', 'x.yaml', '--engine', 'fast'], ['run', 'x.yaml', '--method', 'rare'], ['fly', 'x.yaml']]) {
    try {
      await parseArgs(bad);
      assert.unreachable(bad.join(' '));
    } catch (e) {
      assert.is((e as Error).name, 'UserError', bad.join(' '));
    }
  }
});

test('sim run writes the three CSV files and run.json, a table on stdout, progress only on stderr', () => {
  const out = mkdtempSync(join(tmpdir(), 'sim-run-'));
  const r = sim('run', fixture, '--out', out, '--trials', '20', '--quiet');
  assert.is(r.code, 0, r.stderr);
  assert.equal(readdirSync(out).sort(), ['run.json', 'summary.csv', 'timeseries.csv', 'trials.csv']);
  assert.match(r.stdout, /throttled trials \[95% CI\]/);
  assert.is(r.stderr, '');
  const summary = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  assert.is(summary.length, 3, 'header and one row per sweep point');
  assert.is(readFileSync(join(out, 'trials.csv'), 'utf8').trim().split('\n').length, 41);
  const json = JSON.parse(sim('run', fixture, '--out', out, '--trials', '20', '--quiet', '--json').stdout);
  assert.is(json.length, 2);
  assert.is(json[0].jitterSeconds, '0');
  assert.is(json[1].jitterSeconds, '30');
  assert.ok(json[0].throttledTrial_mean > json[1].throttledTrial_mean, 'no jitter throttles more');
  assert.not.ok('assertions' in json[0], 'no assertions, no key');
  // With assertions: each row carries its point's verdicts, and a failed one exits 1.
  const checked = sim('run', fixture, '--out', out, '--trials', '20', '--quiet', '--json', '--set', 'assert=[throttledTrial_hi <= 1, peakRps_mean < 1000]');
  assert.is(checked.code, 1);
  const rows = JSON.parse(checked.stdout);
  assert.equal(rows[0].assertions.map((a: { assertion: string; holds: boolean }) => [a.assertion, a.holds]), [['throttledTrial_hi <= 1', true], ['peakRps_mean < 1000', rows[0].peakRps_mean < 1000]]);
  assert.is(rows[1].assertions[1].value, rows[1].peakRps_mean);
});

test('bad input: exit 2, one line on stderr naming the field, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-bad-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'name: bad\nfleet:\n  - {clusters: 10, secretSyncs: 2, jitterSeconds: soon}\n');
  const out = join(dir, 'out');
  for (const args of [['run', file, '--out', out], ['validate', file], ['run', join(dir, 'missing.yaml')], ['run', fixture, '--set', 'fleet.0.clusters=-1', '--out', out], ['run', fixture, '--trials', 'many'], ['recommend', fixture, '--metric', 'peakRps'], ['table', '--table', join(dir, 'missing.csv')]]) {
    const r = sim(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(r.stdout, '');
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^sim: /);
    assert.not.match(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
  assert.match(sim('validate', file).stderr, /fleet\.0\.jitterSeconds: expected a duration/);
  const r = sim('run', fixture, '--out', file, '--trials', '2', '--quiet');
  assert.is(r.code, 2);
  assert.is(r.stderr, `sim: --out ${file}: is a file, not a folder\n`);
  assert.not.ok(existsSync(out), 'no output folder for a rejected scenario');
});

test('hardening: flags without values, unreadable files, hostile YAML and paths are refused (exit 2, one line)', async () => {
  for (const flag of ['--trials', '--set', '--seed', '--workers']) {
    try {
      await parseArgs(['run', 'x.yaml', flag]);
      assert.unreachable(flag);
    } catch (e) {
      assert.is((e as Error).message, `${flag}: needs a value`);
    }
  }
  // A number is one seed however it is written.
  const seeds = await Promise.all(['1', '1.0', '1e0'].map((s) => parseArgs(['run', 'x.yaml', '--seed', s])));
  assert.equal(seeds.map((a) => (a as { seed: unknown }).seed), [1, 1, 1]);

  const dir = mkdtempSync(join(tmpdir(), 'sim-hostile-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const min = 'fleet:\n  - {clusters: 2, secretSyncs: 2}\n';
  // A billion laughs: nine levels of ten aliases.
  const laughs = ['name: x', 'a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
  for (let i = 1; i < 9; i++) laughs.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  const cases: Array<[string[], RegExp]> = [
    [['validate', '/dev/zero'], /^sim: \/dev\/zero: not a regular file$/],
    [['validate', write('big.yaml', 'name: x\n' + min + '#'.repeat(1 << 21))], /bytes; a scenario file is at most/],
    [['validate', write('alias.yaml', 'name: x\nfleet:\n  - {clusters: 2, secretSyncs: *nope}\n')], /YAML aliases: Unresolved alias/],
    [['validate', write('laughs.yaml', laughs.join('\n') + '\n' + min)], /YAML aliases: Excessive alias count/],
    [['validate', write('proto.yaml', 'name: x\n__proto__: {polluted: 1}\n' + min)], /__proto__: "__proto__" is not a scenario key/],
    [['validate', fixture, '--set', '__proto__.polluted=1'], /--set __proto__\.polluted: "__proto__" is not a scenario key/],
    [['validate', write('dots.yaml', 'name: ..\n' + min)], /name: cannot be "\." or "\.\."/],
    [['validate', write('lat.yaml', 'name: x\nfleet:\n  - {clusters: 2, secretSyncs: 2, latency: {median: 1s, p99: 10ms}}\n')], /fleet\.0\.latency\.p99: 0\.01s is below the median \(1s\)/],
    [['validate', write('requeue.yaml', 'name: x\n' + min + 'client: {requeue: {baseDelay: 0}}\n')], /client\.requeue\.baseDelay: must be greater than 0/],
    [['validate', write('bins.yaml', 'name: x\n' + min + 'metrics: {timeseriesBin: 1ms}\n')], /metrics\.timeseriesBin: 0\.001s makes 7,200,000 bins/],
  ];
  for (const [args, message] of cases) {
    const r = sim(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), message);
  }
  assert.is(({} as Record<string, unknown>).polluted, undefined, 'the prototype is untouched');
});

test('sim run starts its worker threads before it reads the scenario, and a run that stops early does not wait for them', () => {
  // The refused run exits at once with code 2, its threads stopped (releaseWorkers; piscina also
  // lets idle threads not hold a process open, so this guards the exit, not the release alone).
  const dir = mkdtempSync(join(tmpdir(), 'sim-early-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: x\nfleet: []\n');
  for (const args of [['run', bad, '--out', join(dir, 'a')], ['run', bad, '--workers', '2', '--out', join(dir, 'b')], ['run', join(dir, 'missing.yaml')]]) {
    const r = simWithin(30_000, ...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  // A run takes the started threads, and stops them when done.
  const ok = simWithin(120_000, 'run', fixture, '--trials', '4', '--workers', '1', '--quiet', '--out', join(dir, 'c'));
  assert.is(ok.code, 0, ok.stderr);
});

test('the size check: a run that cannot fit in memory is refused before it starts; validate gives the estimate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-size-'));
  const file = join(dir, 'huge.yaml');
  writeFileSync(file, 'name: huge\nfleet:\n  - {clusters: 10000000, secretSyncs: 1000}\n');
  const out = join(dir, 'out');
  const r = sim('run', file, '--out', out);
  assert.is(r.code, 2);
  assert.match(r.stderr.trim(), /^sim: .*huge\.yaml: the run would need about [\d,.]+ GB \(.* per worker and .* in the main thread\); this machine \(or its container\) allows [\d.]+ GB: .*--force runs it anyway\)$/);
  assert.not.ok(existsSync(out), 'nothing written');
  const v = sim('validate', file);
  assert.is(v.code, 0);
  assert.match(v.stdout, /estimated memory: [\d,.]+ GB per worker and \d+ MB in the main thread; up to 20,000,000,000 GETs per trial/);
  // A billion trials need no more memory than a million: the rows go to disk as they come.
  const estimate = (trials: string) => /estimated memory: .*/.exec(sim('validate', fixture, '--trials', trials).stdout)?.[0];
  assert.ok(estimate('1000000'));
  assert.is(estimate('1000000000'), estimate('1000000'));
  // A scenario that fits runs as before.
  assert.is(sim('run', fixture, '--trials', '2', '--quiet', '--out', join(dir, 'small')).code, 0);
});

test('sim validate is the dry run: per point the plan (GETs per round, rollouts and waves, GETs per vault, the recipe\'s busiest second)', () => {
  const staged = sim('validate', 'scenarios/staged-rollout.yaml');
  assert.is(staged.code, 0, staged.stderr);
  assert.match(staged.stdout, /^ {6}prod: 2,000 clusters x 20 SecretSyncs x 1 objects = 40,000 GETs per round \(20 per cluster\), each SecretSync's within J = 270 s of a rollout, then every 3600 s$/m);
  assert.match(staged.stdout, /^ {6}events\.0 rollout: 100% of the clusters \(2,000\), 4 waves at 3600 s, 3900 s, 4200 s, 4500 s$/m);
  assert.match(staged.stdout, /^ {6}GETs per full rollout: kv 40,000 \(limit 4,000 per 10 s\); the subscription's limit 20,000 per 10 s over all vaults$/m);
  // The recipe's own check at 270 s: 1 - PoissonCDF(20; 2000 / 270) (sim jitter prints the same).
  assert.match(staged.stdout, /^ {6}the recipe's busiest second for prod: 148 GETs\/s on average over J; a given second over 400\/s with probability 0\.0000325$/m);
  assert.match(staged.stdout, /the recipe's busiest second for prod: all 40,000 GETs in one second \(J = 0\); a given second over 400\/s with probability 1\.00$/m);
  const two = sim('validate', 'scenarios/two-vaults.yaml');
  assert.match(two.stdout, /^ {6}GETs per full rollout: kv-a 60,000 \(limit 4,000 per 10 s\), kv-b 60,000 \(limit 4,000 per 10 s\); the subscription's limit 20,000 per 10 s over all vaults$/m);
  assert.match(two.stdout, /^ {6}rollout at 0 s: all 6,000 clusters$/m);
});

test('run.json records the run; a folder holding another scenario\'s or seed\'s results is not replaced without --force', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'sim-record-')), 'out');
  assert.is(sim('run', fixture, '--out', out, '--trials', '3', '--quiet').code, 0);
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.is(record.version, pkg.version);
  assert.equal([record.scenario.name, record.trials, record.seed, record.command], ['small', 3, 3, ['run', fixture, '--out', out, '--trials', '3', '--quiet']]);
  assert.is(record.scenario.points.length, 2);
  assert.ok(record.wallSeconds > 0 && record.cores >= 1 && record.workers >= 1 && !Number.isNaN(Date.parse(record.startedAt)));
  // The same scenario and seed, more trials: replaced as before.
  assert.is(sim('run', fixture, '--out', out, '--trials', '4', '--quiet').code, 0);
  const before = readFileSync(join(out, 'summary.csv'), 'utf8');
  // Another seed, another scenario: refused, nothing touched.
  for (const args of [['--seed', '9'], ['--set', 'horizon=9m']]) {
    const r = sim('run', fixture, '--out', out, '--trials', '2', '--quiet', ...args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr.trim(), new RegExp(`^sim: --out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: holds the results of small \\(seed 3, 4 trials\\); this run is another (seed|scenario) and would replace them: a new --out, or --force$`));
    assert.is(readFileSync(join(out, 'summary.csv'), 'utf8'), before);
  }
  assert.is(sim('run', fixture, '--out', out, '--trials', '2', '--quiet', '--seed', '9', '--force').code, 0, '--force replaces them');
  assert.is(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).seed, 9);
});

test('a folder of the user\'s (files, no run.json) is not written into without --force: nothing of theirs is lost', () => {
  // It held the user's report.html and summary.csv: a run deleted and overwrote them, exit 0.
  const out = mkdtempSync(join(tmpdir(), 'sim-users-'));
  writeFileSync(join(out, 'report.html'), 'my report');
  writeFileSync(join(out, 'summary.csv'), 'my,numbers\n');
  for (const args of [['run', fixture, '--out', out, '--trials', '2', '--quiet'], ['run', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--trials', '50', '--out', out, '--quiet'], ['run', fixture, '--shard', '0/2', '--out', out, '--trials', '2', '--quiet']]) {
    const target = args.includes('--shard') ? join(out, 'shard-0-of-2') : out;
    if (args.includes('--shard')) {
      mkdirSync(target);
      writeFileSync(join(target, 'notes.txt'), 'mine');
    }
    const r = sim(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr.trim(), new RegExp(`^sim: --out ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: holds [^\n]+ but no (run|shard)\\.json: not a results folder of this tool's, and a run would overwrite its files: an empty or new --out, or --force$`));
  }
  assert.equal(readdirSync(out).sort(), ['report.html', 'shard-0-of-2', 'summary.csv']);
  assert.is(readFileSync(join(out, 'report.html'), 'utf8'), 'my report');
  assert.is(readFileSync(join(out, 'summary.csv'), 'utf8'), 'my,numbers\n');
  // An empty folder, and the tool's own shards folder beside merged results, are fine; --force writes anyway.
  const empty = mkdtempSync(join(tmpdir(), 'sim-empty-'));
  mkdirSync(join(empty, 'shards'));
  assert.is(sim('run', fixture, '--out', empty, '--trials', '2', '--quiet').code, 0);
  assert.is(sim('run', fixture, '--out', out, '--trials', '2', '--quiet', '--force').code, 0);
  assert.is.not(readFileSync(join(out, 'summary.csv'), 'utf8'), 'my,numbers\n');
});

test('one set: report and compare refuse a folder whose files are not the ones run.json records; a folder being written is locked', () => {
  // On a full disk a second run left a new summary.csv beside the old run.json and trials.csv,
  // and sim report accepted the mixed folder.
  const dir = mkdtempSync(join(tmpdir(), 'sim-set-'));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  assert.is(sim('run', fixture, '--out', a, '--trials', '3', '--quiet').code, 0);
  assert.is(sim('run', fixture, '--out', b, '--trials', '3', '--seed', '9', '--quiet').code, 0);
  const record = JSON.parse(readFileSync(join(a, 'run.json'), 'utf8'));
  assert.equal(Object.keys(record.files), ['summary.csv', 'timeseries.csv', 'trials.csv']);
  assert.match(record.files['trials.csv'].sha256, /^[0-9a-f]{64}$/);
  writeFileSync(join(a, 'summary.csv'), readFileSync(join(b, 'summary.csv')));
  for (const args of [['report', a], ['compare', a, b]]) {
    const r = sim(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr.trim(), /^sim: .*summary\.csv: not the file run\.json records \(\d+ bytes, SHA-256 [0-9a-f]{12}\.\.\., where it says \d+ bytes, [0-9a-f]{12}\.\.\.\): the folder mixes two runs' files; run the scenario again$/);
  }
  assert.not.ok(existsSync(join(a, 'report.html')), 'no report of a mixed folder');
  // A folder another live sim holds (its lock) is refused; a lock of a process that has ended is taken over.
  writeFileSync(join(b, '.sim.lock'), `${process.pid}\n`);
  for (const args of [['run', fixture, '--out', b, '--trials', '3', '--seed', '9', '--quiet'], ['report', b]]) {
    const r = sim(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(r.stderr.trim(), `sim: --out ${b}: another sim (pid ${process.pid}) is writing there; wait for it, or another --out`);
  }
  writeFileSync(join(b, '.sim.lock'), `${spawnSync(process.execPath, ['-e', '0']).pid}\n`);
  assert.is(sim('run', fixture, '--out', b, '--trials', '3', '--seed', '9', '--quiet').code, 0, 'a stale lock');
  assert.not.ok(existsSync(join(b, '.sim.lock')), 'released at the end');
});

test('a folder never holds two runs\' results: --force removes the replaced run\'s files, and a run removes a report made from the files it replaced', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'sim-replace-')), 'out');
  const files = () => readdirSync(out).sort();
  assert.is(sim('run', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--trials', '100', '--out', out, '--quiet').code, 0);
  assert.is(sim('run', fixture, '--out', out, '--trials', '2', '--quiet').code, 2, 'another scenario: refused without --force');
  let r = sim('run', fixture, '--out', out, '--trials', '2', '--report', '--force');
  assert.is(r.code, 0);
  assert.equal(files(), ['report.html', 'run.json', 'summary.csv', 'timeseries.csv', 'trials.csv'], 'the importance run\'s files are gone');
  assert.match(r.stderr, `; removed ${join(out, 'importance.json')}, ${join(out, 'importance.csv')} (another run's results)`);
  // The same scenario and seed again, without --report: the report of the replaced CSV files goes.
  r = sim('run', fixture, '--out', out, '--trials', '3');
  assert.is(r.code, 0);
  assert.equal(files(), ['run.json', 'summary.csv', 'timeseries.csv', 'trials.csv']);
  assert.match(r.stderr, `; removed ${join(out, 'report.html')} (made from the results replaced; sim report makes it anew)`);
  // An importance run of the same scenario and seed keeps a plain run's files; of another, --force removes them.
  assert.is(sim('run', 'scenarios/recipe-fleet.yaml', '--method', 'importance', '--trials', '100', '--out', out, '--quiet', '--force').code, 0);
  assert.equal(files(), ['importance.csv', 'importance.json']);
});

test('a failing assertion exits 1 and names the point', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-assert-'));
  const file = join(dir, 'a.yaml');
  writeFileSync(file, readFileSync(fixture, 'utf8') + 'assert:\n  - throttledTrial_hi < 0.5\n');
  const r = sim('run', file, '--out', join(dir, 'out'), '--trials', '20', '--quiet');
  assert.is(r.code, 1);
  assert.match(r.stderr, /assertion failed at point 0: throttledTrial_hi < 0.5/);
  assert.not.match(r.stderr, /point 1/);
  const recorded = JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8')).assertions;
  assert.equal(recorded.map((a: { point: number; holds: boolean }) => [a.point, a.holds]), [[0, false], [1, true]]);
  writeFileSync(file, readFileSync(fixture, 'utf8') + 'assert:\n  - vault.kv.headroom_mean > 1\n  - subscription.requests_mean > 0\n');
  const perVault = sim('run', file, '--out', join(dir, 'out2'), '--trials', '4', '--quiet');
  assert.is(perVault.code, 1, 'a per-vault column can be asserted on');
  assert.match(perVault.stderr, /assertion failed at point 0: vault\.kv\.headroom_mean > 1/);
  assert.not.match(perVault.stderr, /subscription/);
  writeFileSync(file, readFileSync(fixture, 'utf8') + 'assert:\n  - throttled_p99 < 5\n');
  assert.is(sim('validate', file).code, 2, 'an assertion on a column that does not exist');
});

test('sim recommend: each limiter shape\'s answer, the largest recommended, the same in --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-rec-'));
  const file = join(dir, 'r.yaml');
  // 100 clusters x 100 GETs at one instant against 4,000 per 10 s: some jitter is needed.
  writeFileSync(file, 'name: r\nseed: 2\nhorizon: 60\nfleet:\n  - {clusters: 100, secretSyncs: 1, objectsPerSync: 100, jitterSeconds: 1, latency: 0, rotationPollIntervalInSeconds: 1h}\nclient: {retry: none}\n');
  const args = ['recommend', file, '--target', '0.05', '--max-trials', '5000', '--workers', '1'];
  const r = sim(...args, '--json');
  assert.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.equal(a.shapes.map((s: { shape: string }) => s.shape), ['token-bucket', 'fixed-window', 'sliding-window']);
  const each = a.shapes.map((s: { jitterSeconds: number }) => s.jitterSeconds);
  assert.is(a.jitterSeconds, Math.max(...each));
  for (const s of a.shapes) assert.ok(s.proof.proven && s.proof.bound < 0.05 && s.cliff.jitterSeconds < s.jitterSeconds, JSON.stringify(s.proof));
  // The margin: a floor measured above the target, and the seconds between it and the answer.
  for (const s of a.shapes) assert.ok(s.margin === null || (s.margin.floor.lo > 0.05 && s.margin.seconds === s.jitterSeconds - s.margin.floor.jitterSeconds - 1), JSON.stringify(s.margin));
  assert.ok(a.shapes.some((s: { margin: unknown }) => s.margin !== null), 'a margin shown');
  assert.match(r.stderr, /\[sliding-window\] proof jitterSeconds \d+/, 'progress on stderr');
  const text = sim(...args, '--quiet');
  assert.is(text.stderr, '');
  assert.match(text.stdout, new RegExp(`recommended jitterSeconds: ${a.jitterSeconds} \\(the largest of the shapes\\)`));
  for (const s of a.shapes) assert.match(text.stdout, new RegExp(`${s.shape}\\s+${s.jitterSeconds}\\s`));
  for (const s of a.shapes) if (s.margin) assert.match(text.stdout, new RegExp(`\\s${s.margin.seconds} s \\(${s.margin.floor.jitterSeconds} s is above the target`));
  // --max-time: at the limit every shape says what it has (here nothing yet), in text and JSON, exit 1.
  const stopped = sim(...args, '--max-time', '1ms', '--json', '--quiet');
  assert.is(stopped.code, 1, stopped.stderr);
  assert.equal(JSON.parse(stopped.stdout).shapes.map((s: { stopped: boolean; jitterSeconds: number | null }) => [s.stopped, s.jitterSeconds]), [[true, null], [true, null], [true, null]]);
  const stoppedText = sim(...args, '--max-time', '1ms', '--quiet');
  assert.match(stoppedText.stdout, /token-bucket\s+none proven yet/);
  assert.match(stoppedText.stdout, /^no jitterSeconds proven under every shape before --max-time 0\.001 s \(\d+ trials\)/m);
  assert.match(stoppedText.stdout, /^stopped by --max-time 0\.001 s \(shared among the shapes\): token-bucket, fixed-window, sliding-window;/m);
  assert.is(sim(...args, '--max-time', 'soon').stderr.trim(), 'sim: --max-time: expected a duration above 0 such as 90s, 10m or 2h, got soon');
});

test('the recipe outside its domain: sim jitter says why, summary.csv leaves the cell empty with the reason', () => {
  const r = sim('jitter', '--clusters', '2000', '--secrets', '401');
  assert.is(r.code, 1);
  assert.match(r.stdout, /the recipe does not apply \(one cluster's 401 GETs in one second are more than the 400\/s limit/);
  assert.match(sim('jitter', '--clusters', '2000', '--secrets', '200', '--risk', '1e-5').stdout, /cannot reach risk 0.00001/);
  assert.not.match(r.stdout, /-\d/, 'no negative jitter');
  const dir = mkdtempSync(join(tmpdir(), 'sim-dom-'));
  const out = join(dir, 'out');
  assert.is(sim('run', fixture, '--set', 'fleet.0.objectsPerSync=30', '--trials', '2', '--quiet', '--out', out).code, 0);
  const [header, row] = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const cell = (c: string) => row[header.indexOf(c)];
  assert.is(cell('analyticJitterSeconds'), '');
  assert.match(cell('analyticNote'), /^one cluster's 600 GETs in one second/);
  assert.is(header[header.indexOf('analyticNote') + 1], 'vault.kv.requests_mean', 'then the per-vault columns');
});

test('sim --help shows the commands and examples', () => {
  const r = sim('--help');
  assert.is(r.code, 0);
  assert.match(r.stdout, /sim run <scenario>/);
  assert.match(r.stdout, /Examples:/);
});

test('CLI conventions: --version, bare sim and -h print and exit 0; a mistyped command gets a suggestion; every command has examples', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = sim('--version');
  assert.equal([version.code, version.stdout.trim()], [0, pkg.version]);
  for (const args of [[], ['-h'], ['--help']]) {
    const r = sim(...args);
    assert.is(r.code, 0, args.join(' '));
    assert.match(r.stdout, /^sim <command> \[options\]/);
    assert.match(r.stdout, /sim report <dir>/);
  }
  const typo = sim('rn', 'x.yaml');
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /^sim: Did you mean run\?/m);
  for (const command of ['run', 'validate', 'jitter', 'table', 'recommend', 'report', 'schema']) {
    const r = sim(command, '-h');
    assert.is(r.code, 0, command);
    assert.match(r.stdout, /\nExamples:\n  sim /, `${command} has examples`);
  }
});

test('--json on validate, jitter and table: the same numbers as the text and the files', () => {
  const v = sim('validate', fixture, '--json');
  assert.is(v.code, 0, v.stderr);
  const vj = JSON.parse(v.stdout);
  assert.equal([vj.ok, vj.name, vj.seed, vj.trials, vj.points.length, vj.points[1].sweep], [true, 'small', 3, 40, 2, { jitterSeconds: '30s' }]);
  assert.ok(vj.estimate.workerBytes > 0 && vj.estimate.getsPerTrial > 0);
  const text = sim('validate', fixture).stdout;
  assert.ok(text.includes(vj.estimate.text), 'the estimate as the text says it');
  const j = sim('jitter', '--clusters', '700', '--secrets', '30', '--json');
  const jj = JSON.parse(j.stdout);
  assert.match(sim('jitter', '--clusters', '700', '--secrets', '30').stdout, new RegExp(`recommended jitterSeconds: ${jj.recommended.jitterSeconds} `));
  assert.equal([jj.recipeApplies, jj.jitterSeconds, jj.simulated], [true, 190, null]);
  assert.ok(jj.probabilities.exactRefresh > jj.probabilities.exactSecond);
  const out = mkdtempSync(join(tmpdir(), 'sim-table-json-'));
  const t = sim('table', '--json', '--out', out);
  const rows = JSON.parse(t.stdout) as Array<Record<string, number>>;
  const csv = readFileSync(join(out, 'jitter-table.csv'), 'utf8').trim().split('\n');
  assert.is(rows.length, csv.length - 1);
  assert.equal(Object.keys(rows[0]), csv[0].split(','));
  assert.is(rows.filter((r) => r.differs === 1).length, csv.slice(1).filter((l) => l.split(',')[5] === '1').length);
});

test.run();

test('a swept text a spreadsheet would run as a formula is written as text; numbers, negative ones too, stay numbers', async () => {
  const { inertText } = await import('../sim/output/format.js');
  assert.is(inertText('=HYPERLINK("http://x","y")'), `'=HYPERLINK("http://x","y")`);
  for (const v of ['+1+1', '-x', '@SUM(A1)', '\tx']) assert.is(inertText(v), `'${v}`);
  for (const v of ['-3.5', '+2', 'kv-a', 'rollout', '']) assert.is(inertText(v), v);
  // End to end: a vault named "=1+2", swept as the group's vault.
  const out = join(mkdtempSync(join(tmpdir(), 'sim-formula-')), 'run');
  const r = sim('run', 'scenarios/recipe-fleet.yaml', '--set', 'vaults.0.name==1+2', '--set', 'sweep={fleet.0.vault: ["=1+2"]}', '--set', 'fleet.0.clusters=10', '--trials', '2', '--quiet', '--out', out);
  assert.is(r.code, 0, r.stderr);
  const [header, row] = readFileSync(join(out, 'summary.csv'), 'utf8').split('\n');
  assert.ok(header.startsWith('point,vault,'), header);
  assert.ok(row.startsWith(`0,'=1+2,`), row);
});
