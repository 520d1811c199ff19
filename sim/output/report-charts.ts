import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parseDuration } from '../scenario/units.js';
import { num, pointLabel, scopeNames, type Distribution, type DistributionColumn, type ResultsFolder, type Row } from './report-data.js';

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
/**
 * Every chart's configuration: legends wide enough for their labels (Vega estimates a label's
 * width from its length without a canvas: a series name with a second swept key needs about 300 px).
 */
const CONFIG = { legend: { labelLimit: 320 } };
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

function bandAndLine(rows: Row[], x: { title: string; type: 'quantitative' | 'ordinal' }, y: string, extra: TopLevelSpec[] = [], yFormat?: string): TopLevelSpec {
  const xEnc = { field: 'x', type: x.type, title: x.title };
  const yAxis = yFormat ? { axis: { format: yFormat } } : {};
  return {
    ...BASE,
    data: { values: rows },
    layer: [
      // Each point's interval as a bar, the points joined by a dotted line: between two swept
      // values nothing was measured, and a band or a solid line would draw a slope across a cliff.
      { mark: { type: 'rule', strokeWidth: 2, opacity: 0.5 }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: y, ...yAxis }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal', title: null } } },
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
  const { vaults, subscription } = scopeNames(f);
  const scopes: Array<[column: string, label: string]> = [...vaults.map((v): [string, string] => [`vault.${v}.headroom`, `vault ${v}`]), ...(subscription ? [['subscription.headroom', 'the subscription'] as [string, string]] : [])];
  if (scopes.length > 0) {
    charts.push({
      id: 'headroom',
      title: `Headroom of each vault at its busiest 10 s against ${axis.title}`,
      caption: "The share of each vault's limit per 10 s (and the subscription's) left at its busiest 10 s of a trial, the mean over trials with its 95% interval; below 0 (the solid line) the vault was asked for more than its limit in some 10 s.",
      spec: bandAndLine(intervalRows(f, x, scopes), axis, 'headroom at the busiest 10 s', [{ data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#c00' }, encoding: { y: { field: 'y', type: 'quantitative' } } } as TopLevelSpec], '%'),
    });
  }
  const series = seriesName(f, x);
  const analytic = f.summary.flatMap((r) => {
    const v = num(r, 'analyticPSecondOver');
    return Number.isNaN(v) ? [] : [{ x: sweptNumber(r[x]), point: num(r, 'point'), series: series("the recipe's estimate", r), mean: v, lo: v, hi: v }];
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
  const throttled = throttledSeries(f, rows, point, bin, from);
  if (throttled.length > 0) {
    charts.push({
      id: `throttled-${point}`,
      title: `429s per second over time, by vault, ${label}`,
      caption: `The mean over trials of the 429s each vault answered per second (each ${bin}-s bin): when in the rollout the throttling happens, and at which vault.`,
      spec: timeChart(throttled, xTitle, '429s per second', { field: 'vault', title: 'vault' }, []),
    });
  }
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

/** Each vault's mean 429s per second over time (the fleet's with one vault); none when no trial of the point met a 429. */
function throttledSeries(f: ResultsFolder, rows: Row[], point: number, bin: number, from: number): Row[] {
  const vaults = Object.keys(f.record.scenario.points[point]?.limits10s ?? {});
  const columns: Array<[vault: string, column: string]> = vaults.filter((v) => `vault.${v}.throttled_mean` in rows[0]).map((v) => [v, `vault.${v}.throttled_mean`]);
  if (columns.length === 0 && vaults.length === 1) columns.push([vaults[0], 'throttled_mean']);
  if (!rows.some((r) => columns.some(([, c]) => num(r, c) > 0))) return [];
  return rows.flatMap((r) => columns.map(([vault, c]) => ({ t: num(r, 't') - from, vault, value: num(r, c) / bin })));
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

/**
 * Distributions over trials of the times that only some scenarios have (convergence, staleness,
 * recovery), as the share of trials at or below each time, a line per point: read off "90% of
 * rollouts had converged within t" directly; points far apart (a sweep from 0 to 600 s of jitter)
 * share no bins that would suit both.
 */
function distributionCharts(f: ResultsFolder): Chart[] {
  const metrics: Array<[column: DistributionColumn, title: string, caption: string]> = [
    ['convergence', 'Convergence: share of trials in which every edited SecretSync had succeeded, against time', 'Per point, the share of trials whose last edited SecretSync had reconciled successfully within t seconds of the rollout (of the trials in which all did before the horizon).'],
    ['stalenessP99', 'Staleness: share of trials whose 99th-percentile staleness was at most t', 'Per trial, the 99th percentile over SecretSyncs of how long each served the old value after a rotation; per point, the share of trials at or below t.'],
    ['recovery', 'Recovery after the outage: share of trials recovered, against time', 'Per point, the share of trials in which every SecretSync reconciled successfully again within t seconds of the end of the first outage.'],
  ];
  return metrics.flatMap(([column, title, caption]) => {
    const values = cumulativeShares(f, f.distributions[column]);
    if (values.length === 0) return [];
    return [
      {
        id: `dist-${column}`,
        title,
        caption,
        spec: {
          ...BASE,
          // Computed here, not by vega: a run's trials may be millions.
          data: { values },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'seconds' },
            y: { field: 'share', type: 'quantitative', title: 'share of trials', scale: { domain: [0, 1] }, axis: { format: '%' } },
            color: { field: 'point', type: 'nominal', title: 'point' },
          },
        } as TopLevelSpec,
      },
    ];
  });
}

/** Steps of the empirical distribution drawn per point: at most this many (at evenly spaced shares). */
const CDF_STEPS = 200;

/** Per point, the share of its trials at or below t, at the trials' values (at most CDF_STEPS steps, and the last one). */
export function cumulativeShares(f: Pick<ResultsFolder, 'record'>, d: Distribution): Array<{ point: string; t: number; share: number }> {
  const byPoint = new Map<number, number[]>();
  d.value.forEach((v, i) => {
    const list = byPoint.get(d.point[i]) ?? [];
    list.push(v);
    byPoint.set(d.point[i], list);
  });
  return [...byPoint].sort((a, b) => a[0] - b[0]).flatMap(([point, list]) => {
    const sorted = Float64Array.from(list).sort();
    const n = sorted.length;
    const label = pointLabel(f, point);
    const out: Array<{ point: string; t: number; share: number }> = [{ point: label, t: sorted[0], share: 0 }];
    let last = -1;
    for (let k = 1; k <= CDF_STEPS; k++) {
      // The k-th step's share of trials, at the smallest value that reaches it.
      const i = Math.min(n - 1, Math.ceil((k * n) / CDF_STEPS) - 1);
      if (i <= last) continue;
      last = i;
      out.push({ point: label, t: sorted[i], share: (i + 1) / n });
    }
    return out;
  });
}

/** Every chart of a results folder's report, in the page's order. */
export function reportCharts(f: ResultsFolder): Chart[] {
  const open = new Set(seriesPoints(f.summary.length));
  const points = Array.from({ length: f.summary.length }, (_, p) => p);
  const series = [...points.filter((p) => open.has(p)), ...points.filter((p) => !open.has(p))].flatMap((p) => timeCharts(f, p).map((c) => (open.has(p) ? c : { ...c, folded: true })));
  return [...sweepCharts(f), ...series, ...distributionCharts(f)];
}
