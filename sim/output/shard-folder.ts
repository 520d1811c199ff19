import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PointSumsData } from '../metrics/point-sums.js';
import { UserError } from '../scenario/errors.js';
import { RecordCheck } from './record-check.js';
import { writeFilesAtomically } from './output-folder.js';

export const SHARD_RECORD = 'shard.json';

/** What a shard folder says of itself: enough to check it belongs with the others, and to rebuild its scenario. */
export interface ShardRecord {
  tool: 'akv-fleet-sim';
  kind: 'shard';
  version: string;
  shard: { index: number; count: number };
  scenario: {
    file: string;
    name: string;
    identity: string;
    /** The scenario file's text and the --set overrides: sim merge parses them again. */
    source: string;
    set: string[];
  };
  seed: number | string;
  trials: number;
  /** The trials this shard ran, the same range for every point. */
  from: number;
  to: number;
  points: number;
  engine: string;
  execution: { command: string[]; startedAt: string; wallSeconds: number; cores: number; workers: number };
}

/** A shard's folder name under the --out of `sim run --shard`. */
export function shardFolderName(index: number, count: number): string {
  return `shard-${index}-of-${count}`;
}

const sumsFile = (p: number) => `sums.${p}.json`;
const rowsFile = (p: number) => `trials.${p}.csv`;

/** Writes a shard's folder: shard.json, each point's sums and its trials' rows (moved from the run's spool), all or none. */
export function writeShardFolder(dir: string, record: ShardRecord, sums: PointSumsData[], spooled: string[]): string[] {
  return writeFilesAtomically(dir, [
    ...sums.map((s, p): [string, string] => [sumsFile(p), JSON.stringify(s)]),
    ...spooled.map((file, p): [string, (path: string) => void] => [rowsFile(p), (path) => renameSync(file, path)]),
    [SHARD_RECORD, `${JSON.stringify(record, null, 2)}\n`],
  ]);
}

export interface ShardFolder {
  dir: string;
  record: ShardRecord;
}

/**
 * The shard folders named: each a shard folder (with shard.json) or a folder whose
 * subfolders are (sim run --shard's --out). A name that is neither is an error naming it.
 */
export function findShardFolders(paths: string[]): ShardFolder[] {
  const dirs: string[] = [];
  for (const path of paths) {
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new UserError(`${path}: no such folder`);
    if (existsSync(join(path, SHARD_RECORD))) {
      dirs.push(path);
      continue;
    }
    const inside = readdirSync(path)
      .sort()
      .map((d) => join(path, d))
      .filter((d) => existsSync(join(d, SHARD_RECORD)));
    if (inside.length === 0) throw new UserError(`${path}: not a shard folder (no ${SHARD_RECORD} in it or in its subfolders)`);
    dirs.push(...inside);
  }
  return dirs.map((dir) => ({ dir, record: readShardRecord(dir) }));
}

function readShardRecord(dir: string): ShardRecord {
  const file = join(dir, SHARD_RECORD);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: cannot be read as JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return checkShardRecord(value, file);
}

/** A shard.json read back, field by field (untrusted: shard folders come from other pods). */
export function checkShardRecord(value: unknown, file: string): ShardRecord {
  const c = new RecordCheck(file);
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || r.tool !== 'akv-fleet-sim' || r.kind !== 'shard') throw new UserError(`${file}: not a shard record of akv-fleet-sim`);
  c.string('version', r.version);
  const shard = c.object('shard', r.shard);
  const count = c.whole('shard.count', shard.count, 1);
  if (c.whole('shard.index', shard.index) >= count) c.fail('shard.index', `below shard.count (${count})`);
  const scenario = c.object('scenario', r.scenario);
  for (const key of ['file', 'name', 'identity', 'source'] as const) c.string(`scenario.${key}`, scenario[key]);
  c.strings('scenario.set', scenario.set);
  c.seed('seed', r.seed);
  const trials = c.whole('trials', r.trials, 1);
  const from = c.whole('from', r.from);
  if (c.whole('to', r.to) < from || (r.to as number) > trials) c.fail('to', `between from (${from}) and trials (${trials})`);
  c.whole('points', r.points, 1);
  c.string('engine', r.engine);
  const execution = c.object('execution', r.execution);
  c.strings('execution.command', execution.command);
  c.string('execution.startedAt', execution.startedAt);
  c.seconds('execution.wallSeconds', execution.wallSeconds);
  c.whole('execution.cores', execution.cores, 1);
  c.whole('execution.workers', execution.workers);
  return r as unknown as ShardRecord;
}

/**
 * Checks that the shards are of one scenario, seed, trial count and version and that their
 * ranges cover every trial exactly once; returns them in trial order. Each failure is one line
 * naming the shard folder (or the trials no shard holds).
 */
export function checkShards(shards: ShardFolder[]): ShardFolder[] {
  if (shards.length === 0) throw new UserError('no shard folders given');
  const [first] = shards;
  const a = first.record;
  for (const s of shards.slice(1)) {
    const r = s.record;
    const differs =
      r.version !== a.version ? `version ${r.version}, not ${a.version}` :
      r.scenario.identity !== a.scenario.identity ? `another scenario (${r.scenario.name}, identity ${r.scenario.identity}; ${first.dir} is ${a.scenario.name}, ${a.scenario.identity})` :
      String(r.seed) !== String(a.seed) ? `seed ${String(r.seed)}, not ${String(a.seed)}` :
      r.trials !== a.trials ? `${r.trials} trials per point, not ${a.trials}` : null;
    if (differs) throw new UserError(`${s.dir}: a shard of ${differs} as ${first.dir}: it does not belong with the others`);
  }
  const seen = new Map<string, string>();
  for (const s of shards) {
    const key = `${s.record.shard.index}/${s.record.shard.count}`;
    const again = seen.get(key) ?? [...seen.values()].find((d) => resolve(d) === resolve(s.dir));
    if (again !== undefined) throw new UserError(`${s.dir}: shard ${key} given twice (also ${again})`);
    seen.set(key, s.dir);
  }
  const sorted = [...shards].sort((x, y) => x.record.from - y.record.from || x.record.to - y.record.to);
  let covered = 0;
  let last: ShardFolder | null = null;
  for (const s of sorted) {
    const { from, to } = s.record;
    if (from < covered) {
      const same = last && last.record.from === from && last.record.to === to;
      throw new UserError(same ? `${s.dir}: the same trials (${from} to ${to - 1}) as ${last!.dir}: a shard given twice` : `${s.dir}: its trials ${from} to ${to - 1} overlap those of ${last!.dir} (${last!.record.from} to ${last!.record.to - 1})`);
    }
    if (from > covered) throw new UserError(`trials ${covered} to ${from - 1} of every point are in no shard given (of ${a.trials}): a shard missing?`);
    covered = to;
    last = s;
  }
  if (covered < a.trials) throw new UserError(`trials ${covered} to ${a.trials - 1} of every point are in no shard given (of ${a.trials}): a shard missing?`);
  return sorted;
}

/** Point p's sums in a shard folder. */
export function readShardSums(s: ShardFolder, p: number): PointSumsData {
  const file = join(s.dir, sumsFile(p));
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PointSumsData;
  } catch (e) {
    throw new UserError(`${file}: cannot be read (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Point p's trial rows file in a shard folder. */
export function shardRowsFile(s: ShardFolder, p: number): string {
  const file = join(s.dir, rowsFile(p));
  if (!existsSync(file)) throw new UserError(`${file}: missing (the shard folder is incomplete)`);
  return file;
}
