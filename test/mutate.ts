import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { incrementalFile, notCurrent, readReport, recordWithoutMutants } from './mutation-report.js';

/**
 * `npm run mutate [-- <stryker options>]`: Stryker over the files of the scope whose results
 * the incremental file lacks or holds for another source (or marks incomplete). Its mutants are
 * compiled into every test run, and a hot loop's code slows by an order of magnitude with them:
 * scoping the run to what changed keeps each mutant's test run near the plain one.
 *
 * - `--mutate <files>` tests those files instead.
 * - `--survivors [files]` re-tests the survivors the incremental file holds for today's code
 *   (their exact ranges, forced), with today's tests, of the files given (comma-separated) or
 *   of all: the incremental mode reuses a result whose code did not change however the tests
 *   changed.
 *
 * Stryker runs on a scratch copy of the incremental file (it would rewrite the real one from the
 * run's files alone, with today's source for every other file, dropping the mutants of their
 * changed code); its events (results/mutation/events, one per tested mutant) are then merged into
 * the real one (mutation-merge.js). A run that stops before its end leaves its events: the next
 * `npm run mutate` merges them first, so that no tested mutant is lost.
 */
const EVENTS = join('results', 'mutation', 'events');
const SCRATCH = join('results', 'mutation', 'scratch-incremental.json');
const args = process.argv.slice(2);

function mergeEvents(): void {
  if (!existsSync(EVENTS)) return;
  execFileSync('node', ['dist/test/mutation-merge.js', EVENTS], { stdio: 'inherit' });
  rmSync(EVENTS, { recursive: true });
}

if (existsSync(EVENTS)) console.log(`folding in the events of the last run (${EVENTS})`);
mergeEvents();
const files = existsSync(incrementalFile()) ? readReport(incrementalFile()).files : {};
const changed = notCurrent(files);

let extra: string[];
const survivors = args.indexOf('--survivors');
if (survivors >= 0) {
  const only = args[survivors + 1]?.startsWith('--') === false ? args[survivors + 1].split(',') : null;
  const unknown = only?.filter((f) => !(f in files)) ?? [];
  if (unknown.length > 0) {
    console.error(`--survivors: ${unknown.join(', ')}: not in ${incrementalFile()}`);
    process.exit(2);
  }
  // Each survivor's range as --mutate reads it (lines from 1, columns from 0).
  const ranges = Object.entries(files)
    .filter(([name]) => !changed.includes(name) && (only === null || only.includes(name)))
    .flatMap(([name, file]) =>
      file.mutants
        .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
        .map(({ location: { start, end } }) => `${name}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`),
    );
  console.log(`re-testing ${ranges.length} survivors (those of files not tested on today's code wait for their files' run: ${changed.join(' ') || 'none'})`);
  extra = ['--mutate', ranges.join(','), '--force', ...args.filter((a, i) => i !== survivors && !(only && i === survivors + 1))];
} else if (args.includes('--mutate')) {
  extra = args;
} else if (changed.length === 0) {
  console.log(`every mutant's result in ${incrementalFile()} is for today's code: node dist/test/mutation-summary.js prints the score`);
  process.exit(0);
} else {
  console.log(`files to test: ${changed.join(' ')}`);
  extra = ['--mutate', changed.join(','), ...args];
}
mkdirSync(join('results', 'mutation'), { recursive: true });
if (existsSync(incrementalFile())) copyFileSync(incrementalFile(), SCRATCH);
// Stryker's own script in a child of this process (not through npx), so that stopping it
// (`pkill -x stryker`: it names its process so) lets this process merge its events only once it
// has exited.
const stryker = join('node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.json', '--incrementalFile', SCRATCH, ...extra], { stdio: 'inherit' });
mergeEvents();
// A whole file the run took that holds no mutant (types, constants) has no event: recorded with
// none, so that it counts as tested on today's code.
if (run.status === 0) recordWithoutMutants(extra[extra.indexOf('--mutate') + 1].split(',').filter((f) => !/:\d/.test(f)));
process.exit(run.status ?? 1);
