import { parse as parseYaml } from 'yaml';
import { UserError } from './errors.js';

/** Keys that would reach an object's prototype rather than a scenario field. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Sets `path` ("fleet.0.jitterSeconds") in a parsed YAML document, creating mappings on the way. */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown, what: string): void {
  const keys = path.split('.');
  if (keys.some((k) => k === '')) throw new UserError(`${what}: "${path}" is not a path such as fleet.0.jitterSeconds`);
  const unsafe = keys.find((k) => FORBIDDEN_KEYS.has(k));
  if (unsafe !== undefined) throw new UserError(`${what}: "${unsafe}" is not a scenario key`);
  let node: unknown = doc;
  for (let i = 0; i < keys.length - 1; i++) {
    const container = node as Record<string, unknown>;
    let child = Object.hasOwn(container, keys[i]) ? container[keys[i]] : undefined;
    if (child === undefined) {
      if (Array.isArray(container)) {
        throw new UserError(`${what}: ${keys.slice(0, i + 1).join('.')} does not exist (the list has ${container.length} entries)`);
      }
      child = container[keys[i]] = {};
    }
    if (typeof child !== 'object' || child === null) {
      throw new UserError(`${what}: ${keys.slice(0, i + 1).join('.')} is a value, not a mapping or list`);
    }
    node = child;
  }
  (node as Record<string, unknown>)[keys[keys.length - 1]] = value;
}

/** `--set path=value`: the value is read as YAML, so 120 is a number, 90s a string, [1, 2] a list. */
export function applySet(doc: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UserError(`--set ${assignment}: expected path=value, e.g. --set fleet.0.jitterSeconds=120`);
  const path = assignment.slice(0, eq).trim();
  let value: unknown;
  try {
    value = parseYaml(assignment.slice(eq + 1));
  } catch {
    value = assignment.slice(eq + 1);
  }
  setPath(doc, path, value, `--set ${path}`);
}
