import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `node dist/test/mutation-summary.js [events-dir]`: the score of a mutation run, whole or
 * interrupted, from the event recorder's files (one per tested mutant; npm run mutate writes
 * them to results/mutation/events), per file, and every surviving mutant with its line.
 * Score: (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker's.
 */
interface MutantEvent {
  fileName: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

const dir = process.argv[2] ?? join('results', 'mutation', 'events');
const mutants: MutantEvent[] = readdirSync(dir)
  .filter((f) => f.endsWith('-onMutantTested.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as MutantEvent);
const root = process.cwd();
const sources = new Map<string, string[]>();
const line = (file: string, n: number) => {
  if (!sources.has(file)) sources.set(file, readFileSync(file, 'utf8').split('\n'));
  return sources.get(file)![n - 1]?.trim() ?? '';
};

const score = (ms: MutantEvent[]) => {
  const n = (s: string) => ms.filter((m) => m.status === s).length;
  const detected = n('Killed') + n('Timeout');
  const valid = detected + n('Survived') + n('NoCoverage');
  return { killed: n('Killed'), timeout: n('Timeout'), survived: n('Survived'), noCoverage: n('NoCoverage'), compileError: n('CompileError'), score: valid > 0 ? (100 * detected) / valid : NaN };
};
const show = (name: string, s: ReturnType<typeof score>) =>
  `${name}: ${s.score.toFixed(1)}% (killed ${s.killed}, timed out ${s.timeout}, survived ${s.survived}, no coverage ${s.noCoverage}; ${s.compileError} do not compile)`;

const files = [...new Set(mutants.map((m) => m.fileName))].sort();
console.log(show(`${mutants.length} mutants tested`, score(mutants)));
for (const f of files) console.log(show(`  ${relative(root, f)}`, score(mutants.filter((m) => m.fileName === f))));
console.log('survivors:');
for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage').sort((a, b) => a.fileName.localeCompare(b.fileName) || a.location.start.line - b.location.start.line)) {
  const where = `${relative(root, m.fileName)}:${m.location.start.line}`;
  console.log(`  ${where} ${m.mutatorName} -> ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60)} | ${line(m.fileName, m.location.start.line).slice(0, 90)}`);
}
