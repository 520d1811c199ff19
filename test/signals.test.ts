import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, root } from './cli-runner.js';

/**
 * `sim run` stopped by a signal while its trials run (its trial rows spooled to temporary files):
 * the exit code a shell expects (128 + the signal's number), one line on stderr, no temporary
 * file and no result file left. Node as PID 1 ignored both signals before they were handled.
 */
async function stopped(signal: 'SIGTERM' | 'SIGINT'): Promise<{ code: number | null; stderr: string; left: string[] }> {
  const out = join(mkdtempSync(join(tmpdir(), 'sim-signal-')), 'out');
  const child = spawn(process.execPath, [cli, 'run', 'scenarios/2000x20.yaml', '--trials', '5000', '--workers', '1', '--quiet', '--out', out], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  // Wait for the spooled rows: the run is under way.
  for (let i = 0; i < 600 && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(readdirSync(out).some((f) => f.endsWith('.tmp')), 'the run had started spooling');
  child.kill(signal);
  const code = await exited;
  return { code, stderr, left: readdirSync(out) };
}

test('SIGTERM stops a run: exit 143, its temporary files removed, nothing written', async () => {
  const r = await stopped('SIGTERM');
  assert.is(r.code, 143, r.stderr);
  assert.is(r.stderr, 'sim: stopped by SIGTERM; nothing more written\n');
  assert.equal(r.left, []);
});

test('SIGINT stops a run: exit 130, its temporary files removed, nothing written', async () => {
  const r = await stopped('SIGINT');
  assert.is(r.code, 130, r.stderr);
  assert.equal(r.left, []);
});

test('a first SIGINT in recommend prints the best answer so far (exit 1: none proven yet); it used to print nothing', async () => {
  const child = spawn(process.execPath, [cli, 'recommend', 'scenarios/recipe-fleet.yaml', '--target', '1e-3', '--workers', '1'], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  // Interrupted during its first looks, before any proof.
  for (let i = 0; i < 600 && !stderr.includes('look'); i++) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  const code = await exited;
  assert.match(stderr, /sim: SIGINT: stopping after the part of the look or proof under way, with the best answer so far/);
  assert.match(stdout, /^stopped by SIGINT: token-bucket, fixed-window, sliding-window;/m, stdout);
  assert.match(stdout, /token-bucket\s+(none proven yet|\d+ \(stopped early\)|\d+ \(the sliding window's\))/);
  assert.ok(code === 0 || code === 1, `exit ${code}`);
});

test.run();
