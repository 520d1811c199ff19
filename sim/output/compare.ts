import { scopeColumn } from '../metrics/summary.js';
import { SHAPE_METRICS } from '../metrics/trial-record.js';
import { alignColumns, formatFigure, formatHeadroom, formatProportion } from './format.js';
import { num, scopeNames, type ResultsFolder, type Row } from './report-data.js';

/** The metrics sim compare sets side by side. */
export const HEADLINE_METRICS = ['throttledTrial', ...SHAPE_METRICS, 'refreshOver', 'pSecondOver', 'throttled', 'requests', 'peakRps', 'peak10s', 'convergence'] as const;

/** Per vault and for the subscription: the load and headroom sim compare sets side by side. */
const SCOPE_COMPARED = ['requests', 'throttled', 'peakRps', 'peak10s', 'headroom'] as const;

interface Estimate {
  mean: number | null;
  lo: number | null;
  hi: number | null;
}

export interface Comparison {
  a: RunSide;
  b: RunSide;
  /** What differs between the two runs: their records' settings, then the points' models, by path (`point i.` where not every point differs alike). */
  settings: Array<{ path: string; a: unknown; b: unknown }>;
  points: Array<{
    point: number;
    a: string;
    b: string;
    metrics: Array<{ metric: string; a: Estimate; b: Estimate; difference: number | null; separate: boolean }>;
    /** Each vault of either run, then the subscription (null) where either has a limit: its means in A and B (null: not in that run). */
    vaults: Array<{ vault: string | null; a: Record<string, number> | null; b: Record<string, number> | null }>;
  }>;
  /** Points only one run has. */
  unmatched: { a: number; b: number };
}

interface RunSide {
  dir: string;
  scenario: string;
  version: string;
  seed: number | string;
  trials: number;
}

const orNull = (v: number) => (Number.isNaN(v) ? null : v);

function estimate(row: Row, metric: string): Estimate {
  return { mean: orNull(num(row, `${metric}_mean`)), lo: orNull(num(row, `${metric}_lo`)), hi: orNull(num(row, `${metric}_hi`)) };
}

/** Paths where two JSON values differ (at most `limit`), depth first. */
function differences(a: unknown, b: unknown, path: string, out: Array<{ path: string; a: unknown; b: unknown }>, limit: number): void {
  if (out.length >= limit) return;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out, limit);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, a: a ?? null, b: b ?? null });
}

/**
 * Where the points' models differ: a difference that every point has (the usual case: one
 * setting changed between the runs) once, by its path in the model; the others with their point.
 */
function pointDifferences(a: ResultsFolder, b: ResultsFolder, common: number, limit: number): Comparison['settings'] {
  const perPoint = Array.from({ length: common }, (_, p) => {
    const found: Comparison['settings'] = [];
    differences(a.record.scenario.points[p]?.model, b.record.scenario.points[p]?.model, '', found, limit);
    return found;
  });
  const key = (d: Comparison['settings'][number]) => JSON.stringify([d.path, d.a, d.b]);
  const keys = perPoint.map((found) => new Set(found.map(key)));
  const atEvery = new Set([...(keys[0] ?? [])].filter((k) => keys.every((ks) => ks.has(k))));
  const out: Comparison['settings'] = (perPoint[0] ?? []).filter((d) => atEvery.has(key(d)));
  perPoint.forEach((found, p) => {
    for (const d of found) if (!atEvery.has(key(d))) out.push({ ...d, path: `point ${p}.${d.path}` });
  });
  return out.slice(0, limit);
}

function label(f: ResultsFolder, point: number): string {
  const sweep = f.record.scenario.points[point]?.sweep ?? [];
  return sweep.length === 0 ? `point ${point}` : sweep.map((s) => `${s.column}=${String(s.value)}`).join(', ');
}

/** A scope's means in one run's point (null: the run has no such vault, or the point none of it). */
function scopeMeans(f: ResultsFolder, has: boolean, point: number, scope: string | null): Record<string, number> | null {
  if (!has) return null;
  const row = f.summary[point];
  const means = Object.fromEntries(SCOPE_COMPARED.map((m) => [m, num(row, `${scopeColumn(scope, m)}_mean`)]));
  return SCOPE_COMPARED.every((m) => Number.isNaN(means[m])) ? null : means;
}

/** Two results folders point by point (point i against point i), as hyperfine sets commands side by side. */
export function compareRuns(a: ResultsFolder, b: ResultsFolder): Comparison {
  const side = (f: ResultsFolder): RunSide => ({ dir: f.dir, scenario: f.record.scenario.name, version: f.record.version, seed: f.record.seed, trials: f.record.trials });
  const settings: Comparison['settings'] = [];
  for (const key of ['version', 'seed', 'trials', 'engine'] as const) differences(a.record[key], b.record[key], key, settings, 50);
  const common = Math.min(a.summary.length, b.summary.length);
  const sa = scopeNames(a);
  const sb = scopeNames(b);
  settings.push(...pointDifferences(a, b, common, 50 - settings.length));
  const points = Array.from({ length: common }, (_, p) => ({
    point: p,
    a: label(a, p),
    b: label(b, p),
    metrics: HEADLINE_METRICS.map((metric) => {
      const ea = estimate(a.summary[p], metric);
      const eb = estimate(b.summary[p], metric);
      const separate = ea.lo !== null && ea.hi !== null && eb.lo !== null && eb.hi !== null && (ea.hi < eb.lo || eb.hi < ea.lo);
      return { metric, a: ea, b: eb, difference: ea.mean !== null && eb.mean !== null ? eb.mean - ea.mean : null, separate };
    }),
    vaults: [...new Set([...sa.vaults, ...sb.vaults])].map((v): string | null => v).concat(sa.subscription || sb.subscription ? [null] : []).map((vault) => ({
      vault,
      a: scopeMeans(a, vault === null ? sa.subscription : sa.vaults.includes(vault), p, vault),
      b: scopeMeans(b, vault === null ? sb.subscription : sb.vaults.includes(vault), p, vault),
    })),
  }));
  return { a: side(a), b: side(b), settings, points, unmatched: { a: a.summary.length - common, b: b.summary.length - common } };
}

/** Proportions in percent, other metrics in 3 significant digits. */
const PROPORTIONS: readonly string[] = ['throttledTrial', ...SHAPE_METRICS, 'refreshOver', 'pSecondOver'];

function show(metric: string, e: Estimate): string {
  if (e.mean === null) return '-';
  if (PROPORTIONS.includes(metric) && e.lo !== null && e.hi !== null) return formatProportion(e.mean, e.lo, e.hi);
  return e.lo === null || e.hi === null ? formatFigure(e.mean) : `${formatFigure(e.mean)} [${formatFigure(e.lo)}, ${formatFigure(e.hi)}]`;
}

/** A vault's headroom as a reviewer reads it: "43.5% headroom", "5.4% over", or why there is none. */
function headroomText(m: Record<string, number> | null): string {
  if (m === null) return 'not in this run';
  return Number.isNaN(m.headroom) ? '-' : formatHeadroom(m.headroom, ' headroom');
}

const figure = (m: Record<string, number> | null, key: string) => (m === null ? '-' : formatFigure(m[key]));

/** A name read back from a file, safe on a terminal (control characters shown as ?). */
const printable = (name: string) => name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** The comparison as text: what differs, then per point each metric in A and B, B - A, and whether the intervals separate. */
export function comparisonText(c: Comparison): string {
  const lines = [`A: ${c.a.dir} (${c.a.scenario}, seed ${c.a.seed}, ${c.a.trials} trials, ${c.a.version})`, `B: ${c.b.dir} (${c.b.scenario}, seed ${c.b.seed}, ${c.b.trials} trials, ${c.b.version})`];
  lines.push(c.settings.length === 0 ? 'settings: the same' : `settings that differ (${c.settings.length}${c.settings.length >= 50 ? '+' : ''}):`);
  for (const s of c.settings) lines.push(`  ${s.path}: ${JSON.stringify(s.a)} -> ${JSON.stringify(s.b)}`);
  for (const p of c.points) {
    lines.push('', `point ${p.point}: A ${p.a}; B ${p.b}`);
    const rows = p.metrics.map((m) => [m.metric, show(m.metric, m.a), show(m.metric, m.b), m.difference === null ? '-' : `${m.difference > 0 ? '+' : ''}${formatFigure(m.difference)}`, m.separate ? 'yes' : 'no']);
    lines.push(...alignColumns([['metric', 'A (95%)', 'B (95%)', 'B - A', 'intervals separate'], ...rows]).map((l) => `  ${l}`));
    if (p.vaults.length > 0) {
      lines.push('  per vault (means per trial; headroom: the share of the limit per 10 s left at the busiest 10 s):');
      for (const v of p.vaults) lines.push(`    ${printable(v.vault ?? '(subscription)')}: ${headroomText(v.a)} -> ${headroomText(v.b)}`);
      const table = p.vaults.map((v) => [printable(v.vault ?? '(subscription)'), ...(['peakRps', 'peak10s', 'throttled'] as const).flatMap((m) => [figure(v.a, m), figure(v.b, m)])]);
      lines.push(...alignColumns([['vault', 'peak GET/s A', 'B', 'peak 10 s A', 'B', '429s A', 'B'], ...table]).map((l) => `    ${l}`));
    }
  }
  if (c.unmatched.a > 0 || c.unmatched.b > 0) lines.push('', `points without a counterpart: ${c.unmatched.a} in A, ${c.unmatched.b} in B`);
  return `${lines.join('\n')}\n`;
}
