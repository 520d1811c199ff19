import { parseDocument } from 'yaml';
import { readInputFile } from './input-file.js';
import type { ModelConfig } from '../model/config.js';
import { parseAssertion, type Assertion } from './assertions.js';
import { UserError } from './errors.js';
import { formatIssues } from './issues.js';

/** Problems of one document reported at once. */
const MAX_REPORTED = 10;
import { applySet, FORBIDDEN_KEYS, setPath } from './paths.js';
import { resolveModel } from './resolve.js';
import { scenarioSchema } from './schema.js';

export interface SweepValue {
  column: string;
  value: unknown;
}

export interface ScenarioPoint {
  index: number;
  /** The swept values at this point, one per swept key, in the order written. */
  sweep: SweepValue[];
  model: ModelConfig;
}

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  seed: number | string;
  trials: number;
  sweepColumns: string[];
  /** Each swept key's values as written, in sweepColumns order. */
  sweepValues?: unknown[][];
  points: ScenarioPoint[];
  assertions: Assertion[];
}

export interface Overrides {
  trials?: number;
  seed?: number | string;
  set?: string[];
}

/** A document key such as __proto__ would reach the prototype of every object built from it. */
function rejectPrototypeKeys(node: unknown, file: string, path = '', above = new Set<object>()): void {
  if (typeof node !== 'object' || node === null) return;
  // An alias to a node that holds it (`fleet: &a [*a]`) makes the document a cycle.
  if (above.has(node)) throw new UserError(`${file}: ${path}: a YAML alias refers to a node that contains it (a cycle)`);
  above.add(node);
  for (const k of Object.keys(node)) {
    const at = path ? `${path}.${k}` : k;
    if (FORBIDDEN_KEYS.has(k)) throw new UserError(`${file}: ${at}: "${k}" is not a scenario key`);
    rejectPrototypeKeys((node as Record<string, unknown>)[k], file, at, above);
  }
  above.delete(node);
}

/** Group fields a bare sweep key (`jitterSeconds: [...]`) applies to in every fleet group. */
const GROUP_KEYS = new Set([
  'clusters', 'secretSyncs', 'objectsPerSync', 'vault', 'rotationPollIntervalInSeconds', 'jitterSeconds',
  'scheduling', 'maxConcurrentReconciles', 'enablePartialSecretSync', 'jitterOnRequeue', 'jitterOnRestart', 'latency',
]);
const NOT_SWEPT = new Set(['name', 'description', 'seed', 'trials', 'sweep', 'assert']);

/**
 * Two sweep keys that set the same field (`jitterSeconds` sets every group's, so does
 * `fleet.0.jitterSeconds` for one; `vaults.0.limiter` holds `vaults.0.limiter.capacity`): the
 * later one would win at every point and the columns would label values that never ran.
 */
function rejectOverlappingSweepKeys(keys: string[], file: string): void {
  const path = (k: string) => (!k.includes('.') && GROUP_KEYS.has(k) ? ['fleet', '*', k] : k.split('.'));
  const within = (a: string[], b: string[]) => a.length <= b.length && a.every((s, i) => s === b[i] || s === '*' || b[i] === '*');
  keys.forEach((b, j) => {
    const a = keys.slice(0, j).find((k) => within(path(k), path(b)) || within(path(b), path(k)));
    if (a !== undefined) throw new UserError(`${file}: sweep.${b}: sets what sweep.${a} sets too, so the columns would label values that did not run; sweep one of them`);
  });
}

/** A scenario file is a few kilobytes; a megabyte is a mistake (or /dev/zero). */
export const MAX_SCENARIO_BYTES = 1 << 20;
/** Points a sweep may have: each is a model, a summary row and a run of its own. */
export const MAX_SWEEP_POINTS = 10_000;
/** YAML aliases a document may expand: a handful is normal, thousands is a "billion laughs". */
const MAX_ALIASES = 100;

export function loadScenario(file: string, overrides: Overrides = {}): Scenario {
  return parseScenario(readScenarioText(file), file, overrides);
}

/** A scenario file's text, refused (one line) when it is not a regular file of at most a megabyte. */
export function readScenarioText(file: string): string {
  return readInputFile(file, MAX_SCENARIO_BYTES, 'a scenario file');
}

export function parseScenario(text: string, file: string, overrides: Overrides = {}): Scenario {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new UserError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    // An alias to no anchor, or aliases that expand without bound.
    throw new UserError(`${file}: YAML aliases: ${(e as Error).message.split('\n')[0]}`);
  }
  rejectPrototypeKeys(raw, file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`${file}: expected a mapping with at least name and fleet`);
  }
  const base = raw as Record<string, unknown>;
  for (const s of overrides.set ?? []) applySet(base, s);
  if (overrides.trials !== undefined) base.trials = overrides.trials;
  if (overrides.seed !== undefined) base.seed = overrides.seed;

  const input = validate(base, file, '');
  const sweepKeys = Object.keys(input.sweep ?? {});
  for (const k of sweepKeys) {
    if (NOT_SWEPT.has(k.split('.')[0])) throw new UserError(`${file}: sweep.${k}: ${k} cannot be swept`);
  }
  rejectOverlappingSweepKeys(sweepKeys, file);
  const columns = sweepColumns(sweepKeys);
  // Counted before they are built: a 9 KB file can ask for ten million points.
  const count = sweepKeys.reduce((n, k) => n * input.sweep![k].length, 1);
  if (count > MAX_SWEEP_POINTS) throw new UserError(`${file}: sweep: ${count.toLocaleString('en-US')} points (${sweepKeys.map((k) => input.sweep![k].length).join(' x ')}); a scenario sweeps at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')}: fewer values, or several scenarios`);
  const combos = cartesian(sweepKeys.map((k) => input.sweep![k]));
  // Each point starts from the document without its sweep: copying the sweep into every point
  // made a sweep of n points cost n^2 (10,000 points: 6 s).
  const { sweep: _sweep, ...unswept } = base;
  const points: ScenarioPoint[] = combos.map((values, index) => {
    if (!sweepKeys.length) return { index, sweep: [], model: resolveIn(input, file, '') };
    const copy = structuredClone(unswept);
    sweepKeys.forEach((key, i) => applySweep(copy, key, values[i], file));
    const where = `sweep point ${index} (${sweepKeys.map((k, i) => `${k}=${JSON.stringify(values[i])}`).join(', ')}): `;
    return {
      index,
      sweep: columns.map((column, i) => ({ column, value: values[i] })),
      model: resolveIn(validate(copy, file, where), file, where),
    };
  });
  return {
    file,
    name: input.name,
    description: input.description,
    seed: input.seed,
    trials: input.trials,
    sweepColumns: columns,
    sweepValues: sweepKeys.map((k) => input.sweep![k]),
    points,
    assertions: (input.assert ?? []).map((a, i) => parseAssertion(a, i)),
  };
}

function validate(doc: Record<string, unknown>, file: string, where: string) {
  const result = scenarioSchema.safeParse(doc, { reportInput: true });
  if (!result.success) {
    // Every problem, one line each (at most MAX_REPORTED), the same line said once.
    const lines = [...new Set(formatIssues(result.error.issues, scenarioSchema))];
    const shown = lines.slice(0, MAX_REPORTED).map((l) => `${file}: ${where}${l}`);
    if (lines.length > MAX_REPORTED) shown.push(`${file}: ... and ${lines.length - MAX_REPORTED} more`);
    throw new UserError(shown.join('\n'));
  }
  return result.data;
}

function resolveIn(input: ReturnType<typeof validate>, file: string, where: string): ModelConfig {
  try {
    return resolveModel(input);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${file}: ${where}${e.message}`);
    throw e;
  }
}

function applySweep(doc: Record<string, unknown>, key: string, value: unknown, file: string): void {
  if (!key.includes('.') && GROUP_KEYS.has(key)) {
    const fleet = doc.fleet as unknown[];
    fleet.forEach((_, i) => setPath(doc, `fleet.${i}.${key}`, value, `${file}: sweep.${key}`));
    return;
  }
  setPath(doc, key, value, `${file}: sweep.${key}`);
}

/** summary.csv's columns of a point after its swept keys' (docs/outputs.md): no swept key is named like one. */
export const POINT_COLUMNS = ['clusters', 'secretsPerCluster', 'trials'] as const;
const TAKEN: ReadonlySet<string> = new Set(['point', ...POINT_COLUMNS]);

/**
 * Column names for swept keys: the last path segment, or the whole path where two would clash
 * or the segment is a column of its own (`fleet.0.clusters` beside the fleet's `clusters`; no
 * top-level key can be swept that is named like one: `trials` cannot be swept).
 */
function sweepColumns(keys: string[]): string[] {
  const last = keys.map((k) => k.split('.').pop()!);
  return keys.map((k, i) => (last.indexOf(last[i]) !== last.lastIndexOf(last[i]) || TAKEN.has(last[i]) ? k : last[i]));
}

/** Every combination, the first key varying slowest (the order written). */
function cartesian(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}
