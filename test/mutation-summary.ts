import { existsSync } from 'node:fs';
import { calculateMetrics, type Metrics } from 'mutation-testing-metrics';
import type { FileResultDictionary } from 'mutation-testing-report-schema';
import { incrementalFile, notCurrent, readResults } from './mutation-report.js';

/**
 * `node dist/test/mutation-summary.js [events-dir | report.json]`: the score of mutation
 * results, per file (Stryker's metrics: detected = killed + timed out, over those plus survived
 * and no coverage), and every surviving mutant with its line. By default the incremental file
 * (the whole scope, as `npm run mutate` last left it); an events folder gives an interrupted
 * run's part.
 */
const input = process.argv[2] ?? incrementalFile();
if (!existsSync(input)) {
  console.error(`${input}: no such file or folder`);
  process.exit(2);
}
const files: FileResultDictionary = readResults(input).files;
const show = (name: string, m: Metrics) =>
  `${name}: ${m.mutationScore.toFixed(1)}% (killed ${m.killed}, timed out ${m.timeout}, survived ${m.survived}, no coverage ${m.noCoverage}; ${m.compileErrors} do not compile)`;

const names = Object.keys(files).sort();
const total = calculateMetrics(files).metrics;
console.log(show(`${input}: ${total.totalMutants} mutants`, total));
// Against today's code, the whole scope: what is not tested yet, or was tested on other code.
const pending = input === incrementalFile() ? notCurrent(files) : [];
if (pending.length > 0) console.log(`not every mutant tested on today's code in: ${pending.join(' ')} (npm run mutate tests them)`);
for (const dir of [...new Set(names.map((n) => n.split('/').slice(0, 2).join('/')))]) {
  const inDir = Object.fromEntries(names.filter((n) => n.startsWith(`${dir}/`)).map((n) => [n, files[n]]));
  console.log(show(`${dir}: ${Object.values(inDir).reduce((k, f) => k + f.mutants.length, 0)} mutants`, calculateMetrics(inDir).metrics));
}
for (const name of names) console.log(show(`  ${name}`, calculateMetrics({ [name]: files[name] }).metrics));
console.log('survivors:');
for (const name of names) {
  const lines = files[name].source.split('\n');
  // The mutated text itself (its first line), then what the mutant put in its place.
  const original = ({ start, end }: { start: { line: number; column: number }; end: { line: number; column: number } }) =>
    (lines[start.line - 1] ?? '').slice(start.column - 1, start.line === end.line ? end.column - 1 : undefined);
  for (const m of files[name].mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage').sort((a, b) => a.location.start.line - b.location.start.line)) {
    const flat = (t: string) => t.replace(/\s+/g, ' ').trim().slice(0, 70);
    console.log(`  ${name}:${m.location.start.line} ${m.mutatorName}: ${flat(original(m.location))} -> ${flat(m.replacement ?? '')}`);
  }
}
