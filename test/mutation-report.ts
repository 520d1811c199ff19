import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { FileResult, FileResultDictionary, MutantResult, MutationTestResult } from 'mutation-testing-report-schema';

/**
 * Mutation results in Stryker's report shape (mutation-testing-report-schema): the incremental
 * file that `npm run mutate` reads and rewrites, a whole run's mutation.json, or the event
 * recorder's files of a run that was stopped before its end (one file per tested mutant; Stryker
 * writes its reports only when a run ends, so the events are all an interrupted run leaves).
 */

const strykerConfig = () => JSON.parse(readFileSync('stryker.config.json', 'utf8')) as { incrementalFile: string; mutate: string[] };

/** The incremental file named in stryker.config.json (committed: the whole scope's results). */
export const incrementalFile = (): string => strykerConfig().incrementalFile;

/** The incremental file rewritten as Stryker writes it. */
export const writeReport = (report: MutationTestResult): void => writeFileSync(incrementalFile(), JSON.stringify(report, null, 2), 'utf8');

/** A mutant's identity across runs, as Stryker's incremental mode matches them. */
export const mutantKey = (m: Pick<MutantResult, 'mutatorName' | 'replacement' | 'location'>): string =>
  `${m.mutatorName}|${m.replacement ?? ''}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`;

/**
 * A failed test run's output cut to its failure: the failing test file's name, the test and
 * its assertion, without the stack (npm run mutate keeps it as the reason a mutant was killed).
 */
export function failureExcerpt(output: string): string {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  let header = lines.length - 1;
  while (header > 0 && !/^[\w.-]+\.test\.js$/.test(lines[header].trim())) header--;
  return lines
    .slice(header)
    .filter((l) => !/^\s*(at |\u2022|\u2718|\(\d+ \/ \d+\)|Exiting early)/.test(l) && l.trim() !== '')
    .join('\n')
    .slice(0, 2000);
}

/** The files of stryker.config.json's mutate patterns that git tracks. */
export function scopeFiles(): string[] {
  const { mutate } = strykerConfig();
  const tracked = execFileSync('git', ['ls-files', '--', ...mutate.map((p) => `:(glob)${p}`)], { encoding: 'utf8' });
  return tracked.split('\n').filter((f) => f !== '');
}

/** Files of the scope whose results `files` lacks or holds for another source (or marks incomplete). */
export const notCurrent = (files: FileResultDictionary): string[] => scopeFiles().filter((f) => files[f]?.source !== readFileSync(f, 'utf8'));

export const readReport = (file: string): MutationTestResult => JSON.parse(readFileSync(file, 'utf8')) as MutationTestResult;

interface TestedEvent extends MutantResult {
  fileName: string;
}

const inScope = (id: string) => /^\d+$/.test(id);

/**
 * Appended to the source of a file some of whose planned mutants have no result (a run stopped
 * in it): the file then differs from today's, so `npm run mutate` takes it again, and Stryker's
 * incremental diff, which sees only a last line removed, keeps every result and tests the rest.
 */
export const INCOMPLETE = '\n// mutation-merge: not every mutant of this file was tested\n';
const complete = (source: string) => (source.endsWith(INCOMPLETE) ? source.slice(0, -INCOMPLETE.length) : source);

/** Results of one run, and per file the keys of the mutants its plan meant to test. */
export interface RunResults {
  files: FileResultDictionary;
  planned: Map<string, Set<string>>;
}

/**
 * The results in an events folder (`<clone>/results/mutation/events`), each file's source as
 * it was at the commit of the clone the run used (the folder's grandparent's parent): the
 * sources must be the ones the run mutated, or the locations would point elsewhere.
 */
export function eventsToResults(eventsDir: string): RunResults {
  const root = resolve(eventsDir, '..', '..', '..');
  if (!existsSync(join(root, '.git'))) throw new Error(`${eventsDir}: not inside a clone's results/mutation/events (no ${join(root, '.git')})`);
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const commit = git('rev-parse', 'HEAD').trim();
  // Stryker numbers the mutants of the files it mutated; the events of the other files (ids that
  // are not numbers) only pass on the incremental file's old results, mapped onto this commit's
  // source with those in changed code dropped: they are left out.
  const planned = new Map<string, Set<string>>();
  const planFile = readdirSync(eventsDir).find((f) => f.endsWith('-onMutationTestingPlanReady.json'));
  if (planFile !== undefined) {
    for (const { mutant } of (JSON.parse(readFileSync(join(eventsDir, planFile), 'utf8')) as { mutantPlans: { mutant: PlannedMutant }[] }).mutantPlans) {
      if (!inScope(mutant.id)) continue;
      const rel = relative(root, mutant.fileName);
      if (!planned.has(rel)) planned.set(rel, new Set());
      planned.get(rel)!.add(mutantKey({ ...mutant, location: fromZeroBased(mutant.location) }));
    }
  }
  const files: FileResultDictionary = {};
  for (const name of readdirSync(eventsDir).filter((f) => f.endsWith('-onMutantTested.json')).sort()) {
    const text = readFileSync(join(eventsDir, name), 'utf8');
    // A run killed as it wrote its last event leaves that file cut short: that mutant is untested.
    if (!text.trimEnd().endsWith('}')) continue;
    const { fileName, ...mutant } = JSON.parse(text) as TestedEvent;
    if (!inScope(mutant.id)) continue;
    if (mutant.status === 'Killed' && mutant.statusReason !== undefined) mutant.statusReason = failureExcerpt(mutant.statusReason);
    const rel = relative(root, fileName);
    files[rel] ??= { language: 'typescript', source: git('show', `${commit}:${rel}`), mutants: [] };
    files[rel].mutants.push(mutant);
  }
  return { files, planned };
}

interface PlannedMutant {
  fileName: string;
  id: string;
  mutatorName: string;
  replacement?: string;
  location: MutantResult['location'];
}

/** The plan's locations count lines and columns from 0, the report's from 1. */
const fromZeroBased = ({ start, end }: MutantResult['location']): MutantResult['location'] => ({
  start: { line: start.line + 1, column: start.column + 1 },
  end: { line: end.line + 1, column: end.column + 1 },
});

/**
 * A run's results over earlier ones, file by file: where the file's source is the same in both,
 * the union of their mutants (the run's result of a mutant tested twice); where it differs, the
 * run's alone (tested against newer code; Stryker's incremental mode maps them onto today's
 * source and re-tests those whose code changed). A file is marked INCOMPLETE when a mutant the
 * run planned for it has no result in the union (without a plan, it keeps its marks).
 */
export function mergeResults(earlier: FileResultDictionary, run: RunResults): FileResultDictionary {
  const out: FileResultDictionary = { ...earlier };
  for (const [name, file] of Object.entries(run.files)) {
    const before = out[name];
    const source = complete(file.source);
    const same = before !== undefined && complete(before.source) === source;
    const byKey = new Map(same ? before.mutants.map((m) => [mutantKey(m), m]) : []);
    for (const m of file.mutants) byKey.set(mutantKey(m), m);
    const plan = run.planned.get(name);
    const missing = plan !== undefined ? [...plan].some((k) => !byKey.has(k)) : file.source !== source || (same && before.source !== source);
    out[name] = { ...file, source: missing ? source + INCOMPLETE : source, mutants: [...byKey.values()] };
  }
  return out;
}

/** A report of `files` with ids unique across it (Stryker renumbers them when it reads the file). */
export function toReport(files: FileResultDictionary, base?: MutationTestResult): MutationTestResult {
  let id = 0;
  const renumbered: FileResultDictionary = {};
  for (const name of Object.keys(files).sort()) {
    const file: FileResult = files[name];
    renumbered[name] = { ...file, mutants: file.mutants.map((m) => ({ ...m, id: String(id++), killedBy: undefined, coveredBy: undefined })) };
  }
  return {
    schemaVersion: base?.schemaVersion ?? '1.0',
    thresholds: base?.thresholds ?? { high: 80, low: 60 },
    files: renumbered,
    testFiles: { '': { tests: [{ id: '0', name: 'All tests' }] } },
  };
}

/** Files a complete run took whole and found no mutant in: recorded in the incremental file with none. */
export function recordWithoutMutants(files: string[]): void {
  const report = readReport(incrementalFile());
  const empty = files.filter((f) => report.files[f] === undefined && existsSync(f));
  for (const f of empty) report.files[f] = { language: 'typescript', source: readFileSync(f, 'utf8'), mutants: [] };
  if (empty.length > 0) writeReport(report);
}

/** Events folder or report file: the results it holds (a report plans nothing). */
export function readResults(path: string): RunResults {
  return statSync(path).isDirectory() ? eventsToResults(path) : { files: readReport(path).files, planned: new Map() };
}
