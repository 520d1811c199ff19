import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareOutputFolder, writeFilesAtomically } from '../sim/output/output-folder.js';
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

test('a file that cannot be written: one line naming it, no temporary file left, the summary kept', () => {
  // The place of timeseries.csv's temporary file is taken by a folder: writing it fails as a
  // full disk would, after the summary's temporary file was written.
  const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
  mkdirSync(join(dir, `.timeseries.csv.${process.pid}.tmp`));
  try {
    writeFilesAtomically(dir, FILES);
    assert.unreachable('written');
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as Error).message, `--out ${dir}: could not write timeseries.csv (EISDIR: illegal operation on a directory); wrote summary.csv only`);
  }
  assert.is(readFileSync(join(dir, 'summary.csv'), 'utf8'), 'point\n0\n');
  assert.not.ok(existsSync(join(dir, 'trials.csv')));
  assert.not.ok(readdirSync(dir).some((f) => f.startsWith('.summary') || f.startsWith('.trials')), 'temporary files removed');
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
  const strays = [`.summary.csv.${dead}.tmp`, `.trials.csv.${dead}.tmp`];
  const kept = [`.summary.csv.${process.ppid}.tmp`, `.notes.txt.${dead}.tmp`, 'notes.txt'];
  for (const f of [...strays, ...kept]) writeFileSync(join(dir, f), 'x');
  writeFilesAtomically(dir, FILES);
  assert.equal(readdirSync(dir).sort(), [...kept, 'summary.csv', 'timeseries.csv', 'trials.csv'].sort());
});

test.run();
