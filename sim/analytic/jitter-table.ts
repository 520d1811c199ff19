import { parse } from 'csv-parse/sync';
import { UserError } from '../scenario/errors.js';
import { readInputFile } from '../scenario/input-file.js';

/** A jitterSeconds lookup table: one row per secrets-per-cluster, one column per fleet size. */
export interface JitterTable {
  clusters: number[];
  rows: Array<{ secretsPerCluster: number; jitterSeconds: number[] }>;
}

/**
 * The SSE documentation's table (risk 1e-4, 400 GETs/s, values rounded as published), as in
 * the project's shared copy `jitter-table.csv`.
 */
export const DOCUMENTED_TABLE: JitterTable = {
  clusters: [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
  rows: [
    { secretsPerCluster: 5, jitterSeconds: [0, 0, 1, 2, 4, 10, 20, 39, 98, 200] },
    { secretsPerCluster: 10, jitterSeconds: [0, 1, 2, 5, 10, 24, 49, 97, 240, 490] },
    { secretsPerCluster: 20, jitterSeconds: [1, 3, 7, 14, 27, 68, 140, 270, 680, 1400] },
    { secretsPerCluster: 50, jitterSeconds: [8, 15, 38, 76, 150, 380, 760, 1500, 3800, 7600] },
  ],
};

/** Reads a table in the documentation's CSV layout: `secrets_per_cluster,clusters_10,...`. */
export function readJitterTable(file: string): JitterTable {
  let records: string[][];
  try {
    records = parse(readInputFile(file, 1 << 20, 'a jitter table'), { skip_empty_lines: true, trim: true });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const [header, ...body] = records;
  if (!header || header[0] !== 'secrets_per_cluster' || header.length < 2) {
    throw new UserError(`${file}: expected a header "secrets_per_cluster,clusters_<N>,..."`);
  }
  const clusters = header.slice(1).map((h, i) => {
    const m = /^clusters_(\d+)$/.exec(h);
    if (!m || Number(m[1]) < 1) throw new UserError(`${file}: column ${i + 2}: expected "clusters_<N>", got "${h}"`);
    return Number(m[1]);
  });
  const number = (cell: string, line: number, what: string, min: number) => {
    const v = Number(cell);
    if (cell === '' || !Number.isFinite(v) || v < min) throw new UserError(`${file}:${line}: ${what}: expected a number of at least ${min}, got "${cell}"`);
    return v;
  };
  const rows = body.map((r, i) => {
    const line = i + 2;
    if (r.length !== header.length) throw new UserError(`${file}:${line}: expected ${header.length} cells, got ${r.length}`);
    return {
      secretsPerCluster: number(r[0], line, 'secrets_per_cluster', 1),
      jitterSeconds: r.slice(1).map((c, j) => number(c, line, header[j + 1], 0)),
    };
  });
  if (rows.length === 0) throw new UserError(`${file}: no rows`);
  return { clusters, rows };
}
