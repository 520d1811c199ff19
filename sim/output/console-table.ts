import type { Scenario } from '../scenario/load.js';
import { formatAmount, formatPercent } from './format.js';

type Row = Map<string, number | string>;

const num = (row: Row, key: string) => {
  const v = row.get(key);
  return typeof v === 'number' ? v : NaN;
};

/** The readable summary: one line per point with the numbers a capacity review asks for. */
export function consoleTable(scenario: Scenario, rows: Row[]): string {
  const headers = [
    'point',
    ...scenario.sweepColumns,
    'throttled trials [95% CI]',
    '429s/trial',
    'peak GET/s',
    'peak 10s',
    'refresh >limit',
    'converged in',
  ];
  const body = rows.map((row) => [
    String(row.get('point')),
    ...scenario.sweepColumns.map((c) => String(row.get(c) ?? '')),
    `${formatPercent(num(row, 'throttledTrial_mean'))} [${formatPercent(num(row, 'throttledTrial_lo'))}, ${formatPercent(num(row, 'throttledTrial_hi'))}]`,
    formatAmount(num(row, 'throttled_mean')),
    formatAmount(num(row, 'peakRps_mean')),
    formatAmount(num(row, 'peak10s_mean')),
    formatPercent(num(row, 'refreshOver_mean')),
    convergence(row),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const first = scenario.points[0].model.fleet;
  const title = `${scenario.name}: ${first.reduce((n, g) => n + g.clusters, 0)} clusters, ${scenario.trials} trials per point`;
  return [title, line(headers), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

function convergence(row: Row): string {
  const n = num(row, 'convergence_n');
  const trials = num(row, 'trials');
  if (!(n > 0)) return '-';
  const mean = formatAmount(num(row, 'convergence_mean'), ' s');
  return n < trials ? `${mean} (${trials - n} never)` : mean;
}
