import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileResult, MutantResult } from 'mutation-testing-report-schema';
import { failureExcerpt, INCOMPLETE, mergeResults, mutantKey, type RunResults } from './mutation-report.js';

/**
 * The mutation tools' merge (npm run mutate's incremental file, built up over runs that may stop
 * before their end): a result is never lost to a partial run, and a file with a planned mutant
 * left untested is marked so that the next run takes it again.
 */
const mutant = (line: number, status: MutantResult['status']): MutantResult => ({
  id: String(line),
  mutatorName: 'EqualityOperator',
  replacement: 'a <= b',
  status,
  location: { start: { line, column: 3 }, end: { line, column: 9 } },
});
const SOURCE = 'const a = 1;\n'.repeat(10);
const file = (lines: number[], status: MutantResult['status'] = 'Killed', source = SOURCE): FileResult => ({
  language: 'typescript',
  source,
  mutants: lines.map((l) => mutant(l, status)),
});
const run = (tested: number[], planned: number[] | null, status: MutantResult['status'] = 'Killed', source = SOURCE): RunResults => ({
  files: { 'a.ts': file(tested, status, source) },
  planned: planned === null ? new Map() : new Map([['a.ts', new Set(planned.map((l) => mutantKey(mutant(l, 'Killed'))))]]),
});
const marked = (f: FileResult) => f.source.endsWith(INCOMPLETE);

test('a run stopped halfway keeps the earlier results of its file and marks what it did not reach', () => {
  const first = mergeResults({}, run([1, 2], [1, 2, 3, 4]));
  assert.is(first['a.ts'].mutants.length, 2);
  assert.ok(marked(first['a.ts']), 'two of four planned: incomplete');
  assert.is(first['a.ts'].source.slice(0, SOURCE.length), SOURCE);
  const second = mergeResults(first, run([3, 4], [3, 4], 'Survived'));
  assert.is(second['a.ts'].mutants.length, 4, 'the union of both runs');
  assert.not.ok(marked(second['a.ts']), 'every planned mutant has a result');
  assert.equal(second['a.ts'].mutants.map((m) => m.status), ['Killed', 'Killed', 'Survived', 'Survived']);
});

test('a mutant tested again takes the later result; another source replaces the file', () => {
  const first = mergeResults({}, run([1, 2], [1, 2]));
  const again = mergeResults(first, run([2], [2], 'Survived'));
  assert.equal(again['a.ts'].mutants.map((m) => m.status), ['Killed', 'Survived']);
  const changed = mergeResults(first, run([5], [5], 'Survived', `${SOURCE}// changed\n`));
  assert.equal(changed['a.ts'].mutants.map((m) => m.location.start.line), [5], 'results for older code are dropped');
});

test('results without a plan (a whole report) keep a file marked as it was', () => {
  const first = mergeResults({}, run([1], [1, 2]));
  assert.ok(marked(mergeResults(first, run([1], null))['a.ts']));
  assert.not.ok(marked(mergeResults({}, run([1], null))['a.ts']));
});

test("a killed mutant's reason: the failing test file, the test and its assertion, no stack", () => {
  const output = [
    'sync-table.test.js',
    '\u2022 \u2022   (2 / 2)',
    '',
    'quiet-walk.test.js',
    '\u2718 ',
    '  (0 / 1)',
    '   FAIL  "random quiet fleets"',
    '    the coupled driver disagrees on requests  (is)',
    '    at assert (file:///x/node_modules/uvu/assert/index.mjs:33:8)',
    '    at run (file:///x/dist/test/quiet-walk.test.js:51:23)',
    'Exiting early before testing is finished.',
  ].join('\n');
  assert.is(failureExcerpt(`\x1b[31m${output}\x1b[39m`), 'quiet-walk.test.js\n   FAIL  "random quiet fleets"\n    the coupled driver disagrees on requests  (is)');
});

test.run();
