import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { analyseJitter, recommendation, type JitterAnalysis, type RecipeFleet } from '../analytic/jitter-analysis.js';
import { DOCUMENTED_TABLE, readJitterTable } from '../analytic/jitter-table.js';
import { PUBLISHED_LIMITERS, recipeFleetModel } from '../analytic/recipe-fleet-model.js';
import { LIMITER_SHAPES, type LimiterShape } from '../model/config.js';
import { DOCUMENTED_RISK, PER_SECOND_LIMIT, VAULT_LIMIT, VAULT_WINDOW_SECONDS } from '../model/defaults.js';
import { wilson } from '../metrics/stats.js';
import { intervalColumns, type PointResult } from '../metrics/summary.js';
import { alignColumns, formatNumber, formatPercentDigits, formatRareBrief } from '../output/format.js';
import { prepareOutputFolder, writeFilesAtomically } from '../output/output-folder.js';
import type { RareEstimate } from '../metrics/rare-estimate.js';
import { estimateRareEvents, type RareQuestion } from '../run/rare.js';
import { runPoints } from '../run/run-scenario.js';
import type { TableArgs } from './args.js';

const RISK = DOCUMENTED_RISK;
const SHAPES = LIMITER_SHAPES;
/** CSV column stems of the simulated throttling frequency per limiter shape. */
const THROTTLED_COLUMN: Record<LimiterShape, string> = {
  'token-bucket': 'throttledTokenBucket',
  'fixed-window': 'throttledFixedWindow',
  'sliding-window': 'throttledSlidingWindow',
};

interface Cell {
  fleet: RecipeFleet;
  documented: number;
  recipe: number;
  recipeRounded: number;
  /** The analytic numbers at the documented jitter. */
  at: JitterAnalysis;
  /** Per limiter shape, with --verify. */
  simulated?: Record<LimiterShape, PointResult>;
  /** With --verify --method importance: refreshOver and each shape's throttledTrial. */
  sampled?: Record<'refreshOver' | LimiterShape, RareEstimate>;
}

/** The quantities --method importance estimates per cell, with their CSV column stems. */
const SAMPLED: Array<['refreshOver' | LimiterShape, string]> = [['refreshOver', 'refreshOver'], ...SHAPES.map((s): [LimiterShape, string] => [s, THROTTLED_COLUMN[s]])];

/**
 * `sim table`: recomputes the documentation's jitter table from the recipe, marks the cells
 * where the rounded recipe differs, gives each cell's exact per-second and per-refresh
 * probabilities at the documented jitter, and with --verify simulates every cell under the
 * three limiter shapes. Writes jitter-table.csv and prints the grids.
 */
export async function tableCommand(args: TableArgs): Promise<number> {
  const table = args.table ? readJitterTable(args.table) : DOCUMENTED_TABLE;
  const dir = args.out ?? join('results', 'jitter-table');
  prepareOutputFolder(dir);
  const cells: Cell[] = table.rows.flatMap((row) =>
    table.clusters.map((clusters, j) => {
      const fleet = { clusters, secretsPerCluster: row.secretsPerCluster, perSecondLimit: PER_SECOND_LIMIT };
      const documented = row.jitterSeconds[j];
      const rec = recommendation(fleet, RISK);
      return { fleet, documented, recipe: rec.recipe, recipeRounded: rec.documented, at: analyseJitter(fleet, documented) };
    }),
  );
  const importance = args.verify && args.method === 'importance';
  const trials = args.trials ?? (importance ? 2000 : 200);
  if (importance) {
    const questions = cells.flatMap((c) => {
      const rollout = { clusters: c.fleet.clusters, secretsPerCluster: c.fleet.secretsPerCluster, jitterSeconds: c.documented };
      return SAMPLED.map(([q]): RareQuestion => ({ rollout, estimand: q === 'refreshOver' ? { kind: 'refreshOver', perSecondLimit: PER_SECOND_LIMIT } : { kind: 'throttledTrial', limiter: PUBLISHED_LIMITERS[q] } }));
    });
    const estimates = await estimateRareEvents(questions, trials, args.seed ?? 1, { workers: args.workers, stallSeconds: args.stallSeconds });
    cells.forEach((c, i) => {
      c.sampled = Object.fromEntries(SAMPLED.map(([q], k) => [q, estimates[i * SAMPLED.length + k]])) as Cell['sampled'];
    });
  } else if (args.verify) {
    const points = cells.flatMap((c, i) => SHAPES.map((shape) => ({ index: i, model: recipeFleetModel(c.fleet, c.documented, PUBLISHED_LIMITERS[shape]) })));
    const results = await runPoints(points, args.seed ?? 1, trials, 'sim table --verify', { workers: args.workers, engine: args.engine, stallSeconds: args.stallSeconds });
    cells.forEach((c, i) => {
      c.simulated = Object.fromEntries(SHAPES.map((shape, k) => [shape, results[i * SHAPES.length + k]])) as Record<LimiterShape, PointResult>;
    });
  }
  const records = tableRecords(cells, args.verify ? trials : 0);
  const file = writeFilesAtomically(dir, [['jitter-table.csv', stringify(records.rows.map((r) => r.map(formatNumber)), { header: true, columns: records.columns })]]);
  if (args.json) {
    const json = records.rows.map((r) => Object.fromEntries(r.map((v, i) => [records.columns[i], Number.isNaN(v) ? null : v])));
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(readable(table.clusters, cells, args.verify ? trials : 0));
  }
  process.stderr.write(`wrote ${file.join(', ')}\n`);
  return 0;
}

/** jitter-table.csv's columns and rows (numbers), for the CSV and for --json. */
function tableRecords(cells: Cell[], trials: number): { columns: string[]; rows: number[][] } {
  const columns = [
    'secretsPerCluster',
    'clusters',
    'documentedJitterSeconds',
    'recipeJitterSeconds',
    'recipeRounded',
    'differs',
    'poissonPSecondOver',
    'exactPSecondOver',
    'exactRefreshOver',
    ...(trials > 0 && !cells[0]?.sampled ? ['trials', ...intervalColumns('pSecondOver'), ...intervalColumns('refreshOver'), ...SHAPES.flatMap((s) => intervalColumns(THROTTLED_COLUMN[s]))] : []),
    // Importance sampling: the estimate (clipped to [0, 1]: _isClipped) and its relative standard error (empty when refused), and the cover's summed probabilities capped at 1, an upper bound.
    ...(trials > 0 && cells[0]?.sampled ? ['trials', ...SAMPLED.flatMap(([, stem]) => [`${stem}_is`, `${stem}_isClipped`, `${stem}_isRelErr`, `${stem}_isBound`])] : []),
  ];
  const rows = cells.map((c) => {
    const row = [
      c.fleet.secretsPerCluster,
      c.fleet.clusters,
      c.documented,
      c.recipe,
      c.recipeRounded,
      c.recipeRounded !== c.documented ? 1 : 0,
      c.at.poisson,
      c.at.exactSecond,
      c.at.exactRefresh,
    ];
    if (c.sampled) {
      row.push(trials);
      for (const [q] of SAMPLED) {
        const e = c.sampled[q];
        row.push(e.refused ? NaN : e.estimate, e.clipped ? 1 : 0, e.refused ? NaN : e.relativeError, e.bound);
      }
    }
    if (c.simulated) {
      const pick = (r: PointResult, m: string) => intervalColumns(m).map((k) => r.summary.get(k)!);
      row.push(trials, ...pick(c.simulated['token-bucket'], 'pSecondOver'), ...pick(c.simulated['token-bucket'], 'refreshOver'));
      for (const s of SHAPES) row.push(...pick(c.simulated[s], 'throttledTrial'));
    }
    return row;
  });
  return { columns, rows };
}

/** The grids a reader compares with the documentation, one per quantity. */
function readable(clusters: number[], cells: Cell[], trials: number): string {
  const byRow = new Map<number, Cell[]>();
  for (const c of cells) byRow.set(c.fleet.secretsPerCluster, [...(byRow.get(c.fleet.secretsPerCluster) ?? []), c]);
  const grid = (title: string, value: (c: Cell) => string) => {
    const header = ['secrets \\ clusters', ...clusters.map(String)];
    const body = [...byRow].map(([s, row]) => [String(s), ...row.map(value)]);
    return [title, ...alignColumns([header, ...body])].join('\n');
  };
  const differing = cells.filter((c) => c.recipeRounded !== c.documented).length;
  const parts = [
    grid(`jitterSeconds, documented (* where the recipe, rounded to 2 significant digits, differs: ${differing} of ${cells.length} cells)`, (c) =>
      c.recipeRounded === c.documented ? String(c.documented) : `${c.documented}*${c.recipeRounded}`,
    ),
    grid(`P(a given second over ${PER_SECOND_LIMIT} GETs/s) at the documented jitter, exact (binomial)`, (c) => formatPercentDigits(c.at.exactSecond)),
    grid(`P(any second of the refresh window over ${PER_SECOND_LIMIT} GETs/s) at the documented jitter, exact`, (c) => formatPercentDigits(c.at.exactRefresh)),
  ];
  if (trials > 0 && cells[0]?.sampled) {
    parts.push(grid(`importance sampling: refreshes with a second over ${PER_SECOND_LIMIT} (${trials} weighted rollouts per cell and quantity; +- relative standard error)`, (c) => formatRareBrief(c.sampled!.refreshOver)));
    for (const shape of SHAPES) parts.push(grid(`importance sampling: refreshes with a 429, ${shape} (${VAULT_LIMIT} per ${VAULT_WINDOW_SECONDS} s)`, (c) => formatRareBrief(c.sampled![shape])));
  } else if (trials > 0) {
    const zero = formatPercentDigits(wilson(0, trials).hi);
    parts.push(grid(`simulated refreshes with a second over ${PER_SECOND_LIMIT} (${trials} trials per cell; 0% means below ${zero}, 95%)`, (c) => formatPercentDigits(c.simulated!['token-bucket'].summary.get('refreshOver_mean')!)));
    for (const shape of SHAPES) {
      parts.push(grid(`simulated refreshes with a 429, ${shape} (${VAULT_LIMIT} per ${VAULT_WINDOW_SECONDS} s)`, (c) => formatPercentDigits(c.simulated![shape].summary.get('throttledTrial_mean')!)));
    }
  }
  return parts.join('\n\n') + '\n';
}
