import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileDigest } from '../sim/output/digest.js';
import { checkShards, type ShardFolder, type ShardRecord } from '../sim/output/shard-folder.js';
import { shardRange } from '../sim/run/shard.js';
import { cli, fixture, root, sim } from './cli-runner.js';

// The small fixture: a sweep of two points, one throttling (J = 0), an outage, rotations and restarts.
const dir = mkdtempSync(join(tmpdir(), 'sim-shards-'));
const FILES = ['summary.csv', 'timeseries.csv', 'trials.csv'];
/** Trials per point: not a multiple of 3 or 7, so shards differ in size. */
const TRIALS = '22';
/** run.json's fields that say how a run went (they differ between any two runs); the rest is compared. */
const EXECUTION = ['command', 'startedAt', 'wallSeconds', 'cores', 'workers'];

/** `sim ...args` in a process of its own, as a Job's pod runs it, with JOB_COMPLETION_INDEX set. */
function pod(index: number, ...args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, JOB_COMPLETION_INDEX: String(index) }, stdio: 'ignore' });
    child.on('close', resolve);
  });
}

async function shards(n: number): Promise<string> {
  const out = join(dir, `shards-${n}`);
  const codes = await Promise.all(Array.from({ length: n }, (_, i) => pod(i, 'run', fixture, '--trials', TRIALS, '--shard', `auto/${n}`, '--workers', '1', '--quiet', '--out', out)));
  assert.equal(codes, Array(n).fill(0), `${n} shards`);
  return out;
}

const record = (folder: string) => {
  const r = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8')) as Record<string, unknown>;
  for (const k of EXECUTION) delete r[k];
  return r;
};

const single = join(dir, 'single');

test('1, 3 and 7 shards, each run as a process of its own, merge into the bytes of one run', async () => {
  assert.is(sim('run', fixture, '--trials', TRIALS, '--quiet', '--out', single).code, 0);
  for (const n of [1, 3, 7]) {
    const out = join(dir, `merged-${n}`);
    const m = sim('merge', await shards(n), '--out', out, '--quiet');
    assert.is(m.code, 0, m.stderr);
    for (const f of FILES) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(single, f))), `${n} shards: ${f}`);
    assert.equal(record(out), record(single), `${n} shards: run.json but for how it ran`);
  }
  const rows = readFileSync(join(single, 'trials.csv'), 'utf8').trim().split('\n');
  assert.is(rows.length, 1 + 2 * 22, 'every trial of both points once');
  assert.match(readFileSync(join(single, 'summary.csv'), 'utf8'), /\n0,0,300,/, 'point 0: J = 0');
});

test('sim merge refuses a missing, duplicated, overlapping or foreign shard: one line naming it, exit 2, nothing written', async () => {
  const three = join(dir, 'shards-3');
  const s = (i: number, n = 3, base = three) => join(base, `shard-${i}-of-${n}`);
  const two = join(dir, 'two');
  for (const i of [0, 1]) assert.is(sim('run', fixture, '--trials', TRIALS, '--shard', `${i}/2`, '--workers', '1', '--quiet', '--out', two).code, 0);
  const other = join(dir, 'other-seed');
  assert.is(sim('run', fixture, '--trials', TRIALS, '--shard', '2/3', '--seed', '4', '--workers', '1', '--quiet', '--out', other).code, 0);
  const cases: Array<[string[], RegExp]> = [
    [[s(0), s(2)], /^sim: trials 7 to 13 of every point are in no shard given \(of 22\): a shard missing\?$/],
    [[s(0), s(1)], /^sim: trials 14 to 21 of every point are in no shard given \(of 22\): a shard missing\?$/],
    [[s(0), s(1), s(2), s(1)], /^sim: .*shard-1-of-3: shard 1\/3 given twice \(also .*shard-1-of-3\)$/],
    [[s(0, 2, two), s(1), s(2)], /^sim: .*shard-1-of-3: its trials 7 to 13 overlap those of .*two\/shard-0-of-2 \(0 to 10\)$/],
    [[s(0), s(1), s(2, 3, other)], /^sim: .*other-seed\/shard-2-of-3: a shard of seed 4, not 3 as .*shard-0-of-3: it does not belong with the others$/],
    [[join(dir, 'nowhere')], /^sim: .*nowhere: no such folder$/],
    [[single], /^sim: .*single: not a shard folder \(no shard\.json in it or in its subfolders\)$/],
  ];
  for (const [given, message] of cases) {
    const out = join(dir, 'refused');
    const r = sim('merge', ...given, '--out', out);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), message);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.not.ok(existsSync(join(out, 'summary.csv')), 'nothing written');
  }
  // Shards of another version of the tool: one among others, then all of them.
  for (const i of [0, 1]) {
    const shard = join(s(i, 2, two), 'shard.json');
    writeFileSync(shard, readFileSync(shard, 'utf8').replace(/"version": "[^"]+"/, '"version": "0.0.1"'));
    const r = sim('merge', s(0, 2, two), s(1, 2, two), '--out', join(dir, 'refused'));
    assert.is(r.code, 2);
    assert.match(r.stderr.trim(), i === 0 ? /^sim: .*shard-1-of-2: a shard of version \d+\.\d+\.\d+, not 0\.0\.1 as .*shard-0-of-2: it does not belong with the others$/ : /^sim: .*shard-0-of-2: written by version 0\.0\.1; this is \d+\.\d+\.\d+: merge with the version that ran the shards$/);
  }
  // A shard.json is untrusted (shard folders come from other pods): a wrong type is one line
  // naming the field, not a stack or a script in the merged report.
  const tampers: Array<[string, (r: Record<string, any>) => void]> = [
    ['execution.workers', (r) => (r.execution.workers = '<script>alert(1)</script>')],
    ['execution', (r) => delete r.execution],
    ['scenario.set', (r) => (r.scenario.set = 5)],
    ['trials', (r) => (r.trials = null)],
    ['to', (r) => (r.to = r.trials + 1)],
    ['shard.index', (r) => (r.shard.index = 3)],
  ];
  for (const [field, tamper] of tampers) {
    const copy = join(dir, `tampered-${field}`);
    cpSync(three, copy, { recursive: true });
    const file = join(s(1, 3, copy), 'shard.json');
    const record = JSON.parse(readFileSync(file, 'utf8'));
    tamper(record);
    writeFileSync(file, JSON.stringify(record));
    const out = join(dir, 'refused');
    const r = sim('merge', s(0, 3, copy), s(1, 3, copy), s(2, 3, copy), '--report', '--out', out);
    assert.is(r.code, 2, `${field}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`sim: ${file}: ${field}: not `) && r.stderr.trim().split('\n').length === 1, `${field}: ${r.stderr}`);
    assert.not.ok(existsSync(join(out, 'summary.csv')), 'nothing written');
  }
});

test('sim merge checks content: dropped, garbage, swapped or cut rows, edited sums, a huge sums file: one line, exit 2, nothing written', async () => {
  // Each merged with exit 0 into wrong files (a row cut mid-line exited 2 but wrote summary.csv).
  const dir = mkdtempSync(join(tmpdir(), 'sim-content-'));
  const three = join(dir, 'three');
  const s = (i: number, n = 3, base = three) => join(base, `shard-${i}-of-${n}`);
  for (const i of [0, 1, 2]) assert.is(sim('run', fixture, '--trials', TRIALS, '--shard', `${i}/3`, '--workers', '1', '--quiet', '--out', three).code, 0);
  const rows = (copy: string) => join(s(1, 3, copy), 'trials.0.csv');
  const sums = (copy: string) => join(s(1, 3, copy), 'sums.0.json');
  const lines = (text: string) => text.split('\n').slice(0, -1);
  const edits: Array<[string, (copy: string) => void, RegExp, boolean]> = [
    ['a row dropped', (c) => writeFileSync(rows(c), lines(readFileSync(rows(c), 'utf8')).slice(1).join('\n') + '\n'), /trials\.0\.csv: \d+ bytes where shard\.json says \d+: edited or cut short$/, false],
    ['rows swapped', (c) => { const l = lines(readFileSync(rows(c), 'utf8')); [l[0], l[1]] = [l[1], l[0]]; writeFileSync(rows(c), l.join('\n') + '\n'); }, /trials\.0\.csv: its SHA-256 is not the one shard\.json records: edited$/, false],
    ['a row cut mid-line', (c) => { const t = readFileSync(rows(c), 'utf8'); writeFileSync(rows(c), t.slice(0, -5)); }, /trials\.0\.csv: \d+ bytes where shard\.json says \d+: edited or cut short$/, false],
    ['sums with more 429s than GETs', (c) => { const d = JSON.parse(readFileSync(sums(c), 'utf8')); d.throttled[0] = d.requests[0] + 1; writeFileSync(sums(c), JSON.stringify(d)); }, /sums\.0\.json: (\d+ bytes where shard\.json says \d+: edited or cut short|its SHA-256 is not the one shard\.json records: edited)$/, false],
    // With shard.json's digests rewritten to match, the content checks still hold.
    ['rows swapped, digests rewritten', (c) => { const l = lines(readFileSync(rows(c), 'utf8')); [l[0], l[1]] = [l[1], l[0]]; writeFileSync(rows(c), l.join('\n') + '\n'); }, /trials\.0\.csv: row 1 is trial "\d+", not \d+: rows dropped, swapped or edited$/, true],
    ['garbage rows, digests rewritten', (c) => { const l = lines(readFileSync(rows(c), 'utf8')); l[2] = l[2].replace(/,[^,]*$/, ',=cmd|x'); writeFileSync(rows(c), l.join('\n') + '\n'); }, /trials\.0\.csv: row 3 \(trial \d+\) is not \d+ numbers$/, true],
    ['sums with more 429s than GETs, digests rewritten', (c) => { const d = JSON.parse(readFileSync(sums(c), 'utf8')); d.throttled[0] = d.requests[0] + 1; writeFileSync(sums(c), JSON.stringify(d)); }, /sums\.0\.json: throttled\.0: not at most requests\.0 \(a 429 answers a GET\); not a record this tool wrote$/, true],
    ['a 450 MB sums file', (c) => { const fd = openSync(sums(c), 'r+'); ftruncateSync(fd, 450 * 2 ** 20); closeSync(fd); }, /sums\.0\.json: 471,859,200 bytes; a sums file is at most 268,435,456: not one this tool wrote$/, false],
  ];
  for (const [what, edit, message, rewrite] of edits) {
    const copy = join(dir, what.replace(/\W+/g, '-'));
    cpSync(three, copy, { recursive: true });
    edit(copy);
    if (rewrite) {
      const record = join(s(1, 3, copy), 'shard.json');
      const r = JSON.parse(readFileSync(record, 'utf8'));
      for (const name of Object.keys(r.files)) r.files[name] = fileDigest(join(s(1, 3, copy), name));
      writeFileSync(record, JSON.stringify(r));
    }
    const out = join(dir, 'refused');
    const r = sim('merge', s(0, 3, copy), s(1, 3, copy), s(2, 3, copy), '--out', out);
    assert.is(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr.trim(), message, what);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.not.ok(existsSync(join(out, 'summary.csv')), `${what}: nothing written`);
  }
  assert.is(sim('merge', s(0, 3, three), s(1, 3, three), s(2, 3, three), '--out', join(dir, 'merged'), '--quiet').code, 0, 'the untouched shards merge');
});

test('shard ranges: more shards than trials leave some empty, still every trial once; an empty shard twice is caught', () => {
  const folder = (index: number, count: number, trials: number): ShardFolder => {
    const [from, to] = shardRange(index, count, trials);
    return { dir: `s${index}of${count}`, record: { version: '1', scenario: { identity: 'x', name: 'x' }, seed: 1, trials, from, to, shard: { index, count } } as unknown as ShardRecord };
  };
  for (const [trials, count] of [[5, 7], [40, 7], [1, 3], [384142, 8]]) {
    const all = Array.from({ length: count }, (_, i) => folder(i, count, trials));
    assert.is(checkShards([...all].reverse()).length, count, `${trials} trials in ${count} shards`);
    assert.is(all.reduce((n, f) => n + f.record.to - f.record.from, 0), trials);
  }
  const five = Array.from({ length: 7 }, (_, i) => folder(i, 7, 5));
  assert.throws(() => checkShards([...five, folder(0, 7, 5)]), /s0of7: shard 0\/7 given twice \(also s0of7\)/);
  assert.throws(() => checkShards(five.filter((_, i) => i !== 1)), /^trials 0 to 0 of every point are in no shard given/);
});

test('--shard: i/n checked, auto/n takes JOB_COMPLETION_INDEX', () => {
  for (const [flag, message] of [
    ['3/3', /--shard 3\/3: shard 3 of 3 does not exist \(shards are numbered 0 to 2\)/],
    ['1/0', /--shard: n must be at least 1/],
    ['a/3', /--shard: expected i\/n/],
    ['auto/3', /--shard auto\/3: JOB_COMPLETION_INDEX is not set/],
    ['0/2 --report', /--report: a shard writes no summary; give it to sim merge/],
  ] as Array<[string, RegExp]>) {
    const [shard, ...more] = flag.split(' ');
    const r = sim('run', fixture, '--shard', shard, ...more, '--out', join(dir, 'bad'));
    assert.is(r.code, 2, flag);
    assert.match(r.stderr, message);
  }
});

test.run();
