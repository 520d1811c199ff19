import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PointSumsData } from '../metrics/point-sums.js';
import { UserError } from '../scenario/errors.js';
import { RecordCheck } from './record-check.js';
import { digestedRecord, fileDigest, type FileDigest } from './digest.js';
import { writeFilesAtomically } from './output-folder.js';
import { checkTrialRows } from './trial-rows.js';

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
  /** Each data file's size and SHA-256 (sums.<p>.json, trials.<p>.csv), checked by sim merge before it reads them. */
  files: Record<string, FileDigest>;
}

/** A shard's folder name under the --out of `sim run --shard`. */
export function shardFolderName(index: number, count: number): string {
  return `shard-${index}-of-${count}`;
}

const sumsFile = (p: number) => `sums.${p}.json`;
const rowsFile = (p: number) => `trials.${p}.csv`;

/** A sums file larger than this is refused before it is read: JSON.parse of half a gigabyte fails inside V8. */
export const MAX_SUMS_BYTES = 256 * 2 ** 20;

/**
 * Writes a shard's folder: shard.json, each point's sums and its trials' rows (moved from the
 * run's spool), all or none; shard.json records each data file's size and SHA-256.
 */
export function writeShardFolder(dir: string, record: Omit<ShardRecord, 'files'>, sums: PointSumsData[], spooled: string[]): string[] {
  return writeFilesAtomically(dir, [
    ...sums.map((s, p): [string, string] => [sumsFile(p), JSON.stringify(s)]),
    ...spooled.map((file, p): [string, (path: string) => void] => [rowsFile(p), (path) => renameSync(file, path)]),
    [SHARD_RECORD, digestedRecord(record, [...sums.map((_, p) => sumsFile(p)), ...spooled.map((_, p) => rowsFile(p))])],
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
  const files = c.object('files', r.files);
  for (let p = 0; p < (r.points as number); p++) {
    for (const name of [sumsFile(p), rowsFile(p)]) c.digest(`files.${name}`, files[name]);
  }
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

/**
 * Checks every data file of the shards against its size and SHA-256 in shard.json, and each
 * rows file's rows against the shard's trial range (one row per trial, in order), before merge
 * reads or writes anything: a dropped, swapped, garbage or cut row, an edited sums file or one
 * too large to parse is one line naming the file.
 */
export function verifyShardFiles(shards: ShardFolder[]): void {
  for (const s of shards) {
    for (let p = 0; p < s.record.points; p++) {
      for (const name of [sumsFile(p), rowsFile(p)]) {
        const file = join(s.dir, name);
        const want = s.record.files[name];
        let bytes: number;
        try {
          bytes = statSync(file).size;
        } catch {
          throw new UserError(`${file}: missing (the shard folder is incomplete)`);
        }
        if (name === sumsFile(p) && bytes > MAX_SUMS_BYTES) throw new UserError(`${file}: ${bytes.toLocaleString('en-US')} bytes; a sums file is at most ${MAX_SUMS_BYTES.toLocaleString('en-US')}: not one this tool wrote`);
        if (bytes !== want.bytes) throw new UserError(`${file}: ${bytes} bytes where shard.json says ${want.bytes}: edited or cut short`);
        if (fileDigest(file).sha256 !== want.sha256) throw new UserError(`${file}: its SHA-256 is not the one shard.json records: edited`);
      }
      checkTrialRows(join(s.dir, rowsFile(p)), s.record.from, s.record.to);
    }
  }
}

/** Point p's sums in a shard folder, checked: the shape its scenario gives, counts that are counts, no more 429s than GETs. */
export function readShardSums(s: ShardFolder, p: number, bins: number, vaults: number): PointSumsData {
  const file = join(s.dir, sumsFile(p));
  let d: PointSumsData;
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as PointSumsData;
  } catch (e) {
    throw new UserError(`${file}: cannot be read (${(e as Error).message.split('\n')[0]})`);
  }
  const c = new RecordCheck(file);
  c.object('(the whole file)', d);
  if (d.bins !== bins || d.vaults !== vaults || d.trials !== s.record.to - s.record.from) throw new UserError(`${file}: does not match its scenario (bins, vaults or trials): the shard folder was edited or is incomplete`);
  for (const key of ['requests', 'throttled'] as const) {
    const v = c.list(key, d[key]);
    if (v.length !== bins || !v.every((x) => Number.isFinite(x) && (x as number) >= 0)) c.fail(key, `${bins} counts`);
  }
  const over = d.throttled.findIndex((t, k) => t > d.requests[k]);
  if (over >= 0) c.fail(`throttled.${over}`, `at most requests.${over} (a 429 answers a GET)`);
  return d;
}

/** Point p's trial rows file in a shard folder (verifyShardFiles checked it). */
export function shardRowsFile(s: ShardFolder, p: number): string {
  return join(s.dir, rowsFile(p));
}
