import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareOutputFolder, tempPath, writeFilesAtomically } from '../sim/output/output-folder.js';
import { UserError } from '../sim/scenario/errors.js';

const FILES: Array<[string, string]> = [
  ['summary.csv', 'point\n0\n'],
  ['timeseries.csv', 't\n0\n'],
  ['trials.csv', 'trial\n0\n'],
];

test('the result files are written as a set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
  assert.equal(writeFilesAtomically(dir, FILES), FILES.map(([n]) => join(dir, n)));
  assert.equal(readdirSync(dir).sort(), ['summary.csv', 'timeseries.csv', 'trials.csv']);
});

test('a file that cannot be written: one line naming it, nothing written, no temporary file left', () => {
  // Writing timeseries.csv fails as on a full disk, after the summary's temporary file was
  // written. The summary was written alone before, beside another run's run.json and trials.csv.
  const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
  writeFileSync(join(dir, 'summary.csv'), 'the previous run\n');
  const full = (): void => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  try {
    writeFilesAtomically(dir, [FILES[0], ['timeseries.csv', full], FILES[2]]);
    assert.unreachable('written');
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as Error).message, `--out ${dir}: could not write timeseries.csv (ENOSPC: no space left on device); nothing written, the folder's files are as they were`);
  }
  assert.is(readFileSync(join(dir, 'summary.csv'), 'utf8'), 'the previous run\n');
  assert.equal(readdirSync(dir), ['summary.csv'], 'temporary files removed');
});

test('temporary files are unpredictable and created exclusively: a planted symlink is not followed', () => {
  // The old names were .<name>.<pid>.tmp: node as PID 1 in a container made them constant, and
  // a symlink planted there sent the write to its target.
  const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
  const victim = join(mkdtempSync(join(tmpdir(), 'sim-victim-')), 'precious.txt');
  writeFileSync(victim, 'mine');
  for (const [name] of FILES) symlinkSync(victim, join(dir, `.${name}.${process.pid}.tmp`));
  writeFilesAtomically(dir, FILES);
  assert.is(readFileSync(victim, 'utf8'), 'mine');
  assert.is(readFileSync(join(dir, 'summary.csv'), 'utf8'), 'point\n0\n');
  const a = tempPath(dir, 'summary.csv');
  assert.match(a, /\.summary\.csv\.\d+\.[0-9a-f]{12}\.tmp$/);
  assert.is.not(a, tempPath(dir, 'summary.csv'));
});

test('an output folder that cannot be created is refused at once (Node\'s recursive mkdir spins on /proc)', () => {
  const r = spawnSync(process.execPath, ['-e', `import('${pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'sim', 'output', 'output-folder.js')).href}').then((m) => { try { m.prepareOutputFolder('/proc/sim-test/out'); } catch (e) { console.log(e.message); } })`], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.signal, null, 'it returned');
  if (existsSync('/proc/self')) assert.is(r.stdout.trim(), '--out /proc/sim-test/out: cannot be created (ENOENT)');
  const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
  prepareOutputFolder(join(dir, 'a', 'b', 'c'));
  assert.ok(existsSync(join(dir, 'a', 'b', 'c')), 'nested folders are made');
});

test('temporary files a killed run left are removed; a live run\'s and other files are not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
  // A process that has ended: its id is free (and not reused within this test).
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const strays = [`.summary.csv.${dead}.0123456789ab.tmp`, `.trials.csv.${dead}.a1b2c3d4e5f6.tmp`];
  const kept = [`.summary.csv.${process.ppid}.0123456789ab.tmp`, `.notes.txt.${dead}.0123456789ab.tmp`, 'notes.txt'];
  for (const f of [...strays, ...kept]) writeFileSync(join(dir, f), 'x');
  writeFilesAtomically(dir, FILES);
  assert.equal(readdirSync(dir).sort(), [...kept, 'summary.csv', 'timeseries.csv', 'trials.csv'].sort());
});

test.run();
