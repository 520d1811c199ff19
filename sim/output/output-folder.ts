import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../scenario/errors.js';

/** Checked before a run, so that a long simulation does not end in an unwritable folder. */
export function prepareOutputFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'is a file, not a folder' : code === 'ENOTDIR' ? 'part of the path is a file' : code === 'EACCES' ? 'is not writable' : `cannot be created (${code})`;
    throw new UserError(`--out ${dir}: ${why}`);
  }
}

/**
 * Writes files into `dir`: each goes to a temporary file first and all are renamed into place
 * only when every one is written, so a failure leaves no half-written file behind.
 */
export function writeFilesAtomically(dir: string, files: Array<[name: string, text: string]>): string[] {
  mkdirSync(dir, { recursive: true });
  const temps: string[] = [];
  try {
    for (const [name, text] of files) {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      temps.push(tmp);
      writeFileSync(tmp, text);
    }
  } catch (e) {
    for (const tmp of temps) rmSync(tmp, { force: true });
    throw e;
  }
  files.forEach(([name], i) => renameSync(temps[i], join(dir, name)));
  return files.map(([name]) => join(dir, name));
}
