import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { incrementalFile, readReport } from './mutation-report.js';

/**
 * `npm run mutate [-- <stryker options>]`: Stryker over the files of the scope whose results
 * the incremental file lacks or holds for another source (its mutants are compiled into every
 * test run, and a hot loop's code slows by an order of magnitude with them: scoping the run to
 * what changed keeps each mutant's test run near the plain one). `--mutate <files>` adds
 * files (a file that changed is always tested: see below); `--survivors` re-tests the
 * survivors the file holds (their exact ranges, forced) with today's tests, as the incremental
 * mode does not see that tests changed. The results go into the incremental file either way.
 */
const args = process.argv.slice(2);
const config = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as { mutate: string[] };
const report = existsSync(incrementalFile()) ? readReport(incrementalFile()) : undefined;
const files = report?.files ?? {};

function scope(): string[] {
  const tracked = execFileSync('git', ['ls-files', '--', ...config.mutate.map((p) => `:(glob)${p}`)], { encoding: 'utf8' });
  return tracked.split('\n').filter((f) => f !== '' && files[f]?.source !== readFileSync(f, 'utf8'));
}

/** Each survivor's range as Stryker's --mutate reads it (lines from 1, columns from 0). */
function survivorRanges(): string[] {
  return Object.entries(files).flatMap(([name, file]) =>
    file.mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map(({ location: { start, end } }) => `${name}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`),
  );
}

// Every file that changed is always in the run: a run of other files alone would rewrite the
// incremental file with today's source for it and drop its changed code's mutants unnoticed.
const changed = scope();
const chosen = args.indexOf('--mutate');
let extra: string[];
if (args.includes('--survivors')) {
  const ranges = survivorRanges();
  if (changed.length > 0) {
    console.error(`first test the files that changed (npm run mutate): ${changed.join(' ')}`);
    process.exit(2);
  }
  console.log(`re-testing ${ranges.length} survivors`);
  extra = ['--mutate', ranges.join(','), '--force', ...args.filter((a) => a !== '--survivors')];
} else if (chosen >= 0) {
  const files = [...new Set([...args[chosen + 1].split(','), ...changed])];
  console.log(`files to test: ${files.join(' ')}`);
  extra = [...args.slice(0, chosen), '--mutate', files.join(','), ...args.slice(chosen + 2)];
} else if (changed.length === 0) {
  console.log(`every mutant's result in ${incrementalFile()} is for today's code: node dist/test/mutation-summary.js prints the score`);
  process.exit(0);
} else {
  console.log(`files to test: ${changed.join(' ')}`);
  extra = ['--mutate', changed.join(','), ...args];
}
const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.json', ...extra], { stdio: 'inherit' });
process.exit(run.status ?? 1);
