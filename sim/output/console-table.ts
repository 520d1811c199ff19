import { scopeColumn } from '../metrics/summary.js';
import type { Scenario } from '../scenario/load.js';
import { SHAPE_METRICS, shapeName, type ShapeMetric } from '../metrics/trial-record.js';
import { alignColumns, formatAmount, formatHeadroom, formatPercent, formatPercentInterval } from './format.js';

type Row = Map<string, number | string>;

const num = (row: Row, key: string) => {
  const v = row.get(key);
  return typeof v === 'number' ? v : NaN;
};

/** The readable summary: one line per point with the numbers a capacity review asks for. */
export function consoleTable(scenario: Scenario, rows: Row[]): string {
  const events = scenario.points.flatMap((p) => p.model.events);
  const outage = events.some((e) => e.kind === 'outage');
  const rotation = events.some((e) => e.kind === 'rotation');
  const rollout = scenario.points.some((p) => p.model.start === 'rollout') || events.some((e) => e.kind === 'rollout');
  const headers = [
    'point',
    ...scenario.sweepColumns,
    'throttled trials [95% CI]',
    'worst limiter shape [95% CI]',
    '429s/trial',
    'peak GET/s',
    'peak 10s',
    `refresh: a second >${formatAmount(scenario.points[0].model.metrics.perSecondLimit)}/s`,
    'last 429 at',
    'converged in',
    ...(outage ? ['429s after outage', 'recovered in'] : []),
    ...(rotation ? ['staleness p99'] : []),
  ];
  const body = rows.map((row) => [
    String(row.get('point')),
    ...scenario.sweepColumns.map((c) => String(row.get(c) ?? '')),
    interval(row, 'throttledTrial'),
    worstShapeCell(row),
    formatAmount(num(row, 'throttled_mean')),
    formatAmount(num(row, 'peakRps_mean')),
    formatAmount(num(row, 'peak10s_mean')),
    formatPercent(num(row, 'refreshOver_mean')),
    conditional(row, 'lastThrottleAt', null),
    rollout ? converged(row) : '-',
    ...(outage ? [formatAmount(num(row, 'throttledAfterOutage_mean')), conditional(row, 'recovery', 'never')] : []),
    ...(rotation ? [conditional(row, 'stalenessP99', 'still stale at the end')] : []),
  ]);
  const clusters = [...new Set(scenario.points.map((p) => p.model.fleet.reduce((n, g) => n + g.clusters, 0)))];
  const title = `${scenario.name}: ${clusters.map((n) => formatAmount(n)).join(' / ')} clusters, ${scenario.trials} trials per point`;
  return [title, ...alignColumns([headers, ...body], true), ...shapeWarnings(rows), ...vaultLines(scenario, rows)].join('\n') + '\n';
}

const interval = (row: Row, m: string) => formatPercentInterval(num(row, `${m}_mean`), num(row, `${m}_lo`), num(row, `${m}_hi`));

/** The shape column under which most trials would meet a 429 (the first of equals), or null without shape columns. */
function worstShape(row: Row): ShapeMetric | null {
  let worst: ShapeMetric | null = null;
  for (const column of SHAPE_METRICS) {
    if (!Number.isFinite(num(row, `${column}_mean`))) continue;
    if (worst === null || num(row, `${column}_mean`) > num(row, `${worst}_mean`)) worst = column;
  }
  return worst;
}

function worstShapeCell(row: Row): string {
  const w = worstShape(row);
  if (!w) return '-';
  const same = SHAPE_METRICS.every((c) => num(row, `${c}_mean`) === num(row, `${w}_mean`));
  return `${same ? 'every shape' : shapeName(w)} ${interval(row, w)}`;
}

/** A line per point whose headline another limiter shape at the same limit contradicts (its interval entirely above). */
function shapeWarnings(rows: Row[]): string[] {
  return rows.flatMap((row) => {
    const w = worstShape(row);
    if (!w || !(num(row, `${w}_lo`) > num(row, 'throttledTrial_hi'))) return [];
    return [`point ${row.get('point')}: ${formatPercent(num(row, 'throttledTrial_mean'))} of trials throttled with this scenario's limiter, but ${formatPercent(num(row, `${w}_mean`))} under a ${shapeName(w)} at the same limit and window: AKV publishes its limit, not its shape`];
  });
}

/** With several vaults: each vault's and the subscription's load per point (means per trial). */
function vaultLines(scenario: Scenario, rows: Row[]): string[] {
  if (!scenario.points.some((p) => p.model.vaults.length > 1)) return [];
  const table = [['point', 'vault', 'GETs', '429s', 'peak GET/s', 'peak 10s', 'headroom at the peak 10 s']];
  rows.forEach((row, p) => {
    const m = scenario.points[p].model;
    const scopes: Array<string | null> = [...m.vaults.map((v) => v.name), ...(m.subscription ? [null] : [])];
    for (const scope of scopes) {
      const v = (metric: string) => num(row, `${scopeColumn(scope, metric)}_mean`);
      table.push([String(p), scope ?? '(subscription)', formatAmount(v('requests')), formatAmount(v('throttled')), formatAmount(v('peakRps')), formatAmount(v('peak10s')), formatHeadroom(v('headroom'))]);
    }
  });
  return ['', 'per vault (means per trial; headroom: the share of the limit per 10 s left at the busiest 10 s):', ...alignColumns(table, true)];
}

/** Convergence, marked when the point's trials throttled (the 429s and their retries slowed it). */
function converged(row: Row): string {
  const text = conditional(row, 'convergence', 'never');
  return num(row, 'throttled_mean') > 0 ? `${text}, throttled` : text;
}

/**
 * A time that exists in some trials only: its mean over those, and how many trials lack it
 * (`missing` says why; null: absence is unremarkable, as for the last 429 of a trial without any).
 */
function conditional(row: Row, metric: string, missing: string | null): string {
  const n = num(row, `${metric}_n`);
  const trials = num(row, 'trials');
  if (!(n > 0)) return missing === null ? '-' : `${missing} (all)`;
  const mean = formatAmount(num(row, `${metric}_mean`), ' s');
  return n < trials && missing !== null ? `${mean} (${trials - n} ${missing})` : mean;
}
