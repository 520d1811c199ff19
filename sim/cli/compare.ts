import { compareRuns, comparisonText } from '../output/compare.js';
import { readResultsFolder } from '../output/report-data.js';
import type { CompareArgs } from './args.js';

/** `sim compare <a> <b>`: two results folders side by side. */
export function compareCommand(args: CompareArgs): number {
  const c = compareRuns(readResultsFolder(args.dirs[0]), readResultsFolder(args.dirs[1]));
  process.stdout.write(args.json ? `${JSON.stringify(c, null, 2)}\n` : comparisonText(c));
  return 0;
}
