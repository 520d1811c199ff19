import type { RareEstimate } from '../metrics/rare-estimate.js';
import { parseDuration, parseShare } from '../scenario/units.js';

/** A number as CSV text: empty for "no data", integers exactly, other values to 10 significant digits. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return '';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(10)));
}

/** A swept value as a cell: durations and shares in their numeric form, everything else as written. */
export function formatSweepValue(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') {
    const seconds = parseDuration(v);
    if (seconds !== null) return formatNumber(seconds);
    const share = parseShare(v);
    if (share !== null) return formatNumber(share);
    return v;
  }
  return JSON.stringify(v);
}

/** A proportion for people: "0.12%" or "< 0.001%". */
export function formatPercent(p: number): string {
  if (Number.isNaN(p)) return '-';
  if (p === 0) return '0%';
  const pct = p * 100;
  if (pct < 0.001) return '<0.001%';
  return `${Number(pct.toPrecision(pct >= 10 ? 3 : 2))}%`;
}

/** A count or time for people: 3 significant digits, thousands separated. */
export function formatAmount(v: number, unit = ''): string {
  if (Number.isNaN(v)) return '-';
  const rounded = Math.abs(v) >= 1000 ? Math.round(v) : Number(v.toPrecision(3));
  return `${rounded.toLocaleString('en-US')}${unit}`;
}

/** A probability as a percentage with two significant digits, however small: "0.0034%", "0.00000000015%", "1.9e-98%". */
export function formatPercentDigits(p: number): string {
  if (Number.isNaN(p)) return '-';
  if (p === 0) return '0%';
  const pct = Number((p * 100).toPrecision(2));
  const decimals = Math.max(0, 1 - Math.floor(Math.log10(pct)));
  return decimals > 12 ? `${pct.toExponential(1)}%` : `${pct.toFixed(decimals)}%`;
}

/**
 * Rows of cells as aligned lines: the first column left-aligned, the others right-aligned;
 * `rule` puts a line of dashes under the first row (a header).
 */
export function alignColumns(rows: string[][], rule = false): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = rows.map(line);
  if (rule) lines.splice(1, 0, line(widths.map((w) => '-'.repeat(w))));
  return lines;
}

/** A proportion's mean and 95% interval: "0.55% [0.3%, 0.9%]". */
/** A share with its 95% interval, in percent as formatPercent writes it: "0% [0%, 1.9%]". */
export function formatPercentInterval(mean: number, lo: number, hi: number): string {
  return `${formatPercent(mean)} [${formatPercent(lo)}, ${formatPercent(hi)}]`;
}

/** A headroom share, `suffix` after it; a negative one as the share sent over the limit ("5.4% over"). */
export function formatHeadroom(h: number, suffix = ''): string {
  return h < 0 ? `${formatPercent(-h)} over` : `${formatPercent(h)}${suffix}`;
}

export function formatProportion(mean: number, lo: number, hi: number): string {
  return `${formatPercentDigits(mean)} [${formatPercentDigits(lo)}, ${formatPercentDigits(hi)}]`;
}

/** A value for a reader: 3 significant digits, thousands grouped, small values in exponent form ("2.50e-4"). */
export function formatFigure(v: number): string {
  if (Number.isNaN(v)) return '-';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : a >= 0.01 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/** A CSV cell: empty for no value, a number as formatNumber writes it, text as it is. */
export function formatCell(v: number | string | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'number' ? formatNumber(v) : inertText(v);
}

/**
 * Text a spreadsheet would run as a formula (a user's vault name "=HYPERLINK(...)" as a swept
 * value) gets a leading ' so it stays text; numbers written as text are left alone.
 */
export function inertText(v: string): string {
  return /^[=+\-@\t\r]/.test(v) && !Number.isFinite(Number(v)) ? `'${v}` : v;
}

/** An importance-sampling estimate: the probability, its relative standard error and effective trials, or why it is not given. */
export function formatRare(e: RareEstimate): string {
  if (e.refused) return e.estimate === 0 && e.bound < 1 ? `below ${formatPercentDigits(e.bound)} (no drawn rollout had the event: at most the cover's probability)` : `- (${e.refused})`;
  return `${formatPercentDigits(e.estimate)} +- ${(100 * e.relativeError).toPrecision(2)}% (${Math.round(e.effectiveTrials)} effective trials${e.clipped ? '; clipped: the weighted mean came out above 1' : ''})`;
}

/**
 * The same in a table cell: the estimate +- its relative error ("(clipped)" where the weighted
 * mean came out above 1); where it was refused, "<=" the cover's summed probability capped at
 * 1, which bounds it; 0 where the cover is empty (it cannot happen).
 */
export function formatRareBrief(e: RareEstimate): string {
  if (e.bound === 0) return '0';
  if (e.refused) return `<=${formatPercentDigits(e.bound)}`;
  return `${formatPercentDigits(e.estimate)}${e.clipped ? ' (clipped)' : ''} +-${(100 * e.relativeError).toPrecision(2)}%`;
}
