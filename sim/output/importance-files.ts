import { stringify } from 'csv-stringify/sync';
import type { RareEstimate } from '../metrics/rare-estimate.js';
import type { Scenario } from '../scenario/load.js';
import { alignColumns, formatCell, formatNumber, formatPercentDigits, formatRareBrief, formatSweepValue } from './format.js';

/** The quantities `sim run --method importance` estimates per point, in column order. */
export const IMPORTANCE_QUANTITIES = ['pSecondOver', 'refreshOver', 'throttledTrial'] as const;
export type ImportanceQuantity = (typeof IMPORTANCE_QUANTITIES)[number];

/** Per point: its rollout, each quantity's estimate, and the exact values where they exist. */
export interface ImportancePoint {
  senders: number;
  secretsPerSender: number;
  jitterSeconds: number;
  trials: number;
  estimates: Record<ImportanceQuantity, RareEstimate>;
  /** E[pSecondOver] and P(refreshOver) exactly (sim/analytic/exact.ts; NaN: too large to compute). */
  exact: { pSecondOver: number; refreshOver: number };
}

/**
 * importance.csv's columns: the point and its swept values, the rollout (its senders: clusters x
 * SecretSyncs, each fetching secretsPerSender objects at one instant), then per quantity the
 * estimate (`_is`, empty when refused, clipped to [0, 1]), whether it was clipped (`_isClipped`,
 * 1: the weighted mean came out above 1), its relative standard error, its effective trials, the
 * largest contribution's share, the cover's summed probabilities capped at 1 (an upper bound,
 * `_isBound`), why it was refused (empty: it was not), and for pSecondOver and refreshOver the
 * exact value.
 */
export function importanceColumns(scenario: Scenario): string[] {
  // A swept jitterSeconds is the rollout's: one column, not two of the same name.
  const rollout = ['senders', 'secretsPerSender', 'jitterSeconds', 'trials'].filter((c) => !scenario.sweepColumns.includes(c));
  return [
    'point',
    ...scenario.sweepColumns,
    ...rollout,
    ...IMPORTANCE_QUANTITIES.flatMap((q) => [`${q}_is`, `${q}_isClipped`, `${q}_isRelErr`, `${q}_isEffectiveTrials`, `${q}_isLargestShare`, `${q}_isBound`, `${q}_isRefused`, ...(q === 'throttledTrial' ? [] : [`${q}_exact`])]),
  ];
}

/** One row per point, keyed by column: numbers (NaN: empty) and text. */
export function importanceRows(scenario: Scenario, points: ImportancePoint[]): Array<Map<string, number | string>> {
  return points.map((p, i) => {
    const row = new Map<string, number | string>([['point', i]]);
    for (const s of scenario.points[i].sweep) row.set(s.column, formatSweepValue(s.value));
    row.set('senders', p.senders);
    row.set('secretsPerSender', p.secretsPerSender);
    row.set('jitterSeconds', p.jitterSeconds);
    row.set('trials', p.trials);
    for (const q of IMPORTANCE_QUANTITIES) {
      const e = p.estimates[q];
      row.set(`${q}_is`, e.refused ? NaN : e.estimate);
      row.set(`${q}_isClipped`, e.clipped ? 1 : 0);
      row.set(`${q}_isRelErr`, e.refused ? NaN : e.relativeError);
      row.set(`${q}_isEffectiveTrials`, e.effectiveTrials);
      row.set(`${q}_isLargestShare`, e.largestShare);
      row.set(`${q}_isBound`, e.bound);
      row.set(`${q}_isRefused`, e.refused ?? '');
      if (q !== 'throttledTrial') row.set(`${q}_exact`, p.exact[q]);
    }
    return row;
  });
}

export function importanceCsv(scenario: Scenario, points: ImportancePoint[]): string {
  const columns = importanceColumns(scenario);
  const rows = importanceRows(scenario, points).map((row) => columns.map((c) => formatCell(row.get(c))));
  return stringify(rows, { header: true, columns });
}

/** The console's table: a line per point, each quantity's estimate +- its relative error (or <= its bound), the exact value beside it. */
export function importanceTable(scenario: Scenario, points: ImportancePoint[]): string {
  const exact = (v: number) => (Number.isNaN(v) ? '' : ` (exact ${formatPercentDigits(v)})`);
  const rows = [['point', ...scenario.sweepColumns, 'senders x S', 'J (s)', 'trials', 'pSecondOver', 'refreshOver', 'throttledTrial']];
  points.forEach((p, i) =>
    rows.push([
      String(i),
      ...scenario.points[i].sweep.map((s) => formatSweepValue(s.value)),
      `${p.senders} x ${p.secretsPerSender}`,
      formatNumber(p.jitterSeconds),
      String(p.trials),
      formatRareBrief(p.estimates.pSecondOver) + exact(p.exact.pSecondOver),
      formatRareBrief(p.estimates.refreshOver) + exact(p.exact.refreshOver),
      formatRareBrief(p.estimates.throttledTrial),
    ]),
  );
  return alignColumns(rows, true).join('\n') + '\n';
}
