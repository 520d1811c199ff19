import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { findBrowser, skipTest } from './browser.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixture, sim } from './cli-runner.js';
import { reportHtml } from '../sim/output/report.js';
import { readResultsFolder } from '../sim/output/report-data.js';
import { cumulativeShares, reportCharts } from '../sim/output/report-charts.js';
import { fileDigest } from '../sim/output/digest.js';


// One run of the small fixture (a sweep of two points, an outage, rotations): every kind of chart.
const dir = join(mkdtempSync(join(tmpdir(), 'sim-report-')), 'small');
const made = sim('run', fixture, '--trials', '8', '--quiet', '--report', '--out', dir);

test('sim run --report writes report.html beside the CSVs: self-contained, every chart an inline SVG', () => {
  assert.is(made.code, 0, made.stderr);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  // No script, stylesheet, font or image from anywhere: the page opens with no network.
  assert.not.match(html, /<script|<link|<img|@import|url\(|src=/i);
  assert.not.match(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, ''), /https?:\/\//);
  const figures = [...html.matchAll(/<figure id="([^"]+)">/g)].map((m) => m[1]);
  // The sweep's charts, each point's time series, and the distributions this scenario has.
  // 429s over time only where a trial of the point met one (J = 0 here, not J = 30 s).
  assert.equal(figures, ['throttling', 'throttled', 'headroom', 'psecondover', 'rps-0', 'throttled-0', 'trailing-0', 'rps-1', 'trailing-1', 'dist-convergence', 'dist-stalenessP99', 'dist-recovery']);
  assert.is((html.match(/<svg /g) ?? []).length, figures.length);
  assert.match(html, /point 1 \(jitterSeconds=30s\)/);
  // Each limiter shape's share of throttled trials, beside the scenario's own.
  for (const title of ['with a 429 under a token bucket', 'under a fixed window', 'under a sliding window']) assert.match(html, new RegExp(`<th>${title}</th>`));
  // A verdict per point a reviewer can paste: the scenario's limiter, each shape, the tightest vault, convergence.
  const verdict = /<h2>Verdict<\/h2><ul class="verdict">(.*?)<\/ul>/.exec(html)?.[1] ?? '';
  assert.is((verdict.match(/<li>/g) ?? []).length, 2, verdict);
  assert.match(verdict, /<b>point 1 \(jitterSeconds=30s\)<\/b>: [\d.]+% \[[\d.]+%, [\d.]+%\] of trials met a 429 with the scenario&#39;s limiter; at the same limit and window: token bucket [^;]+, fixed window [^;]+, sliding window [^;]+; tightest: (vault \S+|the subscription), [\d.]+% (over its limit|of its limit left) at its busiest 10 s/);
});

test('the report lists its assumptions and a table per vault and the subscription, and prints every column', () => {
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const assumptions = /<h2>Assumptions<\/h2><ul class="assumptions">(.*?)<\/ul>/.exec(html)?.[1] ?? '';
  for (const item of [
    'vault kv: token bucket, capacity 4,000, refill 400/s',
    'the verdict gives each shape at the same limit and window',
    'subscription: token bucket, capacity 20,000, refill 2,000/s',
    'every SecretSync is edited at 0 s (a rollout at the start)',
    '<li>outage of kv from 240 s for 60 s</li>',
    'secret rotations from 60 s until 420 s',
    'controller restart at 300 s',
    'group prod: 300 clusters x 20 SecretSyncs x 1 objects, poll 120 s, jitterSeconds 0',
    'SDK retries: azcore',
    'horizon 600 s; 8 trials per point; seed 3',
    "swept: jitterSeconds (each point's name gives its values; the rest is the first point's)",
  ]) assert.ok(assumptions.includes(item.replace(/'/g, '&#39;')), `${item} in ${assumptions}`);
  const scopes = /<table class="scopes">(.*?)<\/table>/.exec(html)?.[1] ?? '';
  // Per point: the vault, then the subscription, each with GETs, 429s, peaks and headroom.
  assert.is((scopes.match(/<tr><th>point \d/g) ?? []).length, 4, scopes);
  assert.match(scopes, /<th>point 1 \(jitterSeconds=30s\)<\/th><th>\(subscription\)<\/th>(<td>[^<]+<\/td>){5}<\/tr>/);
  // Printed, a wide table fits the page and wraps rather than being cut off.
  assert.match(html, /@media print \{[^}]*body \{[^}]*max-width: none/);
  assert.match(html, /@media print[\s\S]*\.wide \{ overflow: visible; \}[\s\S]*table \{ width: 100%; table-layout: fixed;/);
});

test('a sweep over two keys: a line per value of the second key, never joined across it; a steady fleet\'s times run from its rollout', () => {
  const two = join(mkdtempSync(join(tmpdir(), 'sim-report-two-')), 'two');
  const r = sim('run', fixture, '--trials', '4', '--quiet', '--out', two, '--set', 'sweep={jitterSeconds: [0, 30s], fleet.0.clusters: [100, 200]}', '--set', 'start=steady', '--set', 'events=[{at: 1m, kind: rollout}]');
  assert.is(r.code, 0, r.stderr);
  const charts = reportCharts(readResultsFolder(two));
  const throttling = charts.find((c) => c.id === 'throttling')!;
  const rows = (throttling.spec as { data: { values: Array<{ x: number; series: string }> } }).data.values;
  const series = [...new Set(rows.map((v) => v.series))].sort();
  assert.equal(series, ['refreshOver, clusters=100', 'refreshOver, clusters=200', 'throttledTrial, clusters=100', 'throttledTrial, clusters=200']);
  for (const name of series) assert.equal(rows.filter((v) => v.series === name).map((v) => v.x), [0, 30], `${name}: one point per jitter`);
  const rps = charts.find((c) => c.id === 'rps-0')!;
  const layer = (rps.spec as { layer: Array<{ data: { values: Array<{ t: number }> }; encoding: { x?: { title: string } } }> }).layer[0];
  assert.is(layer.encoding.x!.title, "seconds from the rollout's start (at 60 s)");
  assert.is(layer.data.values[0].t, -60);
});

test("a rollout's wave starts in the assumptions are run.json's (the model's rule, recorded), not worked out again", async () => {
  const staged = join(mkdtempSync(join(tmpdir(), 'sim-report-waves-')), 'staged');
  assert.is(sim('run', fixture, '--trials', '2', '--quiet', '--out', staged, '--set', 'events=[{at: 1m, kind: rollout, waves: 3, over: 90s}]').code, 0);
  const folder = readResultsFolder(staged);
  assert.equal(folder.record.scenario.points[0].waveStarts, { '0': [60, 90, 120] });
  assert.match(await reportHtml(folder), /<li>rollout in 3 waves starting at 60 s, 90 s, 120 s<\/li>/);
  folder.record.scenario.points[0].waveStarts = { '0': [61, 91, 121] };
  assert.match(await reportHtml(folder), /<li>rollout in 3 waves starting at 61 s, 91 s, 121 s<\/li>/);
  delete folder.record.scenario.points[0].waveStarts;
  assert.match(await reportHtml(folder), /<li>rollout in 3 waves from 60 s over 90 s<\/li>/, 'a record without them (before 0.9.0)');
});

test('every sweep point\'s time series is in the report: four open, spread over the sweep, the others folded', () => {
  const six = join(mkdtempSync(join(tmpdir(), 'sim-report-six-')), 'six');
  const r = sim('run', fixture, '--trials', '2', '--quiet', '--report', '--out', six, '--set', 'sweep={jitterSeconds: [0, 10, 20, 30, 40, 50]}');
  assert.is(r.code, 0, r.stderr);
  const html = readFileSync(join(six, 'report.html'), 'utf8');
  for (const p of [0, 1, 2, 3, 4, 5]) assert.ok(html.includes(`<figure id="rps-${p}">`), `point ${p}`);
  for (const p of [0, 2, 3, 5]) assert.not.match(html, new RegExp(`<summary>[^<]*</summary><figure id="rps-${p}">`), `point ${p} open`);
  for (const p of [1, 4]) assert.match(html, new RegExp(`<details><summary>GETs per second over time, point ${p} \\(jitterSeconds=${p * 10}\\)</summary><figure id="rps-${p}">`), `point ${p} folded`);
});

test('sim report rewrites the report of a results folder; a folder without run.json is one line, exit 2', () => {
  const again = sim('report', dir);
  assert.is(again.code, 0, again.stderr);
  assert.is(again.stdout.trim(), `wrote ${join(dir, 'report.html')}`);
  const empty = mkdtempSync(join(tmpdir(), 'sim-report-empty-'));
  const r = sim('report', empty);
  assert.is(r.code, 2);
  assert.is(r.stderr.trim(), `sim: ${empty}: no run.json, so not a results folder of sim run (0.5.0 or later); run the scenario again`);
  writeFileSync(join(empty, 'run.json'), '{"tool": "akv-fleet-sim", "scenario": {"points": []}}');
  const noCsv = sim('report', empty);
  assert.is(noCsv.code, 2);
  assert.is(noCsv.stderr.trim(), `sim: ${empty}: summary.csv is missing; run the scenario again`);
});

test('run.json read back is untrusted: a wrong type is one line naming the field, and nothing of it reaches the page unescaped', async () => {
  const script = '<script>alert(1)</script>';
  const cases: Array<[string, (r: Record<string, any>) => void]> = [
    ['workers', (r) => (r.workers = script)],
    ['trials', (r) => (r.trials = script)],
    ['wallSeconds', (r) => (r.wallSeconds = script)],
    ['scenario.file', (r) => (r.scenario.file = 5)],
    ['assertions.0.point', (r) => (r.assertions = [{ point: script, assertion: 'x', value: 1, holds: true }])],
    ['scenario.points.0.sweep', (r) => (r.scenario.points[0].sweep = null)],
    ['scenario.points.0.waveStarts.0.0', (r) => (r.scenario.points[0].waveStarts = { 0: [script] })],
  ];
  for (const [field, tamper] of cases) {
    const copy = join(mkdtempSync(join(tmpdir(), 'sim-report-tampered-')), 'run');
    cpSync(dir, copy, { recursive: true });
    const record = JSON.parse(readFileSync(join(copy, 'run.json'), 'utf8'));
    tamper(record);
    writeFileSync(join(copy, 'run.json'), JSON.stringify(record));
    const r = sim('report', copy);
    assert.is(r.code, 2, `${field}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`sim: ${join(copy, 'run.json')}: ${field}: not `) && r.stderr.trim().split('\n').length === 1, `${field}: ${r.stderr}`);
    assert.not.match(readFileSync(join(copy, 'report.html'), 'utf8'), /alert/, `${field}: the old report is kept`);
  }
  // Past the check too, the page escapes every value of the record it prints.
  const folder = readResultsFolder(dir);
  Object.assign(folder.record, { workers: script, wallSeconds: script, trials: script });
  folder.record.assertions = [{ point: script as unknown as number, assertion: 'a', value: 1, holds: true }];
  // The model's values too (the assumptions are read from it): a name, a kind, a number of the wrong type.
  const model = folder.record.scenario.points[0].model as Record<string, any>;
  model.vaults[0].name = script;
  model.vaults[0].limiter = { kind: script, capacity: script };
  model.fleet[0].clusters = script;
  model.events = [{ kind: 'rollout', at: script, waves: 1e9, over: script }, script, null];
  const page = await reportHtml(folder);
  assert.not.match(page, /<script/);
  assert.match(page, /<li>vault &#60;script&#62;alert\(1\)&#60;\/script&#62;: unknown limiter<\/li>/);
});

test("distributions are drawn as each point's share of trials at or below t (no bins to suit points far apart)", () => {
  const f = { record: { scenario: { points: [{ sweep: [{ column: 'jitterSeconds', value: 0 }] }, { sweep: [{ column: 'jitterSeconds', value: 600 }] }] } } } as never;
  const value = [...Array.from({ length: 1000 }, (_, i) => 1000 - i), 5, 900];
  const steps = cumulativeShares(f, { point: [...value.slice(0, 1000).map(() => 0), 1, 1], value });
  const zero = steps.filter((s) => s.point === 'point 0 (jitterSeconds=0)');
  assert.is(zero.length, 201);
  assert.equal(zero[0], { point: 'point 0 (jitterSeconds=0)', t: 1, share: 0 });
  assert.equal(zero[100], { point: 'point 0 (jitterSeconds=0)', t: 500, share: 0.5 });
  assert.equal(zero.at(-1), { point: 'point 0 (jitterSeconds=0)', t: 1000, share: 1 });
  assert.equal(steps.filter((s) => s.point !== zero[0].point).map((s) => [s.t, s.share]), [[5, 0], [5, 0.5], [900, 1]]);
});

test('the headroom chart has a series per vault and the subscription, each point with its interval', async () => {
  const charts = reportCharts(readResultsFolder(dir));
  const spec = charts.find((c) => c.id === 'headroom')!.spec as { data: { values: Array<{ series: string; mean: number; lo: number; hi: number }> } };
  const series = [...new Set(spec.data.values.map((v) => v.series))];
  assert.equal(series, ['vault kv', 'the subscription']);
  for (const v of spec.data.values) assert.ok(v.lo <= v.mean && v.mean <= v.hi, JSON.stringify(v));
});

test('trials.csv read back is untrusted too, and streamed: a garbled row is one line; the histograms count every trial', () => {
  // trials.csv was parsed whole (1.6 million rows: 3.2 GB); now only the charted columns are kept.
  const folder = readResultsFolder(dir);
  const rows = readFileSync(join(dir, 'trials.csv'), 'utf8').trim().split('\n');
  const column = rows[0].split(',').indexOf('convergence');
  const withValue = rows.slice(1).filter((r) => r.split(',')[column] !== '').length;
  assert.ok(withValue > 0);
  assert.is(folder.distributions.convergence.value.length, withValue);
  const copy = join(mkdtempSync(join(tmpdir(), 'sim-report-rows-')), 'run');
  cpSync(dir, copy, { recursive: true });
  const cells = rows[2].split(',');
  cells[column] = '=cmd|x';
  rows[2] = cells.join(',');
  writeFileSync(join(copy, 'trials.csv'), rows.join('\n') + '\n');
  const record = JSON.parse(readFileSync(join(copy, 'run.json'), 'utf8'));
  record.files['trials.csv'] = fileDigest(join(copy, 'trials.csv'));
  writeFileSync(join(copy, 'run.json'), JSON.stringify(record));
  const r = sim('report', copy);
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stderr.trim(), `sim: ${join(copy, 'trials.csv')}: line 3: convergence "=cmd|x" is not a number`);
});

test('the report in a real browser: it loads with no console error and every chart has drawn marks', async () => {
  const browser = findBrowser();
  if ('skip' in browser) {
    skipTest(`the report in a real browser: ${browser.skip}`);
    return;
  }
  const instance = await puppeteer.launch({ executablePath: browser.path, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await instance.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(`file://${join(dir, 'report.html')}`, { waitUntil: 'load' });
    const charts = await page.$$eval('figure', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { id: f.id, marks: f.querySelectorAll('g[class*="mark-"] path, g[class*="mark-"] line').length, width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
    assert.equal(errors, []);
    assert.is(charts.length, 12);
    for (const c of charts) assert.ok(c.marks > 0 && c.width > 100 && c.height > 100, `${c.id}: ${c.marks} marks, ${c.width} x ${c.height}`);
    // Printed (A4 portrait), every table's every cell lies within the page's width, and the PDF is made.
    await page.emulateMediaType('print');
    await page.setViewport({ width: 794, height: 1123 });
    const cut = await page.$$eval('table', (tables) =>
      tables.flatMap((t) => [...t.querySelectorAll('th, td')].filter((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((c) => c.textContent)),
    );
    assert.equal(cut, [], 'cells beyond the printed page');
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 10_000 && Buffer.from(pdf.subarray(0, 5)).toString() === '%PDF-', `a PDF of ${pdf.length} bytes`);
  } finally {
    await instance.close();
  }
});

test.run();
