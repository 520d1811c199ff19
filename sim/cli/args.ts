import yargs, { type Argv } from 'yargs';
import { UserError } from '../scenario/errors.js';

export interface RunArgs {
  command: 'run' | 'validate';
  scenario: string;
  trials?: number;
  seed?: number | string;
  workers?: number;
  out?: string;
  set: string[];
  json: boolean;
  quiet: boolean;
}

const scenarioFlags = (y: Argv) =>
  y
    .positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true })
    .option('trials', { type: 'number', describe: 'trials per point (overrides the file)' })
    .option('seed', { type: 'string', describe: 'scenario seed (overrides the file)' })
    .option('set', { type: 'string', array: true, default: [], describe: 'override a scenario value: path=value (repeatable)' });

/**
 * The command line as data: a pure function of argv, so it is tested without running anything.
 * Usage mistakes throw UserError (one line, exit code 2).
 */
export async function parseArgs(argv: string[]): Promise<RunArgs | { command: 'help'; text: string }> {
  let helpText = '';
  const parser = yargs(argv)
    .scriptName('sim')
    .usage('$0 <command> [options]\n\nFleet-wide Azure Key Vault throttling, simulated: how much jitterSeconds does a rollout need?')
    .command('run <scenario>', 'simulate a scenario and write summary.csv, timeseries.csv and trials.csv', (y) =>
      scenarioFlags(y)
        .option('workers', { type: 'number', describe: 'worker threads (default: one per core)' })
        .option('out', { type: 'string', describe: 'output folder (default: results/<name>/)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the summary rows as JSON instead of a table' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' }),
    )
    .command('validate <scenario>', 'check a scenario file and print what it would simulate', (y) => scenarioFlags(y))
    .example('$0 run scenarios/2000x20.yaml', 'throttling frequency of a 2,000-cluster rollout')
    .example('$0 run scenarios/2000x20.yaml --set fleet.0.jitterSeconds=120 --trials 200', 'the same with less jitter')
    .example('$0 run scenarios/700x30.yaml --workers 1 --json', 'one worker, JSON summary on stdout')
    .example('$0 validate scenarios/two-vaults.yaml', 'check a scenario without running it')
    .demandCommand(1, 'name a command: run or validate')
    .strict()
    .help()
    .version(false)
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns) : null)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UserError(err?.message ?? msg ?? 'bad command line');
    });
  const parsed = await parser.parseAsync(argv, {}, (_err, _argv, output) => {
    if (output) helpText = output;
  });
  if (helpText && (parsed.help || argv.includes('--help') || argv.includes('-h'))) return { command: 'help', text: helpText };
  const command = String(parsed._[0]);
  if (command !== 'run' && command !== 'validate') throw new UserError(`unknown command "${command}": use run or validate`);
  const positive = (name: string, v: unknown) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`--${name}: expected a whole number of at least 1, got ${String(v)}`);
    return v;
  };
  const seedText = parsed.seed as string | undefined;
  return {
    command,
    scenario: parsed.scenario as string,
    trials: positive('trials', parsed.trials),
    seed: seedText === undefined ? undefined : /^-?\d+$/.test(seedText) ? Number(seedText) : seedText,
    workers: positive('workers', parsed.workers),
    out: parsed.out as string | undefined,
    set: (parsed.set as string[]) ?? [],
    json: Boolean(parsed.json),
    quiet: Boolean(parsed.quiet),
  };
}
