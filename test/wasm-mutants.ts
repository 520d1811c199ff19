/**
 * The mutants of an AssemblyScript source for `npm run mutate:wasm` (test/mutate-wasm.ts):
 * Stryker cannot reach AssemblyScript (it switches its mutants at run time from JavaScript, and
 * its parser refuses AssemblyScript's decorators), so the runner builds each mutant into the
 * module. One change per mutant, of the kinds Stryker applies to TypeScript: an arithmetic,
 * comparison, logical or update operator swapped, a boolean literal flipped, a statement
 * removed. Only code in function bodies is mutated: declarations, decorators, comments and the
 * imports are left alone.
 */

export interface WasmMutant {
  /** 1-based line of the change. */
  line: number;
  /** The line as written, and as mutated. */
  original: string;
  replacement: string;
  kind: string;
}

/** Each swap: the text (space-delimited, so that generics, shifts and unary minus do not match) and what it becomes. */
const SWAPS: Array<[kind: string, from: string, to: string]> = [
  ['arithmetic', ' + ', ' - '],
  ['arithmetic', ' - ', ' + '],
  ['arithmetic', ' * ', ' / '],
  ['arithmetic', ' / ', ' * '],
  ['equality', ' < ', ' <= '],
  ['equality', ' <= ', ' < '],
  ['equality', ' > ', ' >= '],
  ['equality', ' >= ', ' > '],
  ['equality', ' == ', ' != '],
  ['equality', ' != ', ' == '],
  ['logical', ' && ', ' || '],
  ['logical', ' || ', ' && '],
  ['assignment', ' += ', ' -= '],
  ['assignment', ' -= ', ' += '],
  ['update', '++', '--'],
  ['update', '--', '++'],
];

/** A statement that may be removed: one that does something, not a declaration or a jump. */
const REMOVABLE = /^(?!(const|let|var|return|break|continue|case|default|export|import|function)\b)[^{}]*;$/;

/** The line's code without a trailing `//` comment. */
function codeOf(line: string): string {
  const at = line.indexOf('//');
  return (at >= 0 ? line.slice(0, at) : line).trimEnd();
}

/** Every mutant of `source`, in line order. */
export function wasmMutants(source: string): WasmMutant[] {
  const out: WasmMutant[] = [];
  const lines = source.split('\n');
  // Depth of braces, and the depths at which a function's body opened: code is mutated only
  // inside one (a class's fields and the module's declarations are not code).
  let depth = 0;
  const bodies: number[] = [];
  let inDoc = false;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (inDoc || trimmed.startsWith('/*')) {
      inDoc = !trimmed.includes('*/');
      return;
    }
    const code = codeOf(line);
    const inBody = bodies.length > 0 && !/^\s*(\/\/|@)/.test(line);
    if (inBody && code.trim() !== '') {
      const add = (replacement: string, kind: string) => out.push({ line: i + 1, original: line, replacement, kind });
      for (const [kind, from, to] of SWAPS) {
        for (let at = code.indexOf(from); at >= 0; at = code.indexOf(from, at + from.length)) {
          add(line.slice(0, at) + to + line.slice(at + from.length), kind);
        }
      }
      for (const m of code.matchAll(/\b(true|false)\b/g)) {
        add(line.slice(0, m.index) + (m[1] === 'true' ? 'false' : 'true') + line.slice(m.index! + m[1].length), 'boolean');
      }
      if (REMOVABLE.test(code.trim())) add(line.slice(0, line.length - line.trimStart().length), 'statement');
    }
    for (const ch of code) {
      if (ch === '{') {
        if (bodies.length > 0 || /\bfunction\b|\)\s*:\s*[\w<>]+\s*\{$/.test(code)) bodies.push(depth);
        depth++;
      } else if (ch === '}') {
        depth--;
        if (bodies.length > 0 && bodies[bodies.length - 1] === depth) bodies.pop();
      }
    }
  });
  return out;
}

/** `source` with mutant m applied. */
export function applyMutant(source: string, m: WasmMutant): string {
  const lines = source.split('\n');
  if (lines[m.line - 1] !== m.original) throw new Error(`line ${m.line} is not the mutant's original`);
  lines[m.line - 1] = m.replacement;
  return lines.join('\n');
}
