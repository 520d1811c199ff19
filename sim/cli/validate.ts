import { checkAssertionColumns } from '../scenario/assertions.js';
import { loadScenario } from '../scenario/load.js';
import { scenarioWarnings } from '../scenario/warnings.js';
import { summaryColumns } from '../output/results-files.js';
import { describeSize, estimateSize } from '../run/size-check.js';
import { defaultWorkers } from '../run/trial-pool.js';
import type { RunArgs } from './args.js';

/** `sim validate`: load and check a scenario, then say what a run would simulate. */
export function validateCommand(args: RunArgs): number {
  const scenario = loadScenario(args.scenario, { trials: args.trials, seed: args.seed, set: args.set });
  checkAssertionColumns(scenario.assertions, summaryColumns(scenario));
  const lines = [`${args.scenario}: ok`];
  lines.push(`  ${scenario.name}${scenario.description ? `: ${scenario.description}` : ''}`);
  lines.push(`  ${scenario.points.length} point(s) x ${scenario.trials} trials, seed ${scenario.seed}`);
  for (const p of scenario.points) {
    const m = p.model;
    const fleet = m.fleet
      .map((g) => `${g.name} ${g.clusters}x${g.secretSyncs}${g.objectsPerSync > 1 ? `x${g.objectsPerSync}` : ''} J=${g.jitterSeconds}s P=${g.rotationPollIntervalInSeconds}s -> ${g.vaults.join('/')}`)
      .join('; ');
    const swept = p.sweep.map((s) => `${s.column}=${JSON.stringify(s.value)}`).join(' ');
    lines.push(`  point ${p.index}${swept ? ` (${swept})` : ''}: ${fleet}; horizon ${m.horizon}s, start ${m.start}, ${m.events.length} event(s)`);
  }
  const size = estimateSize(scenario.points.map((p) => p.model), scenario.trials, args.workers ?? defaultWorkers());
  const warnings = scenarioWarnings(scenario);
  if (args.json) {
    const json = {
      file: args.scenario,
      ok: true,
      name: scenario.name,
      description: scenario.description ?? null,
      seed: scenario.seed,
      trials: scenario.trials,
      points: scenario.points.map((p) => ({ index: p.index, sweep: Object.fromEntries(p.sweep.map((s) => [s.column, s.value])), model: p.model })),
      estimate: { ...size, text: describeSize(size) },
      warnings,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  lines.push(`  estimated memory: ${describeSize(size)}; up to ${size.getsPerTrial.toLocaleString('en-US')} GETs per trial without failures`);
  for (const w of warnings) lines.push(`  warning: ${w}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
