import { writeReport } from '../output/report.js';
import type { ReportArgs } from './args.js';

/** `sim report <dir>`: report.html for a results folder of sim run. */
export async function reportCommand(args: ReportArgs): Promise<number> {
  process.stdout.write(`wrote ${await writeReport(args.dir)}\n`);
  return 0;
}
