#!/usr/bin/env node
import { UserError } from '../scenario/errors.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import { parseArgs } from './args.js';
import { compareCommand } from './compare.js';
import { jitterCommand } from './jitter.js';
import { recommendCommand } from './recommend.js';
import { reportCommand } from './report.js';
import { mergeCommand } from './merge.js';
import { runCommand } from './run.js';
import { runImportanceCommand } from './run-importance.js';
import { tableCommand } from './table.js';
import { validateCommand } from './validate.js';

/** Exit codes: 0 ok, 1 an assertion of the scenario failed, 2 bad input. */
async function main(argv: string[]): Promise<number> {
  const args = await parseArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(args.text + '\n');
    return 0;
  }
  switch (args.command) {
    case 'run':
      return args.method === 'importance' ? runImportanceCommand(args) : runCommand(args);
    case 'merge':
      return mergeCommand(args);
    case 'validate':
      return validateCommand(args);
    case 'jitter':
      return jitterCommand(args);
    case 'table':
      return tableCommand(args);
    case 'recommend':
      return recommendCommand(args);
    case 'report':
      return reportCommand(args);
    case 'compare':
      return compareCommand(args);
    case 'schema':
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      return 0;
  }
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
