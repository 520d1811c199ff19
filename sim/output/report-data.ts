import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../scenario/errors.js';
import { fileDigest } from './digest.js';
import { forEachLine } from './lines.js';
import { checkRunRecord, IMPORTANCE_CSV, IMPORTANCE_RECORD, RESULT_CSVS, RUN_RECORD, type RunRecord } from './run-record.js';

/** A row of a results CSV: numbers where the cell is one, else the text. */
export type Row = Record<string, number | string>;

/** The vaults a results folder's summary has columns for (in column order), and whether it has the subscription's. */
export function scopeNames(f: Pick<ResultsFolder, 'columns'>): { vaults: string[]; subscription: boolean } {
  const vaults: string[] = [];
  for (const c of f.columns) {
    const m = /^vault\.(.+)\.headroom_mean$/.exec(c);
    if (m) vaults.push(m[1]);
  }
  return { vaults, subscription: f.columns.includes('subscription.headroom_mean') };
}

/** What a results folder holds, as the report reads it. */
export interface ResultsFolder {
  dir: string;
  record: RunRecord;
  /** summary.csv's columns in order, and its rows. */
  columns: string[];
  summary: Row[];
  timeseries: Row[];
  /** trials.csv's per-trial columns the report charts, streamed from it (it may hold millions of rows). */
  distributions: Record<DistributionColumn, Distribution>;
}

/** The per-trial columns whose distributions over trials the report draws (only some scenarios have them). */
export const DISTRIBUTION_COLUMNS = ['convergence', 'stalenessP99', 'recovery'] as const;
export type DistributionColumn = (typeof DISTRIBUTION_COLUMNS)[number];
/** A column's values over the trials that have one, with each trial's point. */
export interface Distribution {
  point: number[];
  value: number[];
}

/** Reads a folder written by `sim run` (0.5 or later: it has run.json); a one-line error otherwise. */
export function readResultsFolder(dir: string): ResultsFolder {
  const recordFile = join(dir, RUN_RECORD);
  if (!existsSync(recordFile)) {
    if (existsSync(join(dir, IMPORTANCE_RECORD))) throw new UserError(`${dir}: holds only an importance-sampling run (${IMPORTANCE_RECORD}, ${IMPORTANCE_CSV}); report and compare read a plain run's files (sim run without --method importance)`);
    throw new UserError(`${dir}: no ${RUN_RECORD}, so not a results folder of sim run (0.5.0 or later); run the scenario again`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(recordFile, 'utf8'));
  } catch (e) {
    throw new UserError(`${recordFile}: not readable JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const parsedRecord = parsed as Partial<RunRecord> | null;
  if (parsedRecord?.tool !== 'akv-fleet-sim' || !Array.isArray(parsedRecord.scenario?.points)) throw new UserError(`${recordFile}: not a run record of akv-fleet-sim`);
  const tables = RESULT_CSVS.map((name) => {
    const file = join(dir, name);
    if (!existsSync(file)) throw new UserError(`${dir}: ${name} is missing; run the scenario again`);
    if (name === 'trials.csv') return [];
    try {
      return parse(readFileSync(file, 'utf8'), { columns: true, cast: castCell }) as Row[];
    } catch (e) {
      throw new UserError(`${file}: not a CSV the tool wrote (${(e as Error).message.split('\n')[0]})`);
    }
  });
  const record = checkRunRecord(parsed, recordFile);
  // One set: each file must be the one run.json records (a full disk or a killed or racing run
  // could leave one run's summary beside another's trials).
  for (const name of RESULT_CSVS) {
    const want = record.files?.[name];
    if (!want) continue;
    const got = fileDigest(join(dir, name));
    if (got.bytes !== want.bytes || got.sha256 !== want.sha256) throw new UserError(`${join(dir, name)}: not the file ${RUN_RECORD} records (${got.bytes} bytes, SHA-256 ${got.sha256.slice(0, 12)}..., where it says ${want.bytes} bytes, ${want.sha256.slice(0, 12)}...): the folder mixes two runs' files; run the scenario again`);
  }
  const distributions = readDistributions(join(dir, 'trials.csv'));
  const header = readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n', 1)[0];
  return {
    dir,
    record,
    columns: header.split(','),
    summary: tables[0],
    timeseries: tables[1],
    distributions,
  };
}

/**
 * The distribution columns of trials.csv, read a chunk at a time: memory holds only those
 * values, not the parsed rows (docs/performance.md, "Memory"). trials.csv's cells are numbers (or empty:
 * no data); a row with another cell count or a cell that is not a number is one line naming it.
 */
function readDistributions(file: string): Record<DistributionColumn, Distribution> {
  const out = Object.fromEntries(DISTRIBUTION_COLUMNS.map((c) => [c, { point: [], value: [] }])) as unknown as Record<DistributionColumn, Distribution>;
  let header: string[] | null = null;
  let wanted: Array<[DistributionColumn, number]> = [];
  let at = -1;
  let line = 0;
  const row = (text: string) => {
    line++;
    const cells = text.split(',');
    if (!header) {
      header = cells;
      at = cells.indexOf('point');
      if (at < 0) throw new UserError(`${file}: no point column; not a trials.csv of this tool's`);
      wanted = DISTRIBUTION_COLUMNS.flatMap((c) => (cells.includes(c) ? [[c, cells.indexOf(c)] as [DistributionColumn, number]] : []));
      return;
    }
    if (cells.length !== header.length) throw new UserError(`${file}: line ${line} has ${cells.length} cells, not ${header.length}; not a trials.csv of this tool's`);
    const point = Number(cells[at]);
    for (const [column, i] of wanted) {
      if (cells[i] === '') continue;
      const v = Number(cells[i]);
      if (!Number.isFinite(v) || !Number.isInteger(point)) throw new UserError(`${file}: line ${line}: ${column} ${JSON.stringify(cells[i].slice(0, 20))} is not a number`);
      out[column].point.push(point);
      out[column].value.push(v);
    }
  };
  const carry = forEachLine(file, (l) => row(l.endsWith('\r') ? l.slice(0, -1) : l));
  if (carry !== '') row(carry);
  return out;
}

function castCell(value: string): number | string {
  if (value === '') return Number.NaN;
  const n = Number(value);
  return Number.isNaN(n) && value !== 'NaN' ? value : n;
}

/** A cell as a number (NaN when empty or text). */
export function num(row: Row | undefined, column: string): number {
  const v = row?.[column];
  return typeof v === 'number' ? v : Number.NaN;
}

/** A point named by its swept values ("point 2, jitterSeconds=90"). */
export function pointLabel(f: Pick<ResultsFolder, 'record'>, point: number): string {
  const sweep = f.record.scenario.points[point]?.sweep ?? [];
  return sweep.length === 0 ? `point ${point}` : `point ${point} (${sweep.map((s) => `${s.column}=${String(s.value)}`).join(', ')})`;
}
