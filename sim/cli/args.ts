import yargs, { type Argv } from 'yargs';
import { DEFAULT_STALL_SECONDS, defaultWorkers, ENGINES, type EngineChoice } from '../run/trial-pool.js';
import { RECOMMEND_METRICS, SHAPE_CHOICES, type RecommendMetric, type ShapeChoice } from '../run/jitter-search.js';
import { LIMITER_SHAPES } from '../model/config.js';
import { UserError } from '../scenario/errors.js';
import { toolVersion } from '../output/run-record.js';
import { parseDuration } from '../scenario/units.js';
import { DOCUMENTED_RISK, MAX_TRIALS, PER_SECOND_LIMIT } from '../model/defaults.js';

/** Flags shared by the commands that simulate. */
interface SimulationFlags {
  trials?: number;
  seed?: number | string;
  workers?: number;
  /** `coupled`: run every trial in the coupled driver (a check of the independent one). */
  engine: EngineChoice;
  /** Seconds with no batch of trials finished after which the run stops (a stuck worker). */
  stallSeconds?: number;
}

export interface RunArgs extends SimulationFlags {
  command: 'run' | 'validate';
  scenario: string;
  out?: string;
  set: string[];
  json: boolean;
  quiet: boolean;
  /** Run even when the size check says the run would not fit in memory. */
  force: boolean;
  /** Also write report.html (run only). */
  report: boolean;
  /** Run only shard `index` of `count` of every point's trials (run only). */
  shard?: { index: number; count: number };
  /** plain: the engine's trials; importance: importance sampling of the recipe's rollout (run only). */
  method: 'plain' | 'importance';
  /** A Markdown summary (a pull request's, $GITHUB_STEP_SUMMARY) and a JUnit file of the assertions (run only). */
  exportMarkdown?: string;
  junit?: string;
}

export interface MergeArgs {
  command: 'merge';
  shards: string[];
  out: string;
  json: boolean;
  quiet: boolean;
  force: boolean;
  report: boolean;
  exportMarkdown?: string;
  junit?: string;
}

export interface ReportArgs {
  command: 'report';
  dir: string;
}

export interface CompareArgs {
  command: 'compare';
  dirs: [string, string];
  json: boolean;
}

export interface JitterArgs extends SimulationFlags {
  command: 'jitter';
  clusters: number;
  secrets: number;
  risk: number;
  perSecondLimit: number;
  /** Evaluate at this jitter instead of the recommendation. */
  jitter?: number;
  /** The basic method: longest acceptable refresh and the poll interval, in seconds. */
  longestRefresh?: number;
  poll: number;
  verify: boolean;
  /** --verify by plain Monte Carlo (the engine) or by importance sampling (rare events). */
  method: 'plain' | 'importance';
  json: boolean;
}

export interface TableArgs extends SimulationFlags {
  command: 'table';
  /** --verify by the engine's trials or by importance sampling. */
  method: 'plain' | 'importance';
  table?: string;
  out?: string;
  verify: boolean;
  json: boolean;
}

export interface RecommendArgs extends SimulationFlags {
  command: 'recommend';
  scenario: string;
  target: number;
  metric: RecommendMetric;
  maxTrials: number;
  /** Seconds the plain search may take; at the limit each shape's best answer so far is printed. */
  maxTime: number;
  /** The limiter shapes to search under (default: the three). */
  shapes: readonly ShapeChoice[];
  /** Proofs by the engine's trials or by importance sampling (throttledTrial of a recipe rollout). */
  method: 'plain' | 'importance';
  set: string[];
  json: boolean;
  quiet: boolean;
  exportMarkdown?: string;
}

export interface ImportArgs {
  command: 'import';
  dirs: string[];
  out?: string;
  /** The tree before the change: the SecretSyncs that differ are the rollout's. */
  changedSince?: string;
  clusterFrom?: string;
  name?: string;
  force: boolean;
  quiet: boolean;
}

export type CliArgs = RunArgs | ImportArgs | MergeArgs | JitterArgs | TableArgs | RecommendArgs | ReportArgs | CompareArgs | { command: 'schema' } | { command: 'explain'; key: string } | { command: 'help'; text: string };

const COMMANDS = ['run', 'import', 'merge', 'validate', 'jitter', 'table', 'recommend', 'report', 'compare', 'schema', 'explain'] as const;

const simulationFlags = (y: Argv, trialsHelp: string) =>
  y
    .option('trials', { type: 'number', requiresArg: true, describe: trialsHelp })
    .option('seed', { type: 'string', requiresArg: true, describe: 'random seed' })
    .option('workers', { type: 'number', requiresArg: true, describe: 'worker threads (default: one per core)' })
    .option('engine', {
      type: 'string',
      choices: [...ENGINES],
      default: 'auto',
      describe: 'auto: each trial runs cluster by cluster and falls back to one fleet-wide event loop when the vault would throttle; coupled: always the fleet-wide loop (a check: same bytes, slower)',
    })
    .option('stall-timeout', { type: 'number', requiresArg: true, describe: `seconds with no batch of trials finished before the run stops as stuck (default ${DEFAULT_STALL_SECONDS})` });

/** --method of the commands that verify the recipe's fleet: the engine's trials or importance sampling. */
const methodOption = (y: Argv) =>
  y.option('method', { type: 'string', choices: ['plain', 'importance'], default: 'plain', describe: 'plain Monte Carlo trials of the engine, or importance sampling of the recipe\'s rollout (probabilities down to 1e-9 and below, with relative errors)' });

const scenarioFlags = (y: Argv) =>
  simulationFlags(y.positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true }), 'trials per point (overrides the file)').option(
    'set',
    { type: 'string', array: true, requiresArg: true, default: [], describe: 'override a scenario value: path=value (repeatable)' },
  );

/**
 * The command line as data: a pure function of argv, so it is tested without running anything.
 * Usage mistakes throw UserError (one line, exit code 2).
 */
export async function parseArgs(argv: string[]): Promise<CliArgs> {
  let helpText = '';
  const parser = yargs(argv)
    .scriptName('sim')
    .usage('$0 <command> [options]\n\nFleet-wide Azure Key Vault throttling, simulated: how much jitterSeconds does a rollout need?')
    .command('run <scenario>', 'simulate a scenario and write summary.csv, timeseries.csv and trials.csv (with --method importance: importance.csv)', (y) =>
      methodOption(scenarioFlags(y))
        .option('out', { type: 'string', requiresArg: true, describe: 'output folder (default: results/<name>/)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the summary rows as JSON instead of a table' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' })
        .option('force', { type: 'boolean', default: false, describe: 'run even when the estimated memory exceeds 80% of this machine\'s, and write into a folder of another scenario or seed, or one that holds files but no run.json' })
        .option('report', { type: 'boolean', default: false, describe: 'also write report.html (charts and the summary, one self-contained page)' })
        .option('export-markdown', { type: 'string', requiresArg: true, describe: 'also write a Markdown summary (verdict, table, assertions, the scenario\'s identity) to this file; $GITHUB_STEP_SUMMARY is appended to' })
        .option('junit', { type: 'string', requiresArg: true, describe: 'also write a JUnit XML file: one test case per assertion per point' })
        .option('shard', { type: 'string', requiresArg: true, describe: 'run shard i of n (0-based) of every point\'s trials into <out>/shard-<i>-of-<n>/ (default out: results/<name>/shards); auto/n takes i from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); then sim merge' })
        .example('$0 run scenarios/2000x20.yaml --set fleet.0.jitterSeconds=120 --trials 200 --report', 'less jitter, 200 trials, with the HTML report')
        .example('$0 run scenarios/2000x20.yaml --shard 0/4', 'the first quarter of the trials, into results/2000x20/shards/shard-0-of-4/')
        .example('$0 run scenarios/recipe-fleet.yaml --method importance --set "sweep={jitterSeconds: [150, 200, 270]}"', 'throttling probabilities far below 1e-4, each with its relative error, into importance.csv'),
    )
    .command('import <dirs..>', 'write a scenario from a fleet\'s manifests (SecretProviderClass, SecretSync, AKVSync, the extension\'s settings): clusters of the same shape become one group', (y) =>
      y
        .positional('dirs', { type: 'string', array: true, describe: 'folders of manifests: each folder under a clusters/ folder (else under the root) is a cluster', demandOption: true })
        .option('out', { type: 'string', requiresArg: true, describe: 'the scenario file to write (default: stdout)' })
        .option('changed-since', { type: 'string', requiresArg: true, describe: 'the tree before the change: only the SecretSyncs that differ are rolled out, the rest poll in steady state' })
        .option('cluster-from', { type: 'string', requiresArg: true, describe: 'a regular expression on each file\'s path below the root: its first group (else the match) names the cluster' })
        .option('name', { type: 'string', requiresArg: true, describe: 'the scenario\'s name (default: the first folder\'s)' })
        .option('force', { type: 'boolean', default: false, describe: 'replace the --out file when it exists' })
        .option('quiet', { type: 'boolean', default: false, describe: 'nothing on stderr but errors' })
        .example('$0 import gitops/ --changed-since /tmp/base/gitops --out pr.yaml', 'the rollout a pull request triggers, as a scenario'),
    )
    .command('merge <shards..>', 'merge the shard folders of sim run --shard into the files one run would have written, byte for byte', (y) =>
      y
        .positional('shards', { type: 'string', array: true, describe: 'shard folders, or folders holding them', demandOption: true })
        .option('out', { type: 'string', requiresArg: true, demandOption: true, describe: 'the results folder to write' })
        .option('json', { type: 'boolean', default: false, describe: 'print the summary rows as JSON instead of a table' })
        .option('quiet', { type: 'boolean', default: false, describe: 'nothing on stderr but errors' })
        .option('force', { type: 'boolean', default: false, describe: 'replace a results folder of another scenario or seed, or write into one that holds files but no run.json' })
        .option('report', { type: 'boolean', default: false, describe: 'also write report.html' })
        .option('export-markdown', { type: 'string', requiresArg: true, describe: 'also write the Markdown summary (as sim run\'s)' })
        .option('junit', { type: 'string', requiresArg: true, describe: 'also write the JUnit XML of the assertions (as sim run\'s)' })
        .example('$0 merge results/2000x20/shards --out results/2000x20', 'every shard folder under results/2000x20/shards'),
    )
    .command('validate <scenario>', 'check a scenario file and print what it would simulate', (y) =>
      scenarioFlags(y)
        .option('json', { type: 'boolean', default: false, describe: 'print what it would simulate as JSON' })
        .example('$0 validate scenarios/two-vaults.yaml --set horizon=1h30m', 'the points, the run\'s size, and any warning'),
    )
    .command('jitter', 'the documented jitter recipe for a fleet, with exact probabilities (and --verify: simulated)', (y) =>
      methodOption(simulationFlags(y, 'trials for --verify (default 2000)'))
        .option('clusters', { type: 'number', requiresArg: true, demandOption: true, describe: 'clusters N' })
        .option('secrets', { type: 'number', requiresArg: true, demandOption: true, describe: 'secrets per cluster S' })
        .option('risk', { type: 'number', requiresArg: true, default: DOCUMENTED_RISK, describe: 'acceptable risk per second' })
        .option('jitter', { type: 'string', requiresArg: true, describe: 'evaluate this jitterSeconds instead of the recommendation' })
        .option('limit', { type: 'number', requiresArg: true, default: PER_SECOND_LIMIT, describe: 'GETs per second the recipe allows' })
        .option('longest-refresh', { type: 'string', requiresArg: true, describe: 'the basic method: longest acceptable refresh time' })
        .option('poll', { type: 'string', requiresArg: true, default: '3600', describe: 'rotationPollIntervalInSeconds, for the basic method' })
        .option('verify', { type: 'boolean', default: false, describe: 'also simulate the fleet at that jitter' })
        .option('json', { type: 'boolean', default: false, describe: 'print the recommendation and probabilities as JSON' })
        .example('$0 jitter --clusters 700 --secrets 30 --verify', 'the recipe for 700 x 30, checked by simulation')
        .example('$0 jitter --clusters 2000 --secrets 20 --jitter 600 --verify --method importance', 'a probability near 1e-8, estimated with its relative error'),
    )
    .command('table', 'regenerate the documentation\'s jitter table from the recipe and mark the differences', (y) =>
      methodOption(simulationFlags(y, 'trials per cell and limiter for --verify (default 200; with --method importance, 2000)'))
        .option('table', { type: 'string', requiresArg: true, describe: 'a jitter table CSV to check (default: the documentation\'s)' })
        .option('out', { type: 'string', requiresArg: true, describe: 'output folder (default: results/jitter-table/)' })
        .option('verify', { type: 'boolean', default: false, describe: 'simulate every cell under three limiter shapes' })
        .option('json', { type: 'boolean', default: false, describe: 'print the cells (jitter-table.csv\'s rows) as JSON instead of the grids' })
        .example('$0 table --verify --trials 100', 'the documented table, each cell simulated 100 times under three shapes'),
    )
    .command('recommend <scenario>', 'the smallest jitterSeconds proven to keep a metric below a target, under every limiter shape', (y) =>
      methodOption(scenarioFlags(y))
        .option('trials', { type: 'number', requiresArg: true, describe: 'trials of the first looks at each jitter (default 200; a proof plans its own); with --method importance, weighted rollouts per look (default 2000)' })
        .option('target', { type: 'number', requiresArg: true, default: DOCUMENTED_RISK, describe: 'the 95% upper bound must be below this' })
        .option('metric', { type: 'string', requiresArg: true, choices: RECOMMEND_METRICS, default: 'throttledTrial', describe: 'the proportion to bound' })
        .option('shape', { type: 'string', requiresArg: true, choices: ['all', ...SHAPE_CHOICES], default: 'all', describe: 'limiter shape(s) to search under, at the scenario\'s limit and window (all: the three; scenario: its own limiter)' })
        .option('max-trials', { type: 'number', requiresArg: true, default: 100000, describe: 'most trials one look or one proof spends' })
        .option('max-time', { type: 'string', requiresArg: true, default: '10m', describe: 'longest the search may run (a duration: 90s, 10m, 2h); then each shape\'s best answer so far is printed, with what is proven and what is not' })
        .option('json', { type: 'boolean', default: false, describe: 'print the answer as JSON' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' })
        .option('export-markdown', { type: 'string', requiresArg: true, describe: 'also write the answer as Markdown to this file; $GITHUB_STEP_SUMMARY is appended to' })
        .example('$0 recommend scenarios/2000x20.yaml --set horizon=300 --target 1e-3', 'the least jitter proven to keep throttling below 1e-3'),
    )
    .command('report <dir>', 'write report.html for a results folder of sim run: the summary and charts in one self-contained page', (y) =>
      y.positional('dir', { type: 'string', describe: 'a results folder (with run.json)', demandOption: true }).example('$0 report results/2000x20', 'results/2000x20/report.html'),
    )
    .command('compare <a> <b>', 'two results folders side by side, point by point: each headline metric, B - A, whether the intervals separate, and which settings differ', (y) =>
      y
        .positional('a', { type: 'string', describe: 'the first results folder', demandOption: true })
        .positional('b', { type: 'string', describe: 'the second results folder', demandOption: true })
        .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
        .example('$0 compare results/2000x20 results/2000x20-j120', 'the documented jitter against 120 s'),
    )
    .command('schema', 'print the scenario file\'s JSON Schema (for editors; also scenarios/scenario.schema.json)', (y) => y.example('$0 schema > scenario.schema.json', 'for an editor: # yaml-language-server: $schema=./scenario.schema.json'))
    .command('explain [key]', 'what a scenario key means: description, type, default, limits and an example (no key: the top level)', (y) =>
      y
        .positional('key', { type: 'string', describe: 'a scenario path as in --set (events.over, fleet.0.jitterSeconds)', default: '' })
        .example('$0 explain events.over', 'how a rollout\'s waves are spread')
        .example('$0 explain vaults.limiter', 'the limiter shapes and their keys'),
    )
    .example('$0 run scenarios/2000x20.yaml', 'throttling frequency of a 2,000-cluster rollout')
    .example('$0 report results/2000x20', 'charts of a finished run in results/2000x20/report.html')
    .example('$0 run scenarios/2000x20.yaml --set fleet.0.jitterSeconds=120 --trials 200', 'the same with less jitter')
    .example('$0 jitter --clusters 700 --secrets 30 --verify', 'the recipe for 700 x 30, checked by simulation')
    .example('$0 table --verify', 'the documented table, recomputed and simulated under three limiter shapes')
    .example('$0 recommend scenarios/2000x20.yaml --set horizon=300 --target 1e-3', 'the least jitter proven safe for a rollout')
    .demandCommand(1, `name a command: ${COMMANDS.join(', ')}`)
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .recommendCommands()
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns) : null)
    .exitProcess(false)
    .fail((msg, err) => {
      // One line, whatever yargs says ("Invalid values:\n  Argument: ...").
      const text = (err?.message ?? msg ?? 'bad command line').replace(/\s*\n\s*/g, ' ');
      const missing = /^Not enough arguments following: ([\w-]+)$/.exec(text);
      throw new UserError(missing ? `--${missing[1]}: needs a value` : text);
    });
  // `sim --version`; bare `sim` and `sim --help` print the help (exit 0).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) return { command: 'help', text: toolVersion() };
  if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) return { command: 'help', text: await parser.getHelp() };
  const parsed = await parser.parseAsync(argv, {}, (_err, _argv, output) => {
    if (output) helpText = output;
  });
  if (helpText && (parsed.help || argv.includes('--help') || argv.includes('-h'))) return { command: 'help', text: helpText };
  const command = String(parsed._[0]);
  const trials = whole('trials', parsed.trials);
  if (trials !== undefined && trials > MAX_TRIALS) throw new UserError(`--trials: at most ${MAX_TRIALS} (trial numbers are 32-bit), got ${trials}`);
  const workers = whole('workers', parsed.workers);
  const sim: SimulationFlags = {
    trials,
    seed: seedOf(parsed.seed as string | undefined),
    // More threads than cores only share them (and each costs memory before the size check): capped at the cores.
    workers: workers === undefined ? undefined : Math.min(workers, defaultWorkers()),
    engine: parsed.engine as EngineChoice,
  };
  const stall = positiveSeconds('stall-timeout', parsed['stall-timeout'] as number | undefined);
  if (stall !== undefined) sim.stallSeconds = stall;
  switch (command) {
    case 'run':
    case 'validate': {
      const method = (parsed.method ?? 'plain') as 'plain' | 'importance';
      if (method === 'importance') {
        // Importance sampling draws rollouts, not the engine's trials: the flags about those do not apply.
        const clash = parsed.shard !== undefined ? '--shard' : parsed.report ? '--report' : parsed.engine !== 'auto' ? '--engine' : parsed['export-markdown'] !== undefined ? '--export-markdown' : parsed.junit !== undefined ? '--junit' : null;
        if (clash) throw new UserError(`${clash}: applies to plain runs (the engine's trials), not to --method importance`);
      }
      return {
        command,
        scenario: parsed.scenario as string,
        ...sim,
        out: parsed.out as string | undefined,
        set: (parsed.set as string[]) ?? [],
        json: Boolean(parsed.json),
        quiet: Boolean(parsed.quiet),
        force: Boolean(parsed.force),
        report: Boolean(parsed.report),
        ...(command === 'run' && parsed.shard !== undefined ? { shard: shardOf(String(parsed.shard), process.env.JOB_COMPLETION_INDEX, Boolean(parsed.report), Boolean(parsed.json)) } : {}),
        method,
        ...reviewFiles(parsed, parsed.shard !== undefined),
      };
    }
    case 'import': {
      const name = parsed.name as string | undefined;
      if (name !== undefined && !/^[\w.-]+$/.test(name)) throw new UserError(`--name: use letters, digits, ".", "-" and "_" only, got ${JSON.stringify(name)}`);
      return {
        command,
        dirs: (parsed.dirs as string[]).map(String),
        out: parsed.out as string | undefined,
        changedSince: parsed['changed-since'] as string | undefined,
        clusterFrom: parsed['cluster-from'] as string | undefined,
        name,
        force: Boolean(parsed.force),
        quiet: Boolean(parsed.quiet),
      };
    }
    case 'merge':
      return { command, shards: (parsed.shards as string[]).map(String), out: parsed.out as string, json: Boolean(parsed.json), quiet: Boolean(parsed.quiet), force: Boolean(parsed.force), report: Boolean(parsed.report), ...reviewFiles(parsed, false) };
    case 'jitter': {
      const risk = parsed.risk as number;
      if (!(risk > 0 && risk < 0.5)) throw new UserError(`--risk: expected a probability between 0 and 0.5, got ${String(risk)}`);
      const limit = parsed.limit as number;
      if (!(limit > 0)) throw new UserError(`--limit: expected a positive number of GETs per second, got ${String(limit)}`);
      return {
        command,
        ...sim,
        clusters: whole('clusters', parsed.clusters) as number,
        secrets: whole('secrets', parsed.secrets) as number,
        risk,
        perSecondLimit: limit,
        jitter: durationOf('jitter', parsed.jitter),
        longestRefresh: durationOf('longest-refresh', parsed['longest-refresh']),
        poll: durationOf('poll', parsed.poll) as number,
        verify: Boolean(parsed.verify),
        method: parsed.method as 'plain' | 'importance',
        json: Boolean(parsed.json),
      };
    }
    case 'table':
      return { command, ...sim, table: parsed.table as string | undefined, out: parsed.out as string | undefined, verify: Boolean(parsed.verify), method: parsed.method as 'plain' | 'importance', json: Boolean(parsed.json) };
    case 'recommend': {
      const target = parsed.target as number;
      if (!(target > 0 && target < 1)) throw new UserError(`--target: expected a proportion between 0 and 1, got ${String(target)}`);
      const maxTrials = whole('max-trials', parsed['max-trials']) as number;
      if (maxTrials > 2 ** 28) throw new UserError(`--max-trials: at most ${2 ** 28}, got ${maxTrials}`);
      if (sim.trials !== undefined && sim.trials > maxTrials) throw new UserError(`--trials: the first looks' trials (${sim.trials}) cannot exceed --max-trials (${maxTrials})`);
      const maxTime = parseDuration(parsed['max-time']);
      if (maxTime === null || !(maxTime > 0)) throw new UserError(`--max-time: expected a duration above 0 such as 90s, 10m or 2h, got ${String(parsed['max-time'])}`);
      return {
        command,
        scenario: parsed.scenario as string,
        ...sim,
        target,
        metric: parsed.metric as RecommendMetric,
        maxTrials,
        maxTime,
        shapes: parsed.shape === 'all' ? LIMITER_SHAPES : [parsed.shape as ShapeChoice],
        method: parsed.method as 'plain' | 'importance',
        set: (parsed.set as string[]) ?? [],
        json: Boolean(parsed.json),
        quiet: Boolean(parsed.quiet),
        ...(parsed['export-markdown'] !== undefined ? { exportMarkdown: String(parsed['export-markdown']) } : {}),
      };
    }
    case 'report':
      return { command, dir: parsed.dir as string };
    case 'compare':
      return { command, dirs: [parsed.a as string, parsed.b as string], json: Boolean(parsed.json) };
    case 'schema':
      return { command };
    case 'explain':
      return { command, key: String(parsed.key ?? '') };
    default:
      throw new UserError(`unknown command "${command}": use ${COMMANDS.join(', ')}`);
  }
}

/**
 * --shard i/n (0 <= i < n), or auto/n with i from JOB_COMPLETION_INDEX, as a Kubernetes Indexed
 * Job sets it in each pod.
 */
export function shardOf(text: string, jobIndex: string | undefined, report = false, json = false): { index: number; count: number } {
  if (report || json) throw new UserError(`--${report ? 'report' : 'json'}: a shard writes no summary; give it to sim merge`);
  const m = /^(\d+|auto)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UserError(`--shard: expected i/n (shard i of n, from 0) or auto/n, got ${JSON.stringify(text)}`);
  const count = Number(m[2]);
  if (count < 1) throw new UserError(`--shard: n must be at least 1, got ${text}`);
  let index: number;
  if (m[1] === 'auto') {
    if (jobIndex === undefined || !/^\d+$/.test(jobIndex)) throw new UserError(`--shard ${text}: JOB_COMPLETION_INDEX is ${jobIndex === undefined ? 'not set' : `not a whole number (${JSON.stringify(jobIndex)})`}; a Kubernetes Indexed Job sets it in each pod, elsewhere give the index (--shard 0/${count})`);
    index = Number(jobIndex);
  } else {
    index = Number(m[1]);
  }
  if (index >= count) throw new UserError(`--shard ${text}: shard ${index} of ${count} does not exist (shards are numbered 0 to ${count - 1})`);
  return { index, count };
}

/** --export-markdown and --junit of sim run: a shard writes no summary, so neither applies to one. */
function reviewFiles(parsed: Record<string, unknown>, shard: boolean): { exportMarkdown?: string; junit?: string } {
  const out: { exportMarkdown?: string; junit?: string } = {};
  if (parsed['export-markdown'] !== undefined) out.exportMarkdown = String(parsed['export-markdown']);
  if (parsed.junit !== undefined) out.junit = String(parsed.junit);
  if (shard && (out.exportMarkdown !== undefined || out.junit !== undefined)) throw new UserError(`--${out.exportMarkdown !== undefined ? 'export-markdown' : 'junit'}: a shard writes no summary; give it to the run of the whole scenario`);
  return out;
}

function whole(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`--${name}: expected a whole number of at least 1, got ${String(v)}`);
  return v;
}

function positiveSeconds(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new UserError(`--${name}: expected a number of seconds above 0, got ${String(v)}`);
  return v;
}

function seedOf(text: string | undefined): number | string | undefined {
  // A number is the same seed however it is written (1, 1.0, 1e0), as in the scenario file.
  return text === undefined ? undefined : text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

function durationOf(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = parseDuration(typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  if (s === null) throw new UserError(`--${name}: expected a duration such as 190, "190s" or "75m", got ${JSON.stringify(v)}`);
  return s;
}
