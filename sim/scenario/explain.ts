import { closest } from 'fastest-levenshtein';
import { UserError } from './errors.js';
import { KEY_DOCS, type KeyDoc } from './key-docs.js';

/** A JSON Schema node as z.toJSONSchema writes the scenario's (no $ref: every node inline). */
interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  minItems?: number;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node | Node[];
  prefixItems?: Node[];
  additionalProperties?: Node | boolean;
  anyOf?: Node[];
  oneOf?: Node[];
}

/**
 * The scenario's JSON Schema with each key's description, example and (where the schema has
 * none) default from KEY_DOCS: an editor shows them as one types. A key's format (a duration's
 * units) follows its description.
 */
export function annotateSchema(schema: Record<string, unknown>): Record<string, unknown> {
  descend(schema as Node, '', (node, path) => {
    const doc = KEY_DOCS[path];
    if (!doc) return;
    node.description = node.description ? `${doc.text} Format: ${node.description}` : doc.text;
    node.examples = [doc.example];
    if (doc.default !== undefined && node.default === undefined) node.default = /^-?[\d.]+$/.test(doc.default) ? Number(doc.default) : doc.default;
  });
  return schema;
}

/** Calls `key` on every key's node (its path without indices), through lists and unions. */
function descend(node: Node, path: string, key: (node: Node, path: string) => void): void {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const p = path ? `${path}.${name}` : name;
    key(child, p);
    descend(child, p, key);
  }
  const items = Array.isArray(node.items) ? node.items : node.items ? [node.items] : [];
  for (const n of [...items, ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) descend(n, path, key);
  if (typeof node.additionalProperties === 'object') descend(node.additionalProperties, path, key);
}

/** Every place a key occurs: its node and, inside a union of kinds, the kind ("rollout"). */
function occurrences(schema: Node, path: string): Array<{ node: Node; kind: string | null }> {
  const found: Array<{ node: Node; kind: string | null }> = [];
  const visit = (node: Node, at: string, kind: string | null): void => {
    const variantKind = (n: Node) => (n.properties?.kind?.const as string | undefined) ?? kind;
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const p = at ? `${at}.${name}` : name;
      if (p === path) found.push({ node: child, kind });
      if (path.startsWith(`${p}.`)) visit(child, p, null);
    }
    const items = Array.isArray(node.items) ? node.items : node.items ? [node.items] : [];
    for (const n of items) visit(n, at, kind);
    for (const n of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) visit(n, at, variantKind(n));
  };
  visit(schema, '', null);
  return found;
}

/**
 * `sim explain KEY`: what a scenario key is, its type, unit, default, limits and an example, as
 * lines (an object's keys listed). KEY is a path as in `--set` (`events.over`,
 * `fleet.0.jitterSeconds`; indices are ignored); empty: the top level.
 */
export function explainKey(schema: Record<string, unknown>, key: string): string[] {
  const path = key.split('.').filter((p) => p !== '' && !/^\d+$/.test(p)).join('.');
  if (path === '') return ['the scenario file (YAML):', ...keyList(schema as Node, '')];
  const doc = KEY_DOCS[path];
  const places = occurrences(schema as Node, path);
  if (!doc || places.length === 0) {
    const hint = closest(path, Object.keys(KEY_DOCS));
    throw new UserError(`explain: "${key}" is not a scenario key${hint ? `; did you mean "${hint}"?` : ''} (sim explain with no key lists the top level)`);
  }
  const kinds = [...new Set(places.map((p) => p.kind).filter((k): k is string => k !== null))];
  // A union's discriminator is a constant in each kind: together they are its values.
  const discriminator = places.every((p) => p.node.const !== undefined);
  const lines = [`${path}${kinds.length > 0 && !discriminator ? ` (in the kind${kinds.length > 1 ? 's' : ''} ${kinds.join(', ')})` : ''}`, ...wrap(doc.text, 96).map((l) => `  ${l}`)];
  const node = places[0].node;
  lines.push(`  type: ${discriminator ? `one of ${places.map((p) => JSON.stringify(p.node.const)).join(', ')}` : typeOf(node)}`);
  const fallback = node.default ?? (doc.default !== undefined ? doc.default : undefined);
  if (fallback !== undefined) lines.push(`  default: ${typeof fallback === 'string' ? fallback : JSON.stringify(fallback)}`);
  else if (isRequired(schema as Node, path)) lines.push('  required');
  const limits = limitsOf(node);
  if (limits) lines.push(`  limits: ${limits}`);
  lines.push(`  example: ${path.split('.').at(-1)}: ${doc.example}`);
  const children = keyList(node, path);
  if (children.length > 0) lines.push('  keys:', ...children.map((l) => `  ${l}`));
  return lines;
}

/** An object's keys, a line each: name and the first sentence of its text. */
function keyList(node: Node, path: string): string[] {
  const names = new Set<string>();
  const collect = (n: Node): void => {
    for (const name of Object.keys(n.properties ?? {})) names.add(name);
    const items = Array.isArray(n.items) ? n.items : n.items ? [n.items] : [];
    for (const m of [...items, ...(n.anyOf ?? []), ...(n.oneOf ?? [])]) collect(m);
  };
  collect(node);
  return [...names].map((name) => {
    const doc: KeyDoc | undefined = KEY_DOCS[path ? `${path}.${name}` : name];
    const first = doc ? doc.text.split(/(?<=\.)\s/)[0] : '';
    return `  ${name.padEnd(32)} ${first}`;
  });
}

/** Words into lines of at most `width` characters (a longer word on a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function typeOf(node: Node): string {
  if (node.description?.startsWith('a duration') || node.description?.includes('Format: a duration')) return 'a duration (seconds, or "250ms", "90s", "15m", "1h30m", "1d")';
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const variants = node.anyOf ?? node.oneOf;
  if (variants && variants.every((v) => v.properties?.kind?.const !== undefined)) return `an object of kind ${variants.map((v) => JSON.stringify(v.properties!.kind.const)).join(' | ')}`;
  if (variants) return [...new Set(variants.map(typeOf))].join(' | ');
  switch (node.type) {
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'text';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    default:
      return 'any value';
  }
}

function limitsOf(node: Node): string {
  const parts: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  if (node.minimum !== undefined) parts.push(`at least ${n(node.minimum)}`);
  if (node.exclusiveMinimum !== undefined) parts.push(`above ${n(node.exclusiveMinimum)}`);
  if (node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER) parts.push(`at most ${n(node.maximum)}`);
  if (node.minItems !== undefined && node.minItems > 0) parts.push(`at least ${n(node.minItems)} item${node.minItems > 1 ? 's' : ''}`);
  return parts.join(', ');
}

function isRequired(schema: Node, path: string): boolean {
  const parts = path.split('.');
  const name = parts.pop()!;
  const parent = parts.join('.');
  const holders = parent === '' ? [schema] : occurrences(schema, parent).map((o) => o.node);
  const objects = (n: Node): Node[] => [n, ...(Array.isArray(n.items) ? n.items : n.items ? [n.items] : []).flatMap(objects), ...[...(n.anyOf ?? []), ...(n.oneOf ?? [])].flatMap(objects)];
  return holders.flatMap(objects).some((o) => o.properties?.[name] !== undefined && (o.required ?? []).includes(name));
}
