import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parseDuration } from '../scenario/units.js';
import { num, pointLabel, type Distribution, type DistributionColumn, type ResultsFolder, type Row } from './report-data.js';

/** A chart of the report: its title, a sentence on how to read it, and its Vega-Lite spec. */
export interface Chart {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** Drawn folded (a point's time series beyond the few shown open): reachable, not in the way. */
  folded?: boolean;
}

const WIDTH = 640;
/** Every chart's configuration: legends wide enough for their labels. */
const CONFIG = { legend: { labelLimit: 260 } };
const HEIGHT = 220;
/** Points whose time series the report draws at most. */
const MAX_SERIES_POINTS = 4;

/** What every chart's spec starts with: the schema, the shared configuration and the size. */
const BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, width: WIDTH, height: HEIGHT } as const;

/**
 * A series over time (one line per `color` value) with dashed horizontal limits: the time
 * series charts of a point.
 */
function timeChart(values: Row[], xTitle: string, yTitle: string, color: { field: string; title: string | null }, limits: Row[], ruleColor?: string): TopLevelSpec {
  return {
    ...BASE,
    layer: [
      { data: { values }, mark: { type: 'line', strokeWidth: 1 }, encoding: { x: { field: 't', type: 'quantitative', title: xTitle }, y: { field: 'value', type: 'quantitative', title: yTitle }, color: { field: color.field, type: 'nominal', title: color.title } } },
      {
        data: { values: limits },
        mark: { type: 'rule', strokeDash: [6, 4], ...(ruleColor ? { color: ruleColor } : {}) },
        encoding: { y: { field: 'limit', type: 'quantitative' }, ...(ruleColor ? {} : { color: { field: color.field, type: 'nominal' } }) },
      },
    ],
  } as TopLevelSpec;
}

/** A chart's SVG, rendered in Node by Vega (no browser, no script in the page). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A swept cell as a number: a number, or a duration as written ("30s") in seconds; NaN otherwise. */
function sweptNumber(v: number | string | undefined): number {
  if (typeof v === 'number') return v;
  return typeof v === 'string' ? (parseDuration(v) ?? Number.NaN) : Number.NaN;
}

/** The swept parameter the sweep charts use as x: the first swept column with numeric values (or durations), else the point. */
function sweepAxis(f: ResultsFolder): { field: string; title: string; type: 'quantitative' | 'ordinal' } {
  const swept = f.record.scenario.points[0]?.sweep ?? [];
  for (const s of swept) if (f.summary.every((r) => !Number.isNaN(sweptNumber(r[s.column])))) return { field: s.column, title: s.column, type: 'quantitative' };
  return { field: 'point', title: 'point', type: 'ordinal' };
}

/**
 * Mean and 95% interval of metric m per point, long form for a layered band and line chart.
 * With more than one swept key, each value of the others is a series of its own: a line joins
 * points that differ in x alone, never across a second key.
 */
function intervalRows(f: ResultsFolder, x: string, metrics: Array<[column: string, label: string]>): Row[] {
  const series = seriesName(f, x);
  return f.summary.flatMap((r) =>
    metrics.flatMap(([m, label]) => {
      const mean = num(r, `${m}_mean`);
      return Number.isNaN(mean) ? [] : [{ x: sweptNumber(r[x]), point: num(r, 'point'), series: series(label, r), mean, lo: num(r, `${m}_lo`), hi: num(r, `${m}_hi`) }];
    }),
  );
}

/** A series' name: its label, with the other swept keys' values of the row when x is not the only one. */
function seriesName(f: ResultsFolder, x: string): (label: string, r: Row) => string {
  const others = (f.record.scenario.points[0]?.sweep ?? []).map((s) => s.column).filter((c) => c !== x);
  // The key's last part names it well enough beside its value ("clusters=2500"), and fits a legend.
  return (label, r) => (others.length === 0 ? label : `${label}, ${others.map((c) => `${c.split('.').at(-1)}=${String(r[c])}`).join(', ')}`);
}

function bandAndLine(rows: Row[], x: { title: string; type: 'quantitative' | 'ordinal' }, y: string, extra: TopLevelSpec[] = []): TopLevelSpec {
  const xEnc = { field: 'x', type: x.type, title: x.title };
  return {
    ...BASE,
    data: { values: rows },
    layer: [
      // Each point's interval as a bar, the points joined by a dotted line: between two swept
      // values nothing was measured, and a band or a solid line would draw a slope across a cliff.
      { mark: { type: 'rule', strokeWidth: 2, opacity: 0.5 }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: y }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', title: null } } },
      { mark: { type: 'line', point: { filled: true, size: 40 }, strokeDash: [2, 3], strokeWidth: 1 }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null } } },
      ...(extra as never[]),
    ],
  } as TopLevelSpec;
}

/** Throttling against the swept parameter, with intervals, and the recipe beside the simulation. */
function sweepCharts(f: ResultsFolder): Chart[] {
  if (f.summary.length < 2) return [];
  const axis = sweepAxis(f);
  const x = axis.field;
  const charts: Chart[] = [
    {
      id: 'throttling',
      title: `Throttling against ${axis.title}`,
      caption: 'The share of trials with any 429 (throttledTrial) and with a second over the per-second limit in the first refresh window (refreshOver); bars are the 95% Wilson intervals, and the dotted lines only join the measured points.',
      spec: bandAndLine(intervalRows(f, x, [['throttledTrial', 'throttledTrial'], ['refreshOver', 'refreshOver']]), axis, 'share of trials'),
    },
    {
      id: 'throttled',
      title: `429s per trial against ${axis.title}`,
      caption: 'The mean number of throttled GETs per trial, with its 95% interval.',
      spec: bandAndLine(intervalRows(f, x, [['throttled', '429s per trial']]), axis, '429s per trial'),
    },
  ];
  const series = seriesName(f, x);
  const analytic = f.summary.flatMap((r) => {
    const v = num(r, 'analyticPSecondOver');
    return Number.isNaN(v) ? [] : [{ x: sweptNumber(r[x]), point: num(r, 'point'), series: series("the recipe's Poisson estimate", r), mean: v, lo: v, hi: v }];
  });
  if (analytic.length > 0) {
    charts.push({
      id: 'psecondover',
      title: `pSecondOver, simulated and analytic, against ${axis.title}`,
      caption: "The share of the refresh window's seconds over the per-second limit: simulated (with its interval) and the documented recipe's Poisson estimate (analyticPSecondOver).",
      spec: bandAndLine([...intervalRows(f, x, [['pSecondOver', 'simulated']]), ...analytic], axis, 'share of seconds over the limit'),
    });
  }
  return charts;
}

/**
 * When a steady fleet's first rollout starts (0: the fleet starts with one, or has none), from
 * run.json's model, read as untrusted: a finite number or nothing.
 */
function rolloutStart(model: unknown): number {
  const m = (model ?? {}) as { start?: unknown; events?: unknown };
  if (m.start !== 'steady' || !Array.isArray(m.events)) return 0;
  const at = m.events.flatMap((e) => (e !== null && typeof e === 'object' && (e as { kind?: unknown }).kind === 'rollout' && typeof (e as { at?: unknown }).at === 'number' && Number.isFinite((e as { at: number }).at) ? [(e as { at: number }).at] : []));
  return at.length > 0 ? Math.max(0, Math.min(...at)) : 0;
}

/** The points whose time series are drawn open: all when few, else spread over the sweep (first and last included); the others' are folded. */
export function seriesPoints(points: number): number[] {
  if (points <= MAX_SERIES_POINTS) return Array.from({ length: points }, (_, i) => i);
  return Array.from({ length: MAX_SERIES_POINTS }, (_, i) => Math.round((i * (points - 1)) / (MAX_SERIES_POINTS - 1)));
}

/** GETs per second over time, and the trailing 10-s sum against each vault's limit, for one point. */
function timeCharts(f: ResultsFolder, point: number): Chart[] {
  const model = f.record.scenario.points[point]?.model as { metrics?: { timeseriesBin?: number; perSecondLimit?: number } } | undefined;
  const bin = model?.metrics?.timeseriesBin ?? 1;
  const perSecondLimit = model?.metrics?.perSecondLimit ?? 400;
  const rows = f.timeseries.filter((r) => num(r, 'point') === point);
  if (rows.length === 0) return [];
  const label = pointLabel(f, point);
  // A steady fleet's rollout: time from its start, where a reviewer reads "how long after the rollout".
  const from = rolloutStart(f.record.scenario.points[point]?.model);
  const xTitle = from > 0 ? `seconds from the rollout's start (at ${from} s)` : 'seconds';
  const t = (r: Row) => num(r, 't') - from;
  const perSecond = rows.flatMap((r) => [
    { t: t(r), series: 'mean', value: num(r, 'requests_mean') / bin },
    { t: t(r), series: 'p99 across trials', value: num(r, 'requests_p99') / bin },
  ]);
  const charts: Chart[] = [
    {
      id: `rps-${point}`,
      title: `GETs per second over time, ${label}`,
      caption: `The fleet's GETs per second (the mean over trials and the 99th percentile of each ${bin}-s bin), against the recipe's per-second limit of ${perSecondLimit}/s (dashed).`,
      spec: timeChart(perSecond, xTitle, 'GETs per second', { field: 'series', title: null }, [{ limit: perSecondLimit }], '#c00'),
    },
  ];
  const trailing = trailingSeries(f, rows, point, bin, from);
  if (trailing.values.length > 0) {
    charts.push({
      id: `trailing-${point}`,
      title: `GETs in the trailing 10 s against the vault limit, ${label}`,
      caption: trailing.fleetWide
        ? "The mean over trials of the fleet's GETs in the 10 s before each time (with one vault: the GETs sent to it, including any an outage kept from it), against the vault's limit per 10 s (dashed): the window AKV publishes its limit for."
        : "The mean over trials of the GETs each vault received in the 10 s before each time, against each vault's limit per 10 s (dashed): the window AKV publishes its limit for.",
      spec: timeChart(trailing.values, xTitle, 'GETs in the trailing 10 s', { field: 'vault', title: 'vault' }, trailing.limits),
    });
  }
  return charts;
}

/**
 * Each vault's trailing 10-s sum of mean GETs: the timeseries' own per-vault columns when it has
 * them (several vaults), else the fleet's bins summed over 10 s (the mean of a sum is the sum of
 * the means). Bins wider than 10 s have no 10-s window.
 */
function trailingSeries(f: ResultsFolder, rows: Row[], point: number, bin: number, from: number): { values: Row[]; limits: Row[]; fleetWide: boolean } {
  const limits = f.record.scenario.points[point]?.limits10s ?? {};
  const vaults = Object.keys(limits);
  const perVault = vaults.filter((v) => `vault.${v}.trailing10s_mean` in rows[0]);
  if (perVault.length > 0) {
    return {
      values: rows.flatMap((r) => perVault.map((v) => ({ t: num(r, 't') - from, vault: v, value: num(r, `vault.${v}.trailing10s_mean`) }))),
      limits: perVault.map((v) => ({ vault: v, limit: limits[v] })),
      fleetWide: false,
    };
  }
  if (bin > 10 || vaults.length !== 1) return { values: [], limits: [], fleetWide: true };
  const width = Math.max(1, Math.round(10 / bin));
  let sum = 0;
  const values = rows.map((r, i) => {
    sum += num(r, 'requests_mean');
    if (i >= width) sum -= num(rows[i - width], 'requests_mean');
    return { t: num(r, 't') - from, vault: vaults[0], value: sum };
  });
  return { values, limits: [{ vault: vaults[0], limit: limits[vaults[0]] }], fleetWide: true };
}

/** Distributions over trials of the times that only some scenarios have: convergence, staleness, recovery. */
function distributionCharts(f: ResultsFolder): Chart[] {
  const metrics: Array<[column: DistributionColumn, title: string, caption: string]> = [
    ['convergence', 'Convergence: seconds until every edited SecretSync succeeded', 'Per trial, the time from the rollout until the last edited SecretSync reconciled successfully; one histogram per point.'],
    ['stalenessP99', 'Staleness: the 99th percentile of seconds a rotated secret was served stale', 'Per trial, the 99th percentile over SecretSyncs of how long each served the old value after a rotation.'],
    ['recovery', 'Recovery after the outage: seconds until no SecretSync was failing', 'Per trial, the time from the end of the first outage until every SecretSync reconciled successfully again.'],
  ];
  return metrics.flatMap(([column, title, caption]) => {
    const values = histogram(f, f.distributions[column]);
    if (values.length === 0) return [];
    return [
      {
        id: `dist-${column}`,
        title,
        caption,
        spec: {
          ...BASE,
          // Counted here, not by vega: a run's trials may be millions.
          data: { values },
          mark: { type: 'bar', opacity: 0.6 },
          encoding: {
            x: { field: 'from', type: 'quantitative', bin: 'binned', title: 'seconds' },
            x2: { field: 'to' },
            y: { field: 'count', type: 'quantitative', title: 'trials', stack: null },
            color: { field: 'point', type: 'nominal', title: 'point' },
          },
        } as TopLevelSpec,
      },
    ];
  });
}

/** At most 40 bins of a nice width (1, 2 or 5 x 10^k) over all points' values; per point, each non-empty bin's count. */
function histogram(f: ResultsFolder, d: Distribution): Array<{ point: string; from: number; to: number; count: number }> {
  if (d.value.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d.value) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const raw = (hi - lo) / 40 || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = power * ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10);
  const start = Math.floor(lo / step) * step;
  const bins = Math.floor((hi - start) / step) + 1;
  const counts = new Map<number, number[]>();
  d.value.forEach((v, i) => {
    const c = counts.get(d.point[i]) ?? new Array<number>(bins).fill(0);
    counts.set(d.point[i], c);
    c[Math.min(bins - 1, Math.floor((v - start) / step))]++;
  });
  return [...counts].flatMap(([point, c]) => c.flatMap((count, b) => (count > 0 ? [{ point: pointLabel(f, point), from: start + b * step, to: start + (b + 1) * step, count }] : [])));
}

/** Every chart of a results folder's report, in the page's order. */
export function reportCharts(f: ResultsFolder): Chart[] {
  const open = new Set(seriesPoints(f.summary.length));
  const points = Array.from({ length: f.summary.length }, (_, p) => p);
  const series = [...points.filter((p) => open.has(p)), ...points.filter((p) => !open.has(p))].flatMap((p) => timeCharts(f, p).map((c) => (open.has(p) ? c : { ...c, folded: true })));
  return [...sweepCharts(f), ...series, ...distributionCharts(f)];
}
