import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { incrementalFile, notCurrent, readReport } from './mutation-report.js';

/**
 * `npm run mutate [-- <stryker options>]`: Stryker over the files of the scope whose results
 * the incremental file lacks or holds for another source. Its mutants are compiled into every
 * test run, and a hot loop's code slows by an order of magnitude with them: scoping the run to
 * what changed keeps each mutant's test run near the plain one.
 *
 * - `--mutate <files>` adds files; a file that changed is always in the run (a run without it
 *   would rewrite the incremental file with today's source for it and drop the mutants of its
 *   changed code unnoticed).
 * - `--survivors` re-tests the survivors the incremental file holds for today's code (their
 *   exact ranges, forced), with today's tests: the incremental mode reuses a result whose
 *   code did not change however the tests changed.
 *
 * A run that stops before its end leaves its events (results/mutation/events): the next
 * `npm run mutate` folds them in first (mutation-merge.js), so that no tested mutant is lost.
 */
const EVENTS = join('results', 'mutation', 'events');
const args = process.argv.slice(2);

const merge = () => execFileSync('node', ['dist/test/mutation-merge.js', EVENTS], { stdio: 'inherit' });
if (existsSync(EVENTS)) {
  console.log(`folding in the events of the last run (${EVENTS})`);
  merge();
  rmSync(EVENTS, { recursive: true });
}
const files = existsSync(incrementalFile()) ? readReport(incrementalFile()).files : {};
const changed = notCurrent(files);

function stryker(extra: string[]): number {
  return spawnSync('npx', ['stryker', 'run', 'stryker.config.json', ...extra], { stdio: 'inherit' }).status ?? 1;
}

if (args.includes('--survivors')) {
  // Each survivor's range as --mutate reads it (lines from 1, columns from 0).
  const ranges = Object.entries(files)
    .filter(([name]) => !changed.includes(name))
    .flatMap(([name, file]) =>
      file.mutants
        .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
        .map(({ location: { start, end } }) => `${name}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`),
    );
  console.log(`re-testing ${ranges.length} survivors (those of files that changed wait for their files' run: ${changed.join(' ') || 'none'})`);
  // Forced, into a scratch incremental file: Stryker would rewrite the real one from this run's
  // few mutants. Its events are merged instead.
  const scratch = join('results', 'mutation', 'survivors-incremental.json');
  const status = stryker(['--mutate', ranges.join(','), '--force', '--incrementalFile', scratch, ...args.filter((a) => a !== '--survivors')]);
  if (status === 0) {
    merge();
    rmSync(EVENTS, { recursive: true });
  }
  process.exit(status);
}
const chosen = args.indexOf('--mutate');
const scope = [...new Set([...(chosen >= 0 ? args[chosen + 1].split(',') : []), ...changed])];
if (scope.length === 0) {
  console.log(`every mutant's result in ${incrementalFile()} is for today's code: node dist/test/mutation-summary.js prints the score`);
  process.exit(0);
}
console.log(`files to test: ${scope.join(' ')}`);
const rest = chosen >= 0 ? [...args.slice(0, chosen), ...args.slice(chosen + 2)] : args;
process.exit(stryker(['--mutate', scope.join(','), ...rest]));
