import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

type Path = ReadonlyArray<PropertyKey>;

/** The schema library's type names in the project's words. */
const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  string: 'a text',
  object: 'a mapping',
  array: 'a list',
  tuple: 'a list',
};

export function formatPath(path: Path): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/**
 * Every problem of a document, one line each. A required key that is missing next to an unknown
 * key spelled like it is one problem, the typo: "fleets: unknown key, did you mean "fleet"?".
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  const typos = new Set<string>();
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') continue;
    const known = knownKeys(schema, i.path);
    for (const k of i.keys) {
      const hint = suggest(k, known);
      if (hint !== undefined) typos.add(formatPath([...i.path, hint]));
    }
  }
  return issues
    .filter((i) => !(i.code === 'invalid_type' && i.input === undefined && typos.has(formatPath(i.path))))
    .map((i) => formatIssue(i, schema));
}

/** One line per problem, naming the field: "fleet.0.jitterSeconds: expected a duration ...". */
export function formatIssue(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, issue.path);
      const parts = issue.keys.map((k) => {
        const path = formatPath([...issue.path, k]).replace(/^\(top level\)\./, '');
        const hint = suggest(k, known);
        if (known.includes(k)) return `${path}: not a key of this kind${kindOf(issue) ? ` (${kindOf(issue)})` : ''}`;
        return `${path}: unknown key${hint ? `, did you mean "${hint}"?` : ''}`;
      });
      return parts.join('; ');
    }
    case 'invalid_type':
      if (issue.input === undefined) return `${where}: is required`;
      return `${where}: expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeInput(issue.input)}`;
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(issue.input)}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const input = issue.input as Record<string, unknown> | undefined;
        const got = typeof input === 'object' && input !== null ? input[issue.discriminator] : input;
        return `${where}: expected one of ${options.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(got)}`;
      }
      return unionMessage(issue, where, schema);
    default:
      return `${where}: ${issue.message}`;
  }
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion, where: string, schema: z.ZodType): string {
  // Report the alternative that got furthest, or list the literal choices.
  const literals: unknown[] = [];
  for (const branch of issue.errors) {
    for (const sub of branch) {
      if (sub.code === 'invalid_value' && sub.path.length === 0) literals.push(...sub.values);
    }
  }
  const objectBranch = issue.errors.find((b) => b.some((s) => s.path.length > 0 || s.code === 'unrecognized_keys'));
  if (objectBranch && typeof issue.input === 'object' && issue.input !== null) {
    // The mapping's own problem, at its own path (client.requeue.overall.burst: ...).
    const first = objectBranch[0];
    return formatIssue({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue, schema);
  }
  const choices = literals.length ? `one of ${literals.map((v) => JSON.stringify(v)).join(', ')} or ` : '';
  const custom = issue.errors.flat().find((s) => s.code === 'custom');
  const mapping = issue.errors.some((b) => b.some((s) => s.code === 'invalid_type' && s.expected === 'object' && s.path.length === 0));
  const other = custom ? custom.message.replace(/^expected /, '') : mapping ? 'a mapping' : 'a value of another form';
  return `${where}: expected ${choices}${other}, got ${describeInput(issue.input)}`;
}

/** The `kind` of the mapping an issue is about, when it has one ("kind token-bucket"). */
function kindOf(issue: z.core.$ZodIssue): string | undefined {
  const input = (issue as { input?: unknown }).input;
  const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? `kind ${kind}` : undefined;
}

/** What the user gave, in words: "5 minutes" in quotes, .inf as infinity, a list as a list. */
export function describeInput(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan (not a number)' : `${v > 0 ? '' : '-'}infinity (or a number too large)`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

function suggest(key: string, known: string[]): string | undefined {
  if (!known.length) return undefined;
  const best = closest(key, known);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

type Def = { type: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown; options?: unknown[]; in?: unknown; valueType?: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def: Def } })?._zod?.def;

/** The keys an object schema at `path` allows (over every branch of a union there). */
function knownKeys(schema: unknown, path: Path): string[] {
  let level: unknown[] = [schema];
  for (const key of path) {
    const next: unknown[] = [];
    for (const s of level.flatMap(unwrap)) {
      const def = defOf(s)!;
      if (def.type === 'object' && typeof key === 'string' && def.shape?.[key]) next.push(def.shape[key]);
      else if (def.type === 'array' && typeof key === 'number') next.push(def.element);
      else if (def.type === 'record') next.push(def.valueType);
    }
    level = next;
  }
  const keys = new Set<string>();
  for (const s of level.flatMap(unwrap)) {
    const def = defOf(s)!;
    if (def.type === 'object') Object.keys(def.shape ?? {}).forEach((k) => keys.add(k));
  }
  return [...keys];
}

function unwrap(s: unknown): unknown[] {
  const def = defOf(s);
  if (!def) return [];
  if (['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(def.type)) return unwrap(def.innerType);
  if (def.type === 'pipe') return unwrap(def.in);
  if (def.type === 'union') return (def.options ?? []).flatMap(unwrap);
  return [s];
}
