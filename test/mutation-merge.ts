import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { incrementalFile, mergeResults, readReport, readResults, toReport, writeReport } from './mutation-report.js';

/**
 * `node dist/test/mutation-merge.js <events-dir | report.json> ...`: folds mutation results into
 * the incremental file of stryker.config.json, each input over the file and over the inputs
 * before it (give them oldest first). An interrupted `npm run mutate` leaves only its events
 * (`results/mutation/events`): merged, the next `npm run mutate` tests only the mutants they
 * lack and those whose code changed since.
 */
const inputs = process.argv.slice(2);
if (inputs.length === 0) {
  console.error('usage: node dist/test/mutation-merge.js <events-dir | report.json> ...');
  process.exit(2);
}
const target = incrementalFile();
const base = existsSync(target) ? readReport(target) : undefined;
let files = base?.files ?? {};
for (const input of inputs) files = mergeResults(files, readResults(input));
mkdirSync(dirname(target), { recursive: true });
writeReport(toReport(files, base));
const count = Object.values(files).reduce((n, f) => n + f.mutants.length, 0);
console.log(`${target}: ${count} mutants in ${Object.keys(files).length} files`);
