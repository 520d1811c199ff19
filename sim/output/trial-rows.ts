import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { TRIAL_METRICS } from '../metrics/trial-record.js';
import { UserError } from '../scenario/errors.js';
import { forEachLine, forEachLineBlock } from './lines.js';
import { formatNumber } from './format.js';

/** trials.csv's columns before the per-trial metrics. */
export const TRIALS_LEADING_COLUMNS = ['point', 'trial'] as const;

/**
 * A point's trials as rows without their point: `trial,metric,...` per line. trials.csv is
 * these rows, each point's prefixed with its number, under one header; a run spools each
 * point's rows to a file as its trials finish, a shard keeps them in its folder.
 */
export function trialRowsText(from: number, metrics: Float64Array): string {
  const w = TRIAL_METRICS.length;
  const n = metrics.length / w;
  let out = '';
  for (let i = 0; i < n; i++) {
    let row = String(from + i);
    for (let m = 0; m < w; m++) row += `,${formatNumber(metrics[i * w + m])}`;
    out += `${row}\n`;
  }
  return out;
}

/** trials.csv's header line. */
export function trialsHeader(): string {
  return stringify([], { header: true, columns: [...TRIALS_LEADING_COLUMNS, ...TRIAL_METRICS] });
}

/** Rows text with each line prefixed by `point,`. */
function prefixLines(text: string, point: number): string {
  if (text === '') return '';
  const prefix = `${point},`;
  return prefix + text.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n';
}

/** trials.csv from each point's rows text, in memory (tests, small runs). */
export function trialsCsvOf(rows: string[]): string {
  return trialsHeader() + rows.map((text, p) => prefixLines(text, p)).join('');
}

/**
 * Writes trials.csv to `path` from row files, streamed: `parts[p]` lists point p's row files
 * in trial order. Memory stays at one chunk whatever the file sizes.
 */
export function writeTrialsCsv(path: string, parts: string[][]): void {
  // A temporary file of writeFilesAtomically's: created exclusively.
  const out = openSync(path, 'wx');
  try {
    writeSync(out, trialsHeader());
    parts.forEach((files, p) => {
      for (const file of files) {
        if (forEachLineBlock(file, (text) => writeSync(out, prefixLines(text, p))) !== '') throw new Error(`${file}: ends inside a row`);
      }
    });
  } finally {
    closeSync(out);
  }
}

/**
 * Checks a point's rows file of trials [from, to): one row per trial, each starting with its
 * trial number in order, each with every metric column (a number, or empty for no data), the
 * last one ended. Streamed: memory
 * stays at one chunk. One line naming the file and the row otherwise.
 */
export function checkTrialRows(file: string, from: number, to: number): void {
  const columns = TRIAL_METRICS.length + 1;
  let next = from;
  const row = (line: string) => {
    const cells = line.split(',');
    if (next >= to) throw new UserError(`${file}: more rows than the shard's ${to - from} trials`);
    if (cells[0] !== String(next)) throw new UserError(`${file}: row ${next - from + 1} is trial ${JSON.stringify(cells[0].slice(0, 20))}, not ${next}: rows dropped, swapped or edited`);
    // A metric without data is an empty cell (formatNumber's NaN).
    if (cells.length !== columns || !cells.every((c) => c === '' || Number.isFinite(Number(c)))) throw new UserError(`${file}: row ${next - from + 1} (trial ${next}) is not ${columns} numbers`);
    next++;
  };
  const carry = forEachLine(file, row);
  if (carry !== '') throw new UserError(`${file}: ends inside a row (cut short)`);
  if (next !== to) throw new UserError(`${file}: ${next - from} rows for the shard's ${to - from} trials: rows dropped`);
}

/** Each point's rows appended to a file of its own as its trials finish (in trial order). */
export class TrialRowsSpool {
  private readonly fds: number[];

  constructor(readonly files: string[]) {
    this.fds = files.map((f) => this.guard(f, () => openSync(f, 'wx')));
  }

  add(point: number, from: number, metrics: Float64Array): void {
    this.guard(this.files[point], () => writeSync(this.fds[point], trialRowsText(from, metrics)));
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
  }

  /** Closes and deletes the files (a run that failed, or whose trials.csv is written). */
  remove(): void {
    this.close();
    for (const f of this.files) rmSync(f, { force: true });
  }

  private guard<T>(file: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new UserError(`could not write ${file} (${err.code ?? 'error'}: ${(err.message ?? '').replace(/^\w+: /, '').split(',')[0]})`);
    }
  }
}
