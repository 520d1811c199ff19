import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyMutant, wasmMutants } from './wasm-mutants.js';

/** npm run mutate:wasm's mutants (test/wasm-mutants.ts): which places of an AssemblyScript source change, and how. */

const SOURCE = [
  '// a comment: a + b < c && true',
  "import { x } from './y';",
  '@external(\'env\', \'f\') declare function f(v: i32): i32;',
  'const LIMIT = 4 + 1;',
  '@unmanaged class Row {',
  '  a: i32;',
  '}',
  '/**',
  ' * A doc comment: a - b',
  ' */',
  '@inline function g(r: Row, n: i32): bool {',
  '  const k = load<i32>(r.a + (<usize>n << 2)); // k < n here',
  '  if (k >= n && n != 0) r.a++;',
  '  store<u8>(n, 1);',
  '  return true;',
  '}',
  'export function h(',
  '  n: i32,',
  '): void {',
  '  for (let i = 0; i < n; i++) {',
  '    total -= i * 2;',
  '  }',
  '}',
].join('\n');

test('only code in function bodies mutates: comments, imports, declarations, decorators and class fields do not', () => {
  const lines = new Set(wasmMutants(SOURCE).map((m) => m.line));
  assert.equal([...lines].sort((a, b) => a - b), [12, 13, 14, 15, 20, 21]);
});

test('each operator swap, literal flip and statement removal is one mutant, in line order', () => {
  const got = wasmMutants(SOURCE).map((m) => `${m.line} ${m.kind} ${m.replacement.trim() || '(removed)'}`);
  assert.equal(got, [
    // The shift and the generic's angle brackets are not operators; the trailing comment is not code.
    '12 arithmetic const k = load<i32>(r.a - (<usize>n << 2)); // k < n here',
    '13 equality if (k > n && n != 0) r.a++;',
    '13 equality if (k >= n && n == 0) r.a++;',
    '13 logical if (k >= n || n != 0) r.a++;',
    '13 update if (k >= n && n != 0) r.a--;',
    '13 statement (removed)',
    '14 statement (removed)',
    '15 boolean return false;',
    '20 equality for (let i = 0; i <= n; i++) {',
    '20 update for (let i = 0; i < n; i--) {',
    '21 arithmetic total -= i / 2;',
    '21 assignment total += i * 2;',
    '21 statement (removed)',
  ]);
});

test('a mutant applied changes its line alone, and only on the source it was made from', () => {
  const [m] = wasmMutants(SOURCE).filter((x) => x.kind === 'boolean');
  const mutated = applyMutant(SOURCE, m).split('\n');
  const original = SOURCE.split('\n');
  assert.equal(mutated.filter((line, i) => line !== original[i]), ['  return false;']);
  assert.throws(() => applyMutant(SOURCE.replace('return true', 'return  true'), m), /line 15 is not the mutant's original/);
});

test('the cluster model has mutants of every kind, none in its field declarations', () => {
  const source = readFileSync('sim/model/wasm/cluster.ts', 'utf8');
  const mutants = wasmMutants(source);
  const kinds = new Set(mutants.map((m) => m.kind));
  for (const kind of ['arithmetic', 'equality', 'logical', 'boolean', 'update', 'statement']) assert.ok(kinds.has(kind), kind);
  const lines = source.split('\n');
  const fields = lines.findIndex((l) => l.startsWith('@unmanaged class Sync')) + 1;
  const end = lines.indexOf('}', fields) + 1;
  assert.ok(end > fields + 5);
  assert.not.ok(mutants.some((m) => m.line > fields && m.line <= end), 'a mutant in the SecretSync row\'s fields');
});

test.run();
