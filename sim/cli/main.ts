#!/usr/bin/env node
import { UserError } from '../scenario/errors.js';
import { parseArgs } from './args.js';
import { removeTemporaryFiles } from '../output/output-folder.js';
import { takeInterruptHook } from './interrupt.js';

/**
 * Exit codes: 0 ok, 1 an assertion of the scenario failed, 2 bad input. Each command's module is
 * loaded when the command runs: loading every command's (the report's charts, the analytic
 * recipe, the merge) cost a run about as long as a thousand trials.
 */
async function main(argv: string[]): Promise<number> {
  const args = await parseArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(args.text + '\n');
    return 0;
  }
  if (args.command !== 'run' || args.method === 'importance') return command(args);
  // A run's worker threads start while its command's modules load and its scenario is read.
  const pool = await import('../run/trial-pool.js');
  pool.startWorkers(args.workers);
  try {
    return await command(args);
  } finally {
    await pool.releaseWorkers();
  }
}

async function command(args: Exclude<Awaited<ReturnType<typeof parseArgs>>, { command: 'help' }>): Promise<number> {
  switch (args.command) {
    case 'run':
      return args.method === 'importance' ? (await import('./run-importance.js')).runImportanceCommand(args) : (await import('./run.js')).runCommand(args);
    case 'merge':
      return (await import('./merge.js')).mergeCommand(args);
    case 'import':
      return (await import('./import.js')).importCommand(args);
    case 'validate':
      return (await import('./validate.js')).validateCommand(args);
    case 'jitter':
      return (await import('./jitter.js')).jitterCommand(args);
    case 'table':
      return (await import('./table.js')).tableCommand(args);
    case 'recommend':
      return (await import('./recommend.js')).recommendCommand(args);
    case 'report':
      return (await import('./report.js')).reportCommand(args);
    case 'compare':
      return (await import('./compare.js')).compareCommand(args);
    case 'schema':
      process.stdout.write(`${JSON.stringify((await import('../scenario/schema.js')).scenarioJsonSchema(), null, 2)}\n`);
      return 0;
    case 'explain': {
      const { scenarioJsonSchema } = await import('../scenario/schema.js');
      const { explainKey } = await import('../scenario/explain.js');
      process.stdout.write(`${explainKey(scenarioJsonSchema(), args.key).join('\n')}\n`);
      return 0;
    }
  }
}

// SIGTERM (a pod's stop) and SIGINT (Ctrl-C) end the command at once: worker threads and their
// batches are abandoned, temporary files removed, nothing half-written left behind. Node as
// PID 1 (a container without an init) ignores both unless handled.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    // A first Ctrl-C in a command that can stop early (recommend) asks it to finish with what it has.
    const stop = signal === 'SIGINT' ? takeInterruptHook() : null;
    if (stop) {
      process.stderr.write('sim: SIGINT: stopping after the part of the look or proof under way, with the best answer so far (SIGINT again quits at once)\n');
      stop();
      return;
    }
    removeTemporaryFiles();
    process.stderr.write(`sim: stopped by ${signal}; nothing more written\n`);
    process.exit(code);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UserError) {
      // One line per problem (a scenario may have several), each starting with sim:.
      process.stderr.write(err.message.split('\n').map((line) => `sim: ${line}\n`).join(''));
      process.exitCode = 2;
    } else {
      process.stderr.write(`sim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 3;
    }
  },
);
