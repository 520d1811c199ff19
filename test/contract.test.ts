import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRIAL_METRICS } from '../sim/metrics/trial-record.js';
import { summaryColumns } from '../sim/output/results-files.js';
import { TIMESERIES_COLUMNS, TRIALS_LEADING_COLUMNS } from '../sim/output/results-files.js';
import { parseScenario } from '../sim/scenario/load.js';

/**
 * The CSV columns against the contract other tools read, docs/outputs.md: the names and
 * the order of summary.csv's prefix, timeseries.csv's columns, and trials.csv's leading columns
 * and metrics, taken from the document itself (so a change on either side shows here).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const spec = readFileSync(join(root, 'docs', 'outputs.md'), 'utf8');
// The contract's own section: from its heading to the next (the page goes on with each file in detail).
const from = spec.indexOf('## Outputs');
const section = spec.slice(from, spec.indexOf('\n## ', from + 1));
const ticked = (text: string) => [...text.matchAll(/`([A-Za-z0-9_]+)`/g)].map((m) => m[1]);

/** The metric table's rows in order: names, and whether they get a `_n` column. */
function specMetrics(): Array<{ name: string; n: boolean }> {
  const rows = section.split('\n').filter((l) => /^\| `/.test(l));
  return rows.flatMap((row) => {
    const [names, kind] = row.split('|').slice(1, 3);
    return ticked(names).map((name) => ({ name, n: kind.includes('`_n`') }));
  });
}

test('summary.csv: the contract\'s prefix, by name and position, with a swept column', () => {
  const scenario = parseScenario('name: c\nfleet:\n  - {clusters: 10, secretSyncs: 2}\nsweep:\n  jitterSeconds: [0, 60]\n', 'c.yaml');
  const lead = ticked(section.slice(section.indexOf('`summary.csv` columns'), section.indexOf('then for each metric')));
  assert.equal(lead, ['point', 'jitterSeconds', 'clusters', 'secretsPerCluster', 'trials'], 'the document\'s leading columns (with its sweep example)');
  const metrics = specMetrics();
  assert.ok(metrics.length >= 19, `${metrics.length} metrics read from the table`);
  const analytic = ticked(section.slice(section.indexOf('and the analytic columns'), section.indexOf('The columns above are a prefix')));
  assert.equal(analytic.slice(0, 2), ['analyticJitterSeconds', 'analyticPSecondOver']);
  const expected = [...lead, ...metrics.flatMap(({ name, n }) => [`${name}_mean`, `${name}_lo`, `${name}_hi`, ...(n ? [`${name}_n`] : [])]), ...analytic.slice(0, 2)];
  const actual = summaryColumns(scenario);
  assert.equal(actual.slice(0, expected.length), expected);
});

test('timeseries.csv and trials.csv: the contract\'s columns', () => {
  const ts = section.slice(section.indexOf('`timeseries.csv`'), section.indexOf('`trials.csv`'));
  assert.equal([...TIMESERIES_COLUMNS], ticked(ts));
  const tr = section.slice(section.indexOf('`trials.csv`'), section.indexOf('stdout'));
  assert.equal([...TRIALS_LEADING_COLUMNS], ticked(tr).slice(0, 2));
  // "then every per-trial metric": each metric of the summary table is a trials.csv column.
  for (const { name } of specMetrics()) assert.ok((TRIAL_METRICS as readonly string[]).includes(name), `trials.csv has ${name}`);
});

test.run();
