import { PointSums } from '../metrics/point-sums.js';
import { lockFolder, prepareOutputFolder } from '../output/output-folder.js';
import { checkFolderOwner, scenarioIdentity, toolVersion } from '../output/run-record.js';
import { checkShards, findShardFolders, readShardSums, shardRowsFile, verifyShardFiles } from '../output/shard-folder.js';
import { pointResult, pointSumsFor } from '../run/run-scenario.js';
import { UserError } from '../scenario/errors.js';
import { parseScenario } from '../scenario/load.js';
import type { MergeArgs } from './args.js';
import { execution, finishRun, runRecord } from './run.js';

/**
 * `sim merge`: the shard folders of `sim run --shard` into the results folder one `sim run` of
 * the scenario and seed would have written. Each point's sums add up exactly (any order), its
 * trials' rows are concatenated in trial order, and the scenario is parsed again from the text
 * the shards kept, so summary.csv, timeseries.csv and trials.csv are the same bytes, and
 * run.json too but for how it ran (command, start, wall time, cores, workers: the merge's).
 */
export async function mergeCommand(args: MergeArgs): Promise<number> {
  const started = new Date();
  const shards = checkShards(findShardFolders(args.shards));
  const r = shards[0].record;
  if (r.version !== toolVersion()) throw new UserError(`${shards[0].dir}: written by version ${r.version}; this is ${toolVersion()}: merge with the version that ran the shards`);
  const scenario = parseScenario(r.scenario.source, r.scenario.file, { trials: r.trials, seed: r.seed, set: r.scenario.set });
  if (scenarioIdentity(scenario) !== r.scenario.identity || scenario.points.length !== r.points) {
    throw new UserError(`${shards[0].dir}: its scenario text no longer gives the scenario it ran (identity ${r.scenario.identity}): the shard folder was edited`);
  }
  // Every data file checked (size, SHA-256, rows) before anything is read into the sums or written.
  verifyShardFiles(shards);
  prepareOutputFolder(args.out);
  lockFolder(args.out);
  const replaced = checkFolderOwner(args.out, scenario, args.force);
  const results = scenario.points.map((p, i) => {
    const m = p.model;
    const sums = pointSumsFor(m);
    for (const s of shards) {
      const part = readShardSums(s, i, sums.bins, sums.vaults);
      sums.merge(PointSums.fromJSON(part));
    }
    return pointResult(m, sums);
  });
  const rows = scenario.points.map((_, i) => shards.map((s) => shardRowsFile(s, i)));
  const engines = new Set(shards.map((s) => s.record.engine));
  const engine = engines.size === 1 ? r.engine : [...engines].join('+');
  const workers = shards.reduce((n, s) => n + s.record.execution.workers, 0);
  if (!args.quiet) process.stderr.write(`merging ${shards.length} shard(s) of ${scenario.name}: ${r.trials} trials per point, seed ${String(r.seed)}\n`);
  return finishRun(scenario, results, args.out, rows, args, (checks) => runRecord(scenario, scenario, r.scenario.file, engine, execution(started, workers), checks), replaced);
}
