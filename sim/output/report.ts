import { join } from 'node:path';
import { formatFigure } from './format.js';
import { existsSync } from 'node:fs';
import { lockFolder, writeFilesAtomically } from './output-folder.js';
import { assumptionsList, scopesTable } from './report-assumptions.js';
import { reportCharts, renderSvg } from './report-charts.js';
import { num, pointLabel, readResultsFolder, type ResultsFolder } from './report-data.js';
import { verdictSentence } from './verdict.js';

import { REPORT_FILE } from './run-record.js';

/** The summary table's columns: a metric's mean with its interval, or a plain value. */
const TABLE: Array<[column: string, title: string, interval: boolean]> = [
  ['throttledTrial', 'trials with a 429', true],
  ['shape.token-bucket.throttledTrial', 'with a 429 under a token bucket', true],
  ['shape.fixed-window.throttledTrial', 'under a fixed window', true],
  ['shape.sliding-window.throttledTrial', 'under a sliding window', true],
  ['refreshOver', 'refresh over the per-second limit', true],
  ['pSecondOver', 'seconds over the limit', true],
  ['throttled', '429s per trial', true],
  ['peakRps', 'peak GETs/s', true],
  ['peak10s', 'peak GETs in 10 s', true],
  ['convergence', 'convergence (s)', true],
  ['analyticJitterSeconds', "jitterSeconds the documented recipe asks for (first group, risk 1e-4)", false],
  ['analyticPSecondOver', "the recipe's pSecondOver at this jitter (first group)", false],
];

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);


function summaryTable(f: ResultsFolder): string {
  const head = ['point', ...TABLE.map(([, title]) => title)].map((h) => `<th>${escape(h)}</th>`).join('');
  const rows = f.summary.map((r) => {
    const point = num(r, 'point');
    const cells = TABLE.map(([column, , interval]) => {
      if (!interval) return `<td>${formatFigure(num(r, column))}</td>`;
      const mean = num(r, `${column}_mean`);
      const lo = num(r, `${column}_lo`);
      const hi = num(r, `${column}_hi`);
      return `<td>${formatFigure(mean)}${Number.isNaN(lo) ? '' : `<span class="ci">[${formatFigure(lo)}, ${formatFigure(hi)}]</span>`}</td>`;
    });
    return `<tr><th>${escape(pointLabel(f, point))}</th>${cells.join('')}</tr>`;
  });
  return `<div class="wide"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** The verdict of each point (verdict.ts), for the page. */
function verdicts(f: ResultsFolder): string {
  const items = f.summary.map((r) => `<li><b>${escape(pointLabel(f, num(r, 'point')))}</b>: ${escape(verdictSentence(f, r))}.</li>`);
  return `<h2>Verdict</h2><ul class="verdict">${items.join('')}</ul>`;
}

function assertionsList(f: ResultsFolder): string {
  const a = f.record.assertions ?? [];
  if (a.length === 0) return '';
  const items = a.map((x) => `<li class="${x.holds ? 'holds' : 'fails'}">${x.holds ? 'holds' : 'FAILS'}: point ${escape(String(x.point))}: ${escape(x.assertion)} (value ${escape(String(x.value ?? 'no data'))})</li>`);
  return `<h2>Assertions</h2><ul>${items.join('')}</ul>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1000px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; }
.meta { color: #555; } table { border-collapse: collapse; font-size: 12px; margin-top: 1em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; vertical-align: top; } thead th { background: #f4f4f4; }
tbody th { text-align: left; font-weight: normal; } .ci { color: #777; white-space: nowrap; display: block; font-size: 11px; }
.wide { overflow-x: auto; }
figure { margin: 1.5em 0; } figcaption { color: #555; max-width: 720px; } .chart svg { max-width: 100%; height: auto; }
li.fails { color: #b00; font-weight: bold; } li.holds { color: #070; }
details { margin: 0.5em 0; } summary { cursor: pointer; color: #345; }
@media print {
  body { max-width: none; margin: 0; font-size: 11px; }
  .wide { overflow: visible; }
  table { width: 100%; table-layout: fixed; font-size: 8px; }
  th, td { padding: 2px 3px; overflow-wrap: anywhere; }
  figure, tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
}`;

/** The report of a results folder: one self-contained HTML page, the charts as inline SVG (no script, no network). */
export async function reportHtml(f: ResultsFolder): Promise<string> {
  const r = f.record;
  const charts = reportCharts(f);
  const figures = await Promise.all(
    charts.map(async (c) => {
      const figure = `<figure id="${c.id}"><h2>${escape(c.title)}</h2><div class="chart">${await renderSvg(c.spec)}</div><figcaption>${escape(c.caption)}</figcaption></figure>`;
      return c.folded ? `<details><summary>${escape(c.title)}</summary>${figure}</details>` : figure;
    }),
  );
  const meta = [
    `scenario <code>${escape(r.scenario.file)}</code>`,
    `seed ${escape(String(r.seed))}`,
    `${escape(r.trials.toLocaleString('en-US'))} trials per point`,
    `${r.scenario.points.length} point(s)`,
    `akv-fleet-sim ${escape(r.version)}, engine ${escape(r.engine)}`,
    // Checked on read (checkRunRecord) and escaped all the same: the page must not depend on it.
    `run ${escape(r.startedAt)} in ${escape(String(r.wallSeconds))} s on ${escape(String(r.workers))} worker(s)`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(r.scenario.name)}: akv-fleet-sim report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>${escape(r.scenario.name)}</h1>
<p class="meta">${meta.join(' · ')}</p>
${verdicts(f)}
${assumptionsList(f, escape)}
<h2>Summary (means with 95% intervals)</h2>
${summaryTable(f)}
${scopesTable(f, escape, (p) => pointLabel(f, p))}
${assertionsList(f)}
${figures.join('\n')}
<p class="meta">Every number comes from the CSV files beside this page (summary.csv, timeseries.csv, trials.csv) and run.json; the columns are described in the project's docs/outputs.md.</p>
</body></html>
`;
}

/** Writes report.html into a results folder; returns its path. */
export async function writeReport(dir: string): Promise<string> {
  // Not while a run writes there: its report would be of the other run's files.
  if (existsSync(dir)) lockFolder(dir);
  const html = await reportHtml(readResultsFolder(dir));
  writeFilesAtomically(dir, [[REPORT_FILE, html]]);
  return join(dir, REPORT_FILE);
}
