import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { FileResult, FileResultDictionary, MutantResult, MutationTestResult } from 'mutation-testing-report-schema';

/**
 * Mutation results in Stryker's report shape (mutation-testing-report-schema): the incremental
 * file that `npm run mutate` reads and rewrites, a whole run's mutation.json, or the event
 * recorder's files of a run that was stopped before its end (one file per tested mutant; Stryker
 * writes its reports only when a run ends, so the events are all an interrupted run leaves).
 */

/** The incremental file named in stryker.config.json (committed: the whole scope's results). */
export const incrementalFile = (): string =>
  (JSON.parse(readFileSync('stryker.config.json', 'utf8')) as { incrementalFile: string }).incrementalFile;

/** A mutant's identity across runs, as Stryker's incremental mode matches them. */
export const mutantKey = (m: MutantResult): string =>
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

export const readReport = (file: string): MutationTestResult => JSON.parse(readFileSync(file, 'utf8')) as MutationTestResult;

interface TestedEvent extends MutantResult {
  fileName: string;
}

const inScope = (id: string) => /^\d+$/.test(id);

/**
 * Appended to the source of a file whose mutants were not all tested (a run stopped in it): the
 * file then differs from today's, so `npm run mutate` takes it again, and Stryker's incremental
 * diff, which sees only a last line removed, keeps every result it has and tests the rest.
 */
export const INCOMPLETE = '\n// mutation-merge: not every mutant of this file was tested\n';

/**
 * The results in an events folder (`<clone>/results/mutation/events`), each file's source as
 * it was at `commit` in the clone the run used (the folder's grandparent's parent): the
 * sources must be the ones the run mutated, or the locations would point elsewhere. A file with
 * fewer results than the run's plan gave it is marked INCOMPLETE.
 */
export function eventsToFiles(eventsDir: string): { commit: string; files: FileResultDictionary } {
  const root = resolve(eventsDir, '..', '..', '..');
  if (!existsSync(join(root, '.git'))) throw new Error(`${eventsDir}: not inside a clone's results/mutation/events (no ${join(root, '.git')})`);
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const commit = git('rev-parse', 'HEAD').trim();
  // Stryker numbers the mutants of the files it mutated; the events of the other files (ids that
  // are not numbers) only pass on the incremental file's old results, mapped onto this commit's
  // source with those in changed code dropped: they are left out.
  const planFile = readdirSync(eventsDir).find((f) => f.endsWith('-onMutationTestingPlanReady.json'));
  const planned = new Map<string, number>();
  if (planFile !== undefined) {
    for (const { mutant } of (JSON.parse(readFileSync(join(eventsDir, planFile), 'utf8')) as { mutantPlans: { mutant: { fileName: string; id: string } }[] }).mutantPlans) {
      if (!inScope(mutant.id)) continue;
      const rel = relative(root, mutant.fileName);
      planned.set(rel, (planned.get(rel) ?? 0) + 1);
    }
  }
  const files: FileResultDictionary = {};
  for (const name of readdirSync(eventsDir).filter((f) => f.endsWith('-onMutantTested.json')).sort()) {
    const { fileName, ...mutant } = JSON.parse(readFileSync(join(eventsDir, name), 'utf8')) as TestedEvent;
    const rel = relative(root, fileName);
    if (!inScope(mutant.id)) continue;
    if (mutant.status === 'Killed' && mutant.statusReason !== undefined) mutant.statusReason = failureExcerpt(mutant.statusReason);
    files[rel] ??= { language: 'typescript', source: git('show', `${commit}:${rel}`), mutants: [] };
    files[rel].mutants.push(mutant);
  }
  for (const [rel, file] of Object.entries(files)) if (file.mutants.length < (planned.get(rel) ?? 0)) file.source += INCOMPLETE;
  return { commit, files };
}

/**
 * Later results over earlier ones, file by file: where a file's source is the same in both,
 * the union of their mutants (the later result of a mutant tested twice); where it differs, the
 * later file alone (its mutants were tested against the newer code; Stryker's incremental mode
 * maps them onto today's source and re-tests those whose code changed).
 */
export function mergeFiles(earlier: FileResultDictionary, later: FileResultDictionary): FileResultDictionary {
  const out: FileResultDictionary = { ...earlier };
  for (const [name, file] of Object.entries(later)) {
    const before = out[name];
    if (before === undefined || before.source !== file.source) {
      out[name] = file;
      continue;
    }
    const byKey = new Map(before.mutants.map((m) => [mutantKey(m), m]));
    for (const m of file.mutants) byKey.set(mutantKey(m), m);
    out[name] = { ...file, mutants: [...byKey.values()] };
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

/** Events folder or report file: the files of results it holds. */
export function readResults(path: string): FileResultDictionary {
  return statSync(path).isDirectory() ? eventsToFiles(path).files : readReport(path).files;
}
