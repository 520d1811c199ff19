import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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

/**
 * A temporary file's path in dir for `name`: `.<name>.<pid>.<random>.tmp`. The random part makes
 * it unpredictable (node as PID 1 in a container has a constant pid), and every temporary file
 * is created exclusively (flag 'wx'): a planted file or symlink of that name fails the write
 * instead of being followed.
 */
export function tempPath(dir: string, name: string): string {
  const path = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  made.add(path);
  return path;
}

/** Every temporary path this process handed out (renamed or removed ones too: removing those is a no-op). */
const made = new Set<string>();

/** Removes this process's temporary files: on SIGTERM or SIGINT, before it exits. */
export function removeTemporaryFiles(): void {
  for (const path of made) removeQuietly(path);
  made.clear();
}

/** Where a run spools point p's trial rows until trials.csv is written (a temporary file of the folder). */
export function spoolPath(dir: string, point: number): string {
  return tempPath(dir, `trials-${point}.csv`);
}

/** Whether a folder entry is a temporary file of this tool's (tempPath). */
function temporary(entry: string): { name: string; pid: number } | null {
  const m = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry);
  return m ? { name: m[1], pid: Number(m[2]) } : null;
}

/** The entries of dir other than this tool's temporary files (none when it does not exist). */
export function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir).filter((e) => !temporary(e) && e !== LOCK_FILE);
  } catch {
    return [];
  }
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
    const t = temporary(entry);
    if (t && (names.includes(t.name) || /^trials-\d+\.csv$/.test(t.name)) && !alive(t.pid)) removeQuietly(join(dir, entry));
  }
}

/**
 * Writes files into `dir`: each goes to a temporary file first and all are renamed into place
 * only when every one is written, so a failure leaves no half-written file behind. When one
 * cannot be written (a full disk), the temporary files are removed and nothing is renamed: the
 * set is written whole or not at all (a summary written alone sat beside another run's
 * run.json and trials.csv); the error is one line naming the file and the reason. Temporary
 * files of these names left by a killed run are removed first.
 * A file's text may be a function that writes the file at the path it is given (a streamed one;
 * it is also given the files written before it, at their temporary paths). `label` names the
 * flag in the error (--out by default).
 */
export function writeFilesAtomically(dir: string, files: Array<[name: string, text: string | ((path: string, written: ReadonlyMap<string, string>) => void)]>, label = `--out ${dir}`): string[] {
  makeFolder(dir);
  removeStrays(dir, files.map(([name]) => name));
  const temps: string[] = [];
  // The files written so far, by name, at their temporary paths (a record of them can digest them).
  const written = new Map<string, string>();
  try {
    for (const [name, text] of files) {
      const tmp = tempPath(dir, name);
      temps.push(tmp);
      if (typeof text === 'string') writeFileSync(tmp, text, { flag: 'wx' });
      else text(tmp, written);
      written.set(name, tmp);
    }
  } catch (e) {
    for (const tmp of temps) removeQuietly(tmp);
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`${label}: could not write ${files[temps.length - 1][0]} (${err.code ?? 'error'}: ${(err.message ?? '').replace(/^\w+: /, '').split(',')[0]}); nothing written, the folder's files are as they were`);
  }
  files.forEach(([name], i) => renameSync(temps[i], join(dir, name)));
  return files.map(([name]) => join(dir, name));
}

/** The lock file a run holds in its output folder while it writes there. */
export const LOCK_FILE = '.sim.lock';

/**
 * Takes the folder's lock for this process (created exclusively, holding its pid): a second
 * run, merge or report into the folder meanwhile is refused instead of mixing its files with
 * this one's. A lock whose process no longer runs (or this process's own) is taken over.
 * Returns its release; it is released at exit anyway.
 */
export function lockFolder(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw new UserError(`--out ${dir}: cannot take its lock ${LOCK_FILE} (${(e as NodeJS.ErrnoException).code})`);
      let holder = NaN;
      try {
        holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      } catch {
        // Unreadable: taken as stale.
      }
      if (Number.isSafeInteger(holder) && holder !== process.pid && alive(holder)) throw new UserError(`--out ${dir}: another sim (pid ${holder}) is writing there; wait for it, or another --out`);
      removeQuietly(file);
    }
  }
  made.add(file);
  const release = () => {
    removeQuietly(file);
    made.delete(file);
  };
  // Held until the command ends, whatever way it ends (signals: removeTemporaryFiles).
  process.once('exit', release);
  return release;
}
