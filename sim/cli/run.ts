import { join } from 'node:path';
import { checkAssertionColumns, holds } from '../scenario/assertions.js';
import { parseScenario, readScenarioText } from '../scenario/load.js';
import { scenarioWarnings } from '../scenario/warnings.js';
import { consoleTable } from '../output/console-table.js';
import { lockFolder, prepareOutputFolder, spoolPath } from '../output/output-folder.js';
import { shardFolderName, writeShardFolder, type ShardRecord } from '../output/shard-folder.js';
import { TrialRowsSpool } from '../output/trial-rows.js';
import { shardRange } from '../run/shard.js';
import { summaryColumns, summaryRows, writeResults } from '../output/results-files.js';
import { PointsFailed, runScenario } from '../run/run-scenario.js';
import type { PointResult } from '../metrics/summary.js';
import type { Scenario } from '../scenario/load.js';
import { sizeProblem } from '../run/size-check.js';
import { defaultWorkers } from '../run/trial-pool.js';
import { UserError } from '../scenario/errors.js';
import { availableParallelism } from 'node:os';
import { checkFolderOwner, checkShardFolderOwner, removeReplaced, REPORT_FILE, runRecordFile, scenarioIdentity, toolVersion, type RunRecord } from '../output/run-record.js';
import type { RunArgs } from './args.js';
import { limitPer10s, waveStarts } from '../model/config.js';

/**
 * Some points failed with an internal error: the finished points' results are written (their
 * rows are what a run of those points alone gives: trial streams do not depend on a point's
 * place), with run.json when `record` is given (listing the failed points), each failure is one
 * line naming the point and its swept values, and the exit code is 3.
 */
export function keepFinishedPoints(scenario: Scenario, dir: string, failure: PointsFailed, file: string, spooled: string[], record?: (finished: Scenario) => RunRecord, replaced: readonly string[] = []): number {
  const finished = scenario.points.filter((_, i) => failure.results[i] !== null);
  if (finished.length) {
    const ran = { ...scenario, points: finished };
    const stale = removeReplaced(dir, [REPORT_FILE], []);
    const rows = spooled.filter((_, i) => failure.results[i] !== null).map((f) => [f]);
    const files = writeResults(dir, ran, failure.results.filter((r): r is PointResult => r !== null), rows, record ? [runRecordFile(record(ran))] : []);
    process.stderr.write(`wrote the ${finished.length} finished point(s) of ${scenario.points.length}: ${files.join(', ')}${removeOthers(dir, replaced, files, stale)}\n`);
  }
  reportFailedPoints(scenario, failure, file);
  return 3;
}

/** A point's swept values as a reader sees them: `jitterSeconds=120, clusters=500` (empty without a sweep). */
export function sweptValues(point: Scenario['points'][number]): string {
  return point.sweep.map((s) => `${s.column}=${JSON.stringify(s.value)}`).join(', ');
}

/** One line per failed point: its swept values, the error's first line, how to reproduce it. */
function reportFailedPoints(scenario: Scenario, failure: PointsFailed, file: string): void {
  for (const { index, error } of failure.failures) {
    const point = scenario.points.find((p) => p.index === index);
    const swept = point && sweptValues(point);
    process.stderr.write(`sim: point ${index}${swept ? ` (${swept})` : ''} failed: ${error.message.split('\n')[0]}; to reproduce, run ${file} with its sweep reduced to this point (seed ${scenario.seed}, ${scenario.trials} trials)\n`);
  }
}

/**
 * run.json for a run of `ran` (the scenario's points that finished: all of them, or fewer when
 * some failed), under the whole scenario's identity, so that a re-run of the same scenario
 * replaces a partial folder and another scenario does not.
 */
export function runRecord(scenario: Scenario, ran: Scenario, file: string, engine: string, execution: Execution, checks: RunRecord['assertions']): RunRecord {
  const failed = scenario.points.filter((p) => !ran.points.includes(p)).map((p) => p.index);
  return {
    tool: 'akv-fleet-sim',
    version: toolVersion(),
    scenario: {
      file,
      name: scenario.name,
      identity: scenarioIdentity(scenario),
      points: ran.points.map((p) => ({ index: p.index, sweep: p.sweep, model: p.model, limits10s: Object.fromEntries(p.model.vaults.map((v) => [v.name, limitPer10s(v.limiter)])), waveStarts: waveStarts(p.model.events) })),
      ...(failed.length > 0 ? { failedPoints: failed } : {}),
    },
    seed: scenario.seed,
    trials: scenario.trials,
    ...execution,
    engine,
    assertions: checks.map(({ point, assertion, value, holds: ok }) => ({ point, assertion, value, holds: ok })),
  };
}

/** How a run went (run.json's and shard.json's execution fields): they differ between runs of the same results. */
export type Execution = Pick<RunRecord, 'command' | 'startedAt' | 'wallSeconds' | 'cores' | 'workers'>;

export function execution(started: Date, workers: number): Execution {
  return {
    command: process.argv.slice(2),
    startedAt: started.toISOString(),
    wallSeconds: Number(((Date.now() - started.getTime()) / 1000).toFixed(3)),
    cores: availableParallelism(),
    workers,
  };
}

/** `sim run`: simulate, write the three CSV files, print the summary; exit 1 if an assertion fails. */
export async function runCommand(args: RunArgs): Promise<number> {
  // The text once: it is parsed, and a shard keeps it for sim merge to parse again.
  const source = readScenarioText(args.scenario);
  const scenario = parseScenario(source, args.scenario, { trials: args.trials, seed: args.seed, set: args.set });
  checkAssertionColumns(scenario.assertions, summaryColumns(scenario));
  if (!args.quiet) for (const w of scenarioWarnings(scenario)) process.stderr.write(`warning: ${w}\n`);
  // The size check, before any folder or worker: a run that cannot fit is refused, not crashed.
  const workers = args.workers ?? defaultWorkers();
  const why = sizeProblem(scenario.points.map((p) => p.model), scenario.trials, workers);
  if (why && !args.force) throw new UserError(`${args.scenario}: ${why}: fewer trials, clusters or points, a shorter horizon or wider bins (--force runs it anyway)`);
  const shard = args.shard;
  const dir = shard ? join(args.out ?? join('results', scenario.name, 'shards'), shardFolderName(shard.index, shard.count)) : (args.out ?? join('results', scenario.name));
  prepareOutputFolder(dir);
  lockFolder(dir);
  let replaced: string[] = [];
  if (shard) checkShardFolderOwner(dir, scenario, args.force);
  else replaced = checkFolderOwner(dir, scenario, args.force);
  const started = new Date();
  // Each point's trial rows go to a file as they finish: trials.csv is assembled from them.
  const spool = new TrialRowsSpool(scenario.points.map((_, p) => spoolPath(dir, p)));
  try {
    let results;
    const range = shard ? shardRange(shard.index, shard.count, scenario.trials) : undefined;
    try {
      results = await runScenario(scenario, { workers, engine: args.engine, progress: !args.quiet, stallSeconds: args.stallSeconds, range, onRecords: (p, from, m) => spool.add(p, from, m) });
    } catch (e) {
      if (!(e instanceof PointsFailed)) throw e;
      spool.close();
      if (shard) {
        // A shard with a failed point cannot be merged: nothing is written.
        reportFailedPoints(scenario, e, args.scenario);
        return 3;
      }
      return keepFinishedPoints(scenario, dir, e, args.scenario, spool.files, (ran) => runRecord(scenario, ran, args.scenario, args.engine, execution(started, workers), []), replaced);
    }
    spool.close();
    if (shard) {
      const record: Omit<ShardRecord, 'files'> = {
        tool: 'akv-fleet-sim',
        kind: 'shard',
        version: toolVersion(),
        shard,
        scenario: { file: args.scenario, name: scenario.name, identity: scenarioIdentity(scenario), source, set: args.set },
        seed: scenario.seed,
        trials: scenario.trials,
        from: range![0],
        to: range![1],
        points: scenario.points.length,
        engine: args.engine,
        execution: execution(started, workers),
      };
      const files = writeShardFolder(dir, record, results.map((r) => r.sums.toJSON()), spool.files);
      if (!args.quiet) process.stderr.write(`wrote shard ${shard.index}/${shard.count} (trials ${range![0]} to ${range![1] - 1} of each point) into ${dir}: ${files.length} files; then sim merge\n`);
      return 0;
    }
    return finishRun(scenario, results, dir, spool.files.map((f) => [f]), args, (checks) => runRecord(scenario, scenario, args.scenario, args.engine, execution(started, workers), checks), replaced);
  } finally {
    spool.remove();
  }
}

/** The end of the `wrote ...` line: what a run removed from its folder. */
export function removedNote(removed: readonly string[], why = "another run's results"): string {
  return removed.length > 0 ? `; removed ${removed.join(', ')} (${why})` : '';
}

/**
 * Once a plain run's files are written: removes the files of the runs it replaced and a report
 * it did not write (made from the CSV files just replaced); returns removedNote's text.
 */
function removeOthers(dir: string, replaced: readonly string[], written: readonly string[], staleReport: readonly string[]): string {
  return removedNote(removeReplaced(dir, replaced, written)) + removedNote(staleReport, 'made from the results replaced; sim report makes it anew');
}

/**
 * A finished run's (or merge's) results: the checks of the scenario's assertions, the files
 * with run.json, the report when asked, the table or JSON on stdout; exit 1 if an assertion fails.
 * Then the files of the runs it replaced (`replaced`, from checkFolderOwner) are removed, and a
 * report it did not write (removeOthers).
 */
export async function finishRun(
  scenario: Scenario,
  results: PointResult[],
  dir: string,
  trialRows: string[][],
  args: { json: boolean; quiet: boolean; report: boolean; exportMarkdown?: string; junit?: string },
  record: (checks: RunRecord['assertions']) => RunRecord,
  replaced: readonly string[] = [],
): Promise<number> {
  const rows = summaryRows(scenario, results);
  const checks = scenario.assertions.flatMap((a) =>
    rows.map((row, point) => {
      const v = row.get(a.column);
      const value = v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
      return { point, assertion: a.text, column: a.column, value, holds: holds(a, typeof v === 'number' ? v : undefined) };
    }),
  );
  // A report of the files this run replaces would be stale beside them: it goes first, so that a
  // kill before the new report is written leaves none rather than the old one.
  const staleReport = removeReplaced(dir, [REPORT_FILE], []);
  // run.json last, with the CSV files' digests: report and compare check the set against it.
  const runRecordValue = record(checks);
  const files = writeResults(dir, scenario, results, trialRows, [runRecordFile(runRecordValue)]);
  // The report's charts (vega) load only for it: every run would pay for loading them otherwise.
  if (args.report) files.push(await (await import('../output/report.js')).writeReport(dir));
  const removed = removeOthers(dir, replaced, files, args.report ? [] : staleReport);
  if (args.exportMarkdown !== undefined || args.junit !== undefined) {
    const review = await import('../output/review-files.js');
    if (args.exportMarkdown !== undefined) {
      const summary = rows.map((r) => Object.fromEntries(r));
      review.writeReviewFile(args.exportMarkdown, review.markdownSummary({ record: runRecordValue, columns: summaryColumns(scenario), summary }, scenario.description), '--export-markdown');
      files.push(args.exportMarkdown);
    }
    if (args.junit !== undefined) {
      review.writeReviewFile(args.junit, review.junitXml(runRecordValue), '--junit');
      files.push(args.junit);
    }
  }
  if (args.json) {
    // The summary rows (docs/outputs.md); with assertions, each row also carries its point's verdicts.
    const json = rows.map((r, point) => {
      const row: Record<string, unknown> = Object.fromEntries([...r].map(([k, v]) => [k, Number.isNaN(v) ? null : v]));
      if (checks.length > 0) row.assertions = checks.filter((c) => c.point === point).map(({ assertion, value, holds: ok }) => ({ assertion, value, holds: ok }));
      return row;
    });
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(consoleTable(scenario, rows));
  }
  if (!args.quiet) process.stderr.write(`wrote ${files.join(', ')}${removed}\n`);

  const failed = checks.filter((c) => !c.holds);
  for (const c of failed) process.stderr.write(`assertion failed at point ${c.point}: ${c.assertion} (${c.column} = ${c.value === null ? 'no data' : c.value})\n`);
  return failed.length > 0 ? 1 : 0;
}
