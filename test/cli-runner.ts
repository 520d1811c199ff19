import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's folder, the built CLI and the small fixture, for the tests that run `sim` as a user would. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
/** The file `npx sim` runs: package.json's bin (the bundle that sim/build-cli.mjs writes), under dist. */
export const bin = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { sim: string } }).bin.sim;
/**
 * The same file in this build's own folder (dist links to the newest build, sim/build.mjs): a
 * test run keeps testing the build it started with, whatever is built meanwhile.
 */
export const cli = fileURLToPath(new URL(`../${bin.replace(/^dist\//, '')}`, import.meta.url));
export const fixture = join(root, 'test', 'fixtures', 'small.yaml');

/** `sim ...args` in a process of its own, from the project's folder. */
export function sim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return simWithin(0, ...args);
}

/** `sim ...args`, killed after `ms` milliseconds (0: never); its code is null when killed. */
export function simWithin(ms: number, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, timeout: ms });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
