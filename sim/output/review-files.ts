import { appendFileSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../scenario/errors.js';
import { writeFilesAtomically } from './output-folder.js';
import type { RunRecord } from './run-record.js';
import { num, pointLabel, type ResultsFolder } from './report-data.js';
import { formatFigure, formatPercentInterval } from './format.js';
import { verdictSentence } from './verdict.js';

/**
 * A run's review where engineers read it: a Markdown summary for a pull request or a CI job's
 * summary page, and a JUnit file with one test case per assertion per point for CI test tabs.
 * Every value that comes from the scenario or the run record is escaped for its format.
 */
export type ReviewInput = Pick<ResultsFolder, 'record' | 'columns' | 'summary'>;

/** Markdown text that renders as itself: no table breaks, links, emphasis or HTML. */
export function markdownText(s: string): string {
  // Backslashes first, entities after: an entity's "#" must not be escaped again.
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^#/, '\\#')
    .replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An assertion's column, comparison and bound, read from its text ("throttledTrial_hi < 0.001"). */
function bound(assertion: string): { column: string; rest: string } {
  const m = /^\s*(\S+)\s*(.*)$/.exec(assertion);
  return m ? { column: m[1], rest: m[2] } : { column: assertion, rest: '' };
}

const valueText = (v: number | string | null) => (v === null ? 'no data' : typeof v === 'number' ? formatFigure(v) : v);

export function markdownSummary(f: ReviewInput, description?: string): string {
  const { record } = f;
  const checks = record.assertions ?? [];
  const failed = checks.filter((c) => !c.holds).length;
  const status = checks.length === 0 ? 'no assertions' : failed > 0 ? `FAIL: ${failed} of ${checks.length} assertions failed` : `PASS: ${checks.length} assertions hold`;
  const lines = [`### akv-fleet-sim: ${markdownText(record.scenario.name)} (${status})`, ''];
  if (description) lines.push(markdownText(description), '');
  lines.push('**Verdict**', '');
  for (const r of f.summary) lines.push(`- **${markdownText(pointLabel(f, num(r, 'point')))}**: ${markdownText(verdictSentence(f, r))}.`);
  lines.push('', '| point | trials with a 429 | 429s per trial | peak GETs in 10 s | converged (s) |', '|---|---|---|---|---|');
  for (const r of f.summary) {
    const cells = [pointLabel(f, num(r, 'point')), formatPercentInterval(num(r, 'throttledTrial_mean'), num(r, 'throttledTrial_lo'), num(r, 'throttledTrial_hi')), formatFigure(num(r, 'throttled_mean')), formatFigure(num(r, 'peak10s_mean')), formatFigure(num(r, 'convergence_mean'))];
    lines.push(`| ${cells.map(markdownText).join(' | ')} |`);
  }
  if (checks.length > 0) {
    lines.push('', '**Assertions**', '', '| result | point | assertion | value |', '|---|---|---|---|');
    for (const c of checks) lines.push(`| ${c.holds ? 'pass' : '**FAIL**'} | ${c.point} | ${markdownText(c.assertion)} | ${markdownText(valueText(c.value))} |`);
  }
  lines.push('', `<sub>${markdownText(`${record.scenario.file} (${record.scenario.name}, identity ${record.scenario.identity}), seed ${String(record.seed)}, ${record.trials} trials per point, akv-fleet-sim ${record.version}`)}</sub>`, '');
  return lines.join('\n');
}

/** recommend's answer for a pull request: the recommendation in a sentence, its table as printed. */
export function recommendMarkdown(name: string, jitterSeconds: number, text: string): string {
  const answer = Number.isNaN(jitterSeconds) ? 'no jitterSeconds proven (see the table)' : `recommended jitterSeconds: ${formatFigure(jitterSeconds)}`;
  // A fence longer than any run of backticks in the text keeps it one block.
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`### akv-fleet-sim recommend: ${markdownText(name)}`, '', `**${markdownText(answer)}**`, '', `${fence}text`, text.replace(/\n$/, ''), fence, ''].join('\n');
}

/** Text for an XML attribute or element: escaped, without the characters XML 1.0 forbids. */
export function xmlText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function junitXml(record: RunRecord): string {
  const checks = record.assertions ?? [];
  const failures = checks.filter((c) => !c.holds).length;
  const name = xmlText(record.scenario.name);
  const cases = checks.map((c) => {
    const head = `    <testcase classname="akv-fleet-sim.${name}" name="${xmlText(`${pointLabel({ record }, c.point)}: ${c.assertion}`)}">`;
    if (c.holds) return `${head}</testcase>`;
    const { column, rest } = bound(c.assertion);
    return `${head}\n      <failure type="assertion" message="${xmlText(`${column} = ${valueText(c.value)}, bound: ${rest}`)}"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="akv-fleet-sim" tests="${checks.length}" failures="${failures}">`,
    `  <testsuite name="${name}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0">`,
    '    <properties>',
    `      <property name="scenario" value="${xmlText(record.scenario.file)}"/>`,
    `      <property name="identity" value="${xmlText(record.scenario.identity)}"/>`,
    `      <property name="seed" value="${xmlText(String(record.seed))}"/>`,
    `      <property name="trials" value="${record.trials}"/>`,
    `      <property name="version" value="${xmlText(record.version)}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes a review file: appended to GitHub's job summary (its convention), else replaced whole (a temporary file renamed). */
export function writeReviewFile(path: string, text: string, flag: string): void {
  if (process.env.GITHUB_STEP_SUMMARY && resolve(path) === resolve(process.env.GITHUB_STEP_SUMMARY)) {
    try {
      appendFileSync(path, text);
    } catch (e) {
      throw new UserError(`${flag} ${path}: could not append (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return;
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`${flag} ${path}: is a folder; give a file's path`);
  writeFilesAtomically(dirname(resolve(path)), [[basename(path), text]], `${flag} ${path}`);
}
