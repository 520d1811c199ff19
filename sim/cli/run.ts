import { join } from 'node:path';
import { checkAssertionColumns, holds } from '../scenario/assertions.js';
import { loadScenario } from '../scenario/load.js';
import { scenarioWarnings } from '../scenario/warnings.js';
import { consoleTable } from '../output/console-table.js';
import { prepareOutputFolder } from '../output/output-folder.js';
import { summaryColumns, summaryRows, writeResults } from '../output/results-files.js';
import { runScenario } from '../run/run-scenario.js';
import { estimateSize, tooBig } from '../run/size-check.js';
import { defaultWorkers } from '../run/trial-pool.js';
import { UserError } from '../scenario/errors.js';
import { totalmem } from 'node:os';
import type { RunArgs } from './args.js';

/** `sim run`: simulate, write the three CSV files, print the summary; exit 1 if an assertion fails. */
export async function runCommand(args: RunArgs): Promise<number> {
  const scenario = loadScenario(args.scenario, { trials: args.trials, seed: args.seed, set: args.set });
  checkAssertionColumns(scenario.assertions, summaryColumns(scenario));
  if (!args.quiet) for (const w of scenarioWarnings(scenario)) process.stderr.write(`warning: ${w}\n`);
  // The size check, before any folder or worker: a run that cannot fit is refused, not crashed.
  const workers = args.workers ?? defaultWorkers();
  const why = tooBig(estimateSize(scenario.points.map((p) => p.model), scenario.trials, workers), workers, totalmem());
  if (why && !args.force) throw new UserError(`${args.scenario}: ${why}: fewer trials, clusters or points, a shorter horizon or wider bins (--force runs it anyway)`);
  const dir = args.out ?? join('results', scenario.name);
  prepareOutputFolder(dir);
  const results = await runScenario(scenario, { workers: args.workers, engine: args.engine, progress: !args.quiet });
  const files = writeResults(dir, scenario, results);
  const rows = summaryRows(scenario, results);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(rows.map((r) => Object.fromEntries([...r].map(([k, v]) => [k, Number.isNaN(v) ? null : v]))), null, 2)}\n`);
  } else {
    process.stdout.write(consoleTable(scenario, rows));
  }
  if (!args.quiet) process.stderr.write(`wrote ${files.join(', ')}\n`);

  let failed = 0;
  for (const a of scenario.assertions) {
    rows.forEach((row, p) => {
      const v = row.get(a.column);
      if (!holds(a, typeof v === 'number' ? v : undefined)) {
        failed++;
        process.stderr.write(`assertion failed at point ${p}: ${a.text} (${a.column} = ${v === undefined || Number.isNaN(v) ? 'no data' : v})\n`);
      }
    });
  }
  return failed > 0 ? 1 : 0;
}
