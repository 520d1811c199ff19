import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../scenario/errors.js';
import { digestedRecord, type FileDigest } from './digest.js';
import { entriesOf } from './output-folder.js';
import { RecordCheck } from './record-check.js';
import type { Scenario } from '../scenario/load.js';

/** run.json: which tool, scenario and seed produced a results folder, how, and what it found. */
export interface RunRecord {
  tool: 'akv-fleet-sim';
  version: string;
  scenario: {
    file: string;
    name: string;
    /** A hash of every point's resolved model and swept values: the same scenario, whatever its file says. */
    identity: string;
    /** Per point: its swept values, its resolved model, each vault's limit per 10 s (the published window), and each rollout event's wave starts (by event index). */
    points: Array<{ index: number; sweep: Array<{ column: string; value: unknown }>; model: unknown; limits10s?: Record<string, number>; waveStarts?: Record<string, number[]> }>;
    /** The points that failed (a run that kept only its finished points); absent when none did. */
    failedPoints?: number[];
  };
  seed: number | string;
  trials: number;
  command: string[];
  startedAt: string;
  wallSeconds: number;
  cores: number;
  workers: number;
  engine: string;
  assertions: Array<{ point: number; assertion: string; value: number | string | null; holds: boolean }>;
  /** The CSV files' sizes and SHA-256 as this run wrote them (0.9.0 on): report and compare refuse a folder whose files differ. */
  files?: Record<string, FileDigest>;
}

export const RUN_RECORD = 'run.json';
/** `sim run --method importance`'s record, beside importance.csv (a plain run's files of the same scenario and seed are kept). */
export const IMPORTANCE_RECORD = 'importance.json';
export const IMPORTANCE_CSV = 'importance.csv';
/** A plain run's report (`--report`, `sim report`), made from its CSV files. */
export const REPORT_FILE = 'report.html';

/** A plain run's CSV files (docs/outputs.md). */
export const RESULT_CSVS = ['summary.csv', 'timeseries.csv', 'trials.csv'] as const;

/** The files of a results folder that each record's run wrote, the record first. */
const RUN_FILES: Record<string, readonly string[]> = {
  [RUN_RECORD]: [RUN_RECORD, ...RESULT_CSVS, REPORT_FILE],
  [IMPORTANCE_RECORD]: [IMPORTANCE_RECORD, IMPORTANCE_CSV],
};

/**
 * run.json as a file of writeFilesAtomically's set, written after the CSV files: the record
 * with their sizes and SHA-256, which report and compare check the folder against.
 */
export function runRecordFile(record: RunRecord): [string, ReturnType<typeof digestedRecord>] {
  return [RUN_RECORD, digestedRecord(record, RESULT_CSVS)];
}

/** The tool's version, from its package.json. */
export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What makes two runs' results comparable: every point's model and swept values (not the trial count). */
export function scenarioIdentity(scenario: Scenario): string {
  const points = scenario.points.map((p) => ({ sweep: p.sweep, model: p.model }));
  return createHash('sha256').update(JSON.stringify(points)).digest('hex').slice(0, 16);
}

/**
 * A results folder that holds another scenario's or another seed's run is not overwritten
 * without --force; the same scenario and seed are replaced (more trials, a newer version).
 * With --force, returns the file names of the runs this one replaces (their record unreadable,
 * or another scenario's or seed's), for `removeReplaced` once this run's files are written: a
 * folder never holds one run's CSV files beside another's importance estimates.
 */
export function checkFolderOwner(dir: string, scenario: Scenario, force: boolean): string[] {
  const replaced: string[] = [];
  if (![RUN_RECORD, IMPORTANCE_RECORD].some((name) => existsSync(join(dir, name)))) refuseForeign(dir, force, RUN_RECORD);
  // A plain run's record and an importance-sampling run's: one scenario and seed per folder.
  for (const name of [RUN_RECORD, IMPORTANCE_RECORD]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    let previous: Partial<RunRecord>;
    try {
      previous = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunRecord>;
    } catch {
      if (!force) throw new UserError(`--out ${dir}: its ${name} cannot be read; a new --out, or --force to replace it`);
      replaced.push(...RUN_FILES[name]);
      continue;
    }
    const identity = scenarioIdentity(scenario);
    const what = previous.scenario?.identity !== identity ? 'another scenario' : String(previous.seed) !== String(scenario.seed) ? 'another seed' : null;
    if (what === null) continue;
    if (!force) {
      throw new UserError(
        `--out ${dir}: holds the results of ${previous.scenario?.name ?? 'a run'} (seed ${String(previous.seed)}, ${previous.trials ?? '?'} trials); this run is ${what} and would replace them: a new --out, or --force`,
      );
    }
    replaced.push(...RUN_FILES[name]);
  }
  return replaced;
}

/**
 * A folder without this tool's record is written into only when empty (or with --force): the
 * files there are the user's, and a run would overwrite or remove them. Its own temporary files
 * and a `shards` folder (sim run --shard's default place, beside the merged results) do not count.
 */
function refuseForeign(dir: string, force: boolean, record: string): void {
  if (force) return;
  const held = entriesOf(dir).filter((e) => !(e === 'shards' && statSync(join(dir, e)).isDirectory()));
  if (held.length === 0) return;
  const shown = held.slice(0, 3).join(', ') + (held.length > 3 ? ` and ${held.length - 3} more` : '');
  throw new UserError(`--out ${dir}: holds ${shown} but no ${record}: not a results folder of this tool's, and a run would overwrite its files: an empty or new --out, or --force`);
}

/**
 * Removes the files `names` of dir that this run did not write (`written`: their paths): a
 * replaced run's, or a report made from CSV files this run has just replaced. Returns the
 * paths removed (one that cannot be removed is left out).
 */
export function removeReplaced(dir: string, names: readonly string[], written: readonly string[]): string[] {
  const removed: string[] = [];
  for (const name of new Set(names)) {
    const file = join(dir, name);
    if (written.includes(file) || !existsSync(file)) continue;
    try {
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // Not ours to remove after all (a folder of that name, no permission): left, not listed.
    }
  }
  return removed;
}

/**
 * A shard folder is replaced by a shard of the same scenario and seed; one holding another
 * scenario's or seed's shard is kept without --force.
 */
export function checkShardFolderOwner(dir: string, scenario: Scenario, force: boolean): void {
  const file = join(dir, 'shard.json');
  if (!existsSync(file)) refuseForeign(dir, force, 'shard.json');
  if (force || !existsSync(file)) return;
  let previous: { scenario?: { identity?: string; name?: string }; seed?: unknown };
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as typeof previous;
  } catch {
    throw new UserError(`${dir}: its shard.json cannot be read; another --out, or --force to replace it`);
  }
  if (previous.scenario?.identity === scenarioIdentity(scenario) && String(previous.seed) === String(scenario.seed)) return;
  throw new UserError(`${dir}: holds a shard of ${previous.scenario?.name ?? 'another run'} (seed ${String(previous.seed)}), another scenario or seed: another --out, or --force`);
}

/**
 * A run.json read back, checked field by field before anything uses it: it is untrusted input
 * (a folder from another machine or pod), and its values end up in HTML and CSV. The first
 * wrong field is one line naming it. Fields the report and compare do not read are checked
 * where present.
 */
export function checkRunRecord(value: unknown, file: string): RunRecord {
  const c = new RecordCheck(file);
  if (typeof value !== 'object' || value === null || (value as { tool?: unknown }).tool !== 'akv-fleet-sim') throw new UserError(`${file}: not a run record of akv-fleet-sim`);
  const r = value as Record<string, unknown>;
  const scenario = c.object('scenario', r.scenario);
  c.string('scenario.file', scenario.file);
  c.string('scenario.name', scenario.name);
  if (scenario.identity !== undefined) c.string('scenario.identity', scenario.identity);
  c.list('scenario.points', scenario.points).forEach((item, i) => {
    const p = c.object(`scenario.points.${i}`, item);
    if (p.index !== i) c.fail(`scenario.points.${i}.index`, `${i}`);
    c.list(`scenario.points.${i}.sweep`, p.sweep).forEach((s, j) => c.string(`scenario.points.${i}.sweep.${j}.column`, c.object(`scenario.points.${i}.sweep.${j}`, s).column));
    if (p.limits10s !== undefined && !Object.values(c.object(`scenario.points.${i}.limits10s`, p.limits10s)).every((l) => typeof l === 'number')) c.fail(`scenario.points.${i}.limits10s`, 'numbers by vault');
    if (p.waveStarts !== undefined) for (const [k, starts] of Object.entries(c.object(`scenario.points.${i}.waveStarts`, p.waveStarts))) c.list(`scenario.points.${i}.waveStarts.${k}`, starts).forEach((t, j) => c.seconds(`scenario.points.${i}.waveStarts.${k}.${j}`, t));
  });
  if (scenario.failedPoints !== undefined) c.list('scenario.failedPoints', scenario.failedPoints).forEach((p, i) => c.whole(`scenario.failedPoints.${i}`, p));
  c.string('version', r.version);
  c.seed('seed', r.seed);
  c.whole('trials', r.trials, 1);
  if (r.command !== undefined) c.strings('command', r.command);
  c.string('startedAt', r.startedAt);
  c.seconds('wallSeconds', r.wallSeconds);
  if (r.cores !== undefined) c.whole('cores', r.cores, 1);
  c.whole('workers', r.workers);
  c.string('engine', r.engine);
  c.list('assertions', r.assertions).forEach((item, i) => {
    const a = c.object(`assertions.${i}`, item);
    c.whole(`assertions.${i}.point`, a.point);
    c.string(`assertions.${i}.assertion`, a.assertion);
    if (typeof a.holds !== 'boolean') c.fail(`assertions.${i}.holds`, 'true or false');
    if (a.value !== null && typeof a.value !== 'string' && typeof a.value !== 'number') c.fail(`assertions.${i}.value`, 'a number, a string or null');
  });
  if (r.files !== undefined) {
    const files = c.object('files', r.files);
    for (const name of RESULT_CSVS) c.digest(`files.${name}`, files[name]);
  }
  return r as unknown as RunRecord;
}
