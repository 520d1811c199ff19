import { join } from 'node:path';
import { meanSecondOverProbability, refreshOverProbability } from '../analytic/exact.js';
import type { RareEstimand } from '../model/config.js';
import { IMPORTANCE_QUANTITIES, importanceCsv, importanceRows, importanceTable, type ImportancePoint } from '../output/importance-files.js';
import { lockFolder, prepareOutputFolder, writeFilesAtomically } from '../output/output-folder.js';
import { checkFolderOwner, IMPORTANCE_CSV, IMPORTANCE_RECORD, removeReplaced, scenarioIdentity, toolVersion } from '../output/run-record.js';
import { estimateRareEvents, type RareQuestion } from '../run/rare.js';
import { rolloutOrRefuse } from '../run/rare-search.js';
import { defaultWorkers } from '../run/trial-pool.js';
import { parseScenario, readScenarioText } from '../scenario/load.js';
import { scenarioWarnings } from '../scenario/warnings.js';
import type { RunArgs } from './args.js';
import { execution, removedNote, sweptValues } from './run.js';

/**
 * `sim run --method importance`: per point of a scenario that is the recipe's rollout, the
 * probabilities pSecondOver, refreshOver and throttledTrial (under the point's own limiter) by
 * importance sampling (sim/model/rare-events.ts), each with its relative error and effective
 * trials, the exact values beside the first two. Writes importance.csv and importance.json
 * (a plain run's files in the same folder are kept); prints a table or, with --json, the rows.
 */
export async function runImportanceCommand(args: RunArgs): Promise<number> {
  const scenario = parseScenario(readScenarioText(args.scenario), args.scenario, { trials: args.trials, seed: args.seed, set: args.set });
  // Every point must be the recipe's rollout: refused before anything runs, naming the point.
  const rollouts = scenario.points.map((p) => rolloutOrRefuse(p.model, scenario.points.length > 1 ? `${args.scenario}: point ${p.index}${p.sweep.length ? ` (${sweptValues(p)})` : ''}` : args.scenario));
  if (!args.quiet) {
    for (const w of scenarioWarnings(scenario)) process.stderr.write(`warning: ${w}\n`);
    if (scenario.assertions.length > 0) process.stderr.write(`note: the scenario's assertions name summary.csv's columns, which a plain run writes; --method importance does not check them\n`);
  }
  const dir = args.out ?? join('results', scenario.name);
  prepareOutputFolder(dir);
  lockFolder(dir);
  const replaced = checkFolderOwner(dir, scenario, args.force);
  const started = new Date();
  const workers = args.workers ?? defaultWorkers();
  const questions: RareQuestion[] = scenario.points.flatMap((p, i) => {
    const limit = p.model.metrics.perSecondLimit;
    const estimands: Record<(typeof IMPORTANCE_QUANTITIES)[number], RareEstimand> = {
      pSecondOver: { kind: 'pSecondOver', perSecondLimit: limit },
      refreshOver: { kind: 'refreshOver', perSecondLimit: limit },
      throttledTrial: { kind: 'throttledTrial', limiter: p.model.vaults[0].limiter },
    };
    return IMPORTANCE_QUANTITIES.map((q) => ({ rollout: rollouts[i], estimand: estimands[q] }));
  });
  const estimates = await estimateRareEvents(questions, scenario.trials, scenario.seed, { workers, progress: !args.quiet, stallSeconds: args.stallSeconds });
  const points: ImportancePoint[] = scenario.points.map((p, i) => {
    const r = rollouts[i];
    const above = Math.floor(p.model.metrics.perSecondLimit / r.secretsPerCluster);
    return {
      senders: r.clusters,
      secretsPerSender: r.secretsPerCluster,
      jitterSeconds: r.jitterSeconds,
      trials: scenario.trials,
      estimates: Object.fromEntries(IMPORTANCE_QUANTITIES.map((q, k) => [q, estimates[i * IMPORTANCE_QUANTITIES.length + k]])) as ImportancePoint['estimates'],
      exact: { pSecondOver: meanSecondOverProbability(r.clusters, r.jitterSeconds, above), refreshOver: refreshOverProbability(r.clusters, r.jitterSeconds, above) },
    };
  });
  const record = {
    tool: 'akv-fleet-sim',
    version: toolVersion(),
    method: 'importance',
    scenario: { file: args.scenario, name: scenario.name, identity: scenarioIdentity(scenario), points: scenario.points.map((p, i) => ({ index: p.index, sweep: p.sweep, model: p.model, rollout: rollouts[i] })) },
    seed: scenario.seed,
    trials: scenario.trials,
    ...execution(started, workers),
  };
  const files = writeFilesAtomically(dir, [
    [IMPORTANCE_CSV, importanceCsv(scenario, points)],
    [IMPORTANCE_RECORD, `${JSON.stringify(record, null, 2)}\n`],
  ]);
  const removed = removeReplaced(dir, replaced, files);
  if (args.json) {
    const rows = importanceRows(scenario, points).map((r) => Object.fromEntries([...r].map(([k, v]) => [k, typeof v === 'number' && Number.isNaN(v) ? null : v === '' ? null : v])));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    process.stdout.write(`${scenario.name}: importance sampling, ${scenario.trials} weighted rollouts per probability (+- relative standard error; <= the cover's summed probability, an upper bound, where an estimate is refused)\n`);
    process.stdout.write(importanceTable(scenario, points));
  }
  if (!args.quiet) process.stderr.write(`wrote ${files.join(', ')}${removedNote(removed)}\n`);
  return 0;
}
