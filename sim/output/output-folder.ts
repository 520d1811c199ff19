import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../scenario/errors.js';

/**
 * mkdir -p, one level at a time. Node's recursive mkdirSync never returns for a path under a
 * folder such as /proc, where creating anything fails with ENOENT (it retries the parent).
 */
function makeFolder(dir: string): void {
  const full = resolve(dir);
  const parent = dirname(full);
  try {
    mkdirSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(full).isDirectory()) return;
    if (code !== 'ENOENT' || parent === full || existsSync(parent)) throw e;
    makeFolder(parent);
    mkdirSync(full);
  }
}

/** Checked before a run, so that a long simulation does not end in an unwritable folder. */
export function prepareOutputFolder(dir: string): void {
  try {
    makeFolder(dir);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'is a file, not a folder' : code === 'ENOTDIR' ? 'part of the path is a file' : code === 'EACCES' ? 'is not writable' : `cannot be created (${code})`;
    throw new UserError(`--out ${dir}: ${why}`);
  }
}

/** Removes a temporary file; what cannot be removed (it is not ours) is left. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // A folder or a file we may not remove: not one of our temporary files.
  }
}

/** Whether a process with this id runs (one we may not signal still runs). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a run spools point p's trial rows until trials.csv is written (a temporary file of the folder). */
export function spoolPath(dir: string, point: number): string {
  return join(dir, `.trials-${point}.csv.${process.pid}.tmp`);
}

/**
 * Removes the temporary files of these names that a run killed while writing left behind
 * (`.<name>.<pid>.tmp` of a process that no longer runs), spooled trial rows among them;
 * another live run's are left alone.
 */
function removeStrays(dir: string, names: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^\.(.+)\.(\d+)\.tmp$/.exec(entry);
    if (m && (names.includes(m[1]) || /^trials-\d+\.csv$/.test(m[1])) && !alive(Number(m[2]))) removeQuietly(join(dir, entry));
  }
}

/**
 * Writes files into `dir`: each goes to a temporary file first and all are renamed into place
 * only when every one is written, so a failure leaves no half-written file behind. When one
 * cannot be written (a full disk), the temporary files are removed, the first file (the
 * summary, small) is still written alone if it can be, and the error is one line naming the
 * file and the reason. Temporary files of these names left by a killed run are removed first.
 * A file's text may be a function that writes the file at the path it is given (a streamed one).
 */
export function writeFilesAtomically(dir: string, files: Array<[name: string, text: string | ((path: string) => void)]>): string[] {
  makeFolder(dir);
  removeStrays(dir, files.map(([name]) => name));
  const temps: string[] = [];
  try {
    for (const [name, text] of files) {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      temps.push(tmp);
      if (typeof text === 'string') writeFileSync(tmp, text);
      else text(tmp);
    }
  } catch (e) {
    for (const tmp of temps) removeQuietly(tmp);
    const failed = files[temps.length - 1][0];
    let kept = '';
    if (temps.length > 1) {
      try {
        writeFilesAtomically(dir, [files[0]]);
        kept = `; wrote ${files[0][0]} only`;
      } catch {
        // Nothing can be written there: the error below says why.
      }
    }
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`--out ${dir}: could not write ${failed} (${err.code ?? 'error'}: ${(err.message ?? '').replace(/^\w+: /, '').split(',')[0]})${kept}`);
  }
  files.forEach(([name], i) => renameSync(temps[i], join(dir, name)));
  return files.map(([name]) => join(dir, name));
}
