import { scopeColumn } from '../metrics/summary.js';
import { SHAPE_METRICS, shapeName } from '../metrics/trial-record.js';
import { formatFigure, formatPercent, formatPercentInterval } from './format.js';
import { num, scopeNames, type ResultsFolder, type Row } from './report-data.js';

/**
 * A point's verdict as a reviewer pastes it (the report's and the Markdown summary's): the share
 * of trials with a 429 under the scenario's limiter and under each shape at the same limit, the
 * tightest vault's headroom at its busiest 10 s, and how long the fleet took to converge.
 */
export function verdictSentence(f: Pick<ResultsFolder, 'columns'>, r: Row): string {
  const { vaults, subscription } = scopeNames(f);
  const scopes: Array<string | null> = [...vaults, ...(subscription ? [null] : [])];
  const share = (m: string) => formatPercentInterval(num(r, `${m}_mean`), num(r, `${m}_lo`), num(r, `${m}_hi`));
  const parts = [`${share('throttledTrial')} of trials met a 429 with the scenario's limiter`];
  const shapes = SHAPE_METRICS.filter((m) => !Number.isNaN(num(r, `${m}_mean`)));
  if (shapes.length > 0) parts.push(`at the same limit and window: ${shapes.map((m) => `${shapeName(m)} ${share(m)}`).join(', ')}`);
  const t = tightestScope(scopes, r);
  if (t) {
    const name = t.scope === null ? 'the subscription' : `vault ${t.scope}`;
    parts.push(`tightest: ${name}, ${t.headroom < 0 ? `${formatPercent(-t.headroom)} over its limit` : `${formatPercent(t.headroom)} of its limit left`} at its busiest 10 s`);
  }
  const converged = num(r, 'convergence_mean');
  if (!Number.isNaN(converged)) parts.push(`every edited SecretSync synced ${formatFigure(converged)} s after the rollout began (mean)`);
  return parts.join('; ');
}

/** The vault (null: the subscription) with the least headroom at its busiest 10 s, or null without headroom columns. */
export function tightestScope(scopes: ReadonlyArray<string | null>, r: Row): { scope: string | null; headroom: number } | null {
  let tightest: { scope: string | null; headroom: number } | null = null;
  for (const scope of scopes) {
    const h = num(r, `${scopeColumn(scope, 'headroom')}_mean`);
    if (!Number.isNaN(h) && (tightest === null || h < tightest.headroom)) tightest = { scope, headroom: h };
  }
  return tightest;
}
