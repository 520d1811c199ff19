import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'uvu/run';
import { SKIP_MARKER } from './browser.js';
import { failureExcerpt } from './mutation-report.js';

/**
 * Runs every *.test.js beside this file with uvu, then closes with the plain line
 * "N passed, N failed" (uvu prints only its own totals), so that a run of no test shows.
 */
const here = dirname(fileURLToPath(import.meta.url));
// --quick (npm run test:quick, the inner loop): the statistical tests at a tenth of their trials
// and the quick part of those that run whole scenarios (TEST_SCALE, TEST_QUICK: helpers.ts), and
// without the files whose worth is in child processes and whole runs (the command line, shards,
// fuzzing, the recipe's and the report's end-to-end checks): npm test runs everything.
const quick = process.argv[2] === '--quick';
const QUICK_LEAVES_OUT = ['bounded-memory', 'cli', 'determinism', 'docs-commands', 'fuzz', 'import', 'kubernetes', 'recipe-check', 'report', 'shards', 'signals', 'compare', 'point-failure', 'jitter-search'];
if (quick) {
  process.env.TEST_QUICK = '1';
  process.env.TEST_SCALE ??= '0.1';
}
// Optional: a comma-separated list of parts of test file names, run in that order (npm run
// mutate runs a fast subset, the quickest first so that a killed mutant costs little).
const only = quick ? undefined : process.argv[2]?.split(',');
const rank = (f: string) => (only ? only.findIndex((part) => f.includes(part)) : 0);
// Under npm run mutate, the tests named after the mutated file go first: they are the likeliest
// to kill its mutant, and the run stops at the first failure.
const focus = mutatedModule(process.env.__STRYKER_ACTIVE_MUTANT__);
const first = (f: string) => (focus !== undefined && f.startsWith(`${focus}.`) ? 0 : 1);
const leftOut = (f: string) => quick && QUICK_LEAVES_OUT.includes(f.replace(/\.test\.js$/, ''));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.js') && rank(f) >= 0 && !leftOut(f))
  .sort((a, b) => first(a) - first(b) || rank(a) - rank(b) || a.localeCompare(b))
  .map((name) => ({ name, file: join(here, name) }));

/** The name of the module (dist/sim/**) whose code holds Stryker's mutant `id` (a number). */
function mutatedModule(id: string | undefined): string | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  const marker = new RegExp(`stryMutAct_\\w+\\("${id}"\\)`);
  const sim = join(here, '..', 'sim');
  for (const entry of readdirSync(sim, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.js') && marker.test(readFileSync(join(entry.parentPath, entry.name), 'utf8'))) return entry.name.slice(0, -3);
  }
  return undefined;
}

let captured = '';
const write = process.stdout.write.bind(process.stdout);
// TEST_BAIL=1 (npm run mutate): stop at the first failure, so that a killed mutant costs little,
// and print only that failure (Stryker keeps the output as the reason a mutant was killed).
const bail = process.env.TEST_BAIL === '1';
// uvu prints each file's name as it starts it: "file k of n" and the time so far go before it, so
// that a long run shows where it is.
const names = files.map((f) => f.name);
const started = Date.now();
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  let text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  const k = names.indexOf(text.replace(/\x1b\[[0-9;]*m/g, '').trim());
  if (k >= 0) text = `[file ${k + 1} of ${names.length}, ${Math.round((Date.now() - started) / 1000)} s] ${text}`;
  captured += text;
  return bail || write(text, ...rest);
}) as typeof process.stdout.write;
if (bail) process.on('exit', (code) => code !== 0 && write(`${failureExcerpt(captured)}\n`));

await run(files, { bail });
process.stdout.write = write;

const plain = captured.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const failed = total - passed;
// A test that could not run here (skipTest) returned early and uvu counted it as passed.
const skips = plain.split('\n').filter((line) => line.startsWith(SKIP_MARKER));
if (total === 0) process.exitCode = 1;
for (const line of skips) process.stdout.write(`${line}\n`);
const omitted = quick ? `; quick: ${readdirSync(here).filter((f) => f.endsWith('.test.js') && leftOut(f)).length} files left out (npm test runs them)` : '';
process.stdout.write(`${passed - skips.length} passed, ${failed} failed${skips.length ? `, ${skips.length} skipped` : ''}${omitted}\n`);
