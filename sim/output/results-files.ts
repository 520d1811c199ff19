import { stringify } from 'csv-stringify/sync';
import { EXTENSION_METRICS, SHAPE_SUMMARY_METRICS, intervalColumns, LATE_COUNT_COLUMNS, scopeColumn, summaryMetricColumns, type PointResult } from '../metrics/summary.js';
import { SCOPE_METRICS } from '../metrics/trial-record.js';
import { POINT_COLUMNS, type Scenario } from '../scenario/load.js';
import { formatCell, formatNumber, formatSweepValue } from './format.js';
import { writeFilesAtomically } from './output-folder.js';
import { writeTrialsCsv } from './trial-rows.js';

export { TRIALS_LEADING_COLUMNS } from './trial-rows.js';

export function summaryColumns(scenario: Scenario): string[] {
  return ['point', ...scenario.sweepColumns, ...POINT_COLUMNS, ...summaryMetricColumns(), 'analyticJitterSeconds', 'analyticPSecondOver', ...summaryMetricColumns(EXTENSION_METRICS), ...LATE_COUNT_COLUMNS, 'analyticNote', ...scopeColumns(scenario), ...summaryMetricColumns(SHAPE_SUMMARY_METRICS)];
}

/** The vaults named by any point, in order of first appearance. */
export function vaultNames(scenario: Scenario): string[] {
  return [...new Set(scenario.points.flatMap((p) => p.model.vaults.map((v) => v.name)))];
}

/** Per vault, then for the subscription (when a point has its limiter): SCOPE_METRICS with intervals. */
function scopeColumns(scenario: Scenario): string[] {
  const scopes: Array<string | null> = [...vaultNames(scenario), ...(scenario.points.some((p) => p.model.subscription !== null) ? [null] : [])];
  return scopes.flatMap((scope) => SCOPE_METRICS.flatMap((m) => intervalColumns(scopeColumn(scope, m))));
}

/** Per-vault timeseries columns, when a point has several vaults. */
const VAULT_SERIES = ['requests_mean', 'throttled_mean', 'trailing10s_mean', 'limit10s'] as const;

/** One summary.csv row per point, as numbers keyed by column (swept values as cells). */
export function summaryRows(scenario: Scenario, results: PointResult[]): Array<Map<string, number | string>> {
  return results.map((r, i) => {
    const point = scenario.points[i];
    const row = new Map<string, number | string>();
    row.set('point', i);
    for (const s of point.sweep) row.set(s.column, formatSweepValue(s.value));
    const fleet = point.model.fleet;
    row.set('clusters', fleet.reduce((n, g) => n + g.clusters, 0));
    const g = fleet[0];
    const secrets = g.secretSyncs * g.objectsPerSync;
    row.set('secretsPerCluster', secrets);
    row.set('trials', r.trials);
    // The metrics, and the documented recipe's analytic columns (sim/run adds them).
    for (const [k, v] of r.summary) row.set(k, v);
    row.set('analyticNote', r.analyticNote ?? '');
    return row;
  });
}

export function summaryCsv(scenario: Scenario, results: PointResult[]): string {
  const columns = summaryColumns(scenario);
  const rows = summaryRows(scenario, results).map((row) => columns.map((c) => formatCell(row.get(c))));
  return stringify(rows, { header: true, columns });
}

/** timeseries.csv's columns (docs/outputs.md). */
export const TIMESERIES_COLUMNS = ['point', 't', 'requests_mean', 'throttled_mean', 'requests_p99'] as const;
export function timeseriesCsv(scenario: Scenario, results: PointResult[]): string {
  const vaults = scenario.points.some((p) => p.model.vaults.length > 1) ? vaultNames(scenario) : [];
  const rows: string[][] = [];
  results.forEach((r, p) => {
    const bin = scenario.points[p].model.metrics.timeseriesBin;
    const own = vaults.map((name) => r.scopes.vaults.indexOf(name));
    for (let k = 0; k < r.bins; k++) {
      const row = [String(p), formatNumber(k * bin), formatNumber(r.requestsMean[k]), formatNumber(r.throttledMean[k]), formatNumber(r.requestsP99[k])];
      for (const v of own) {
        const has = v >= 0 && r.vaultRequestsMean.length > 0;
        row.push(...(has ? [r.vaultRequestsMean[v][k], r.vaultThrottledMean[v][k], r.vaultTrailing10sMean[v][k], r.scopes.limits10s[v]].map(formatNumber) : ['', '', '', '']));
      }
      rows.push(row);
    }
  });
  const columns = [...TIMESERIES_COLUMNS, ...vaults.flatMap((name) => VAULT_SERIES.map((c) => `vault.${name}.${c}`))];
  return stringify(rows, { header: true, columns });
}

/**
 * Writes summary.csv, timeseries.csv and trials.csv (and `extra`, such as run.json) into `dir`,
 * all or none; trials.csv from each point's row files (`trialRows[p]`, in trial order), streamed.
 */
export function writeResults(dir: string, scenario: Scenario, results: PointResult[], trialRows: string[][], extra: Parameters<typeof writeFilesAtomically>[1] = []): string[] {
  return writeFilesAtomically(dir, [
    ['summary.csv', summaryCsv(scenario, results)],
    ['timeseries.csv', timeseriesCsv(scenario, results)],
    ['trials.csv', (path: string) => writeTrialsCsv(path, trialRows)],
    ...extra,
  ]);
}
