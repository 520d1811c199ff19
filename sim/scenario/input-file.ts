import { readFileSync, statSync } from 'node:fs';
import { UserError } from './errors.js';

/**
 * A small input file's text (a scenario, a jitter table), refused in one line when it is not a
 * regular file of at most `maxBytes`: a FIFO would block the read, a device (/dev/zero) never
 * ends, a huge file would fill memory.
 */
export function readInputFile(file: string, maxBytes: number, what: string): string {
  try {
    const info = statSync(file);
    if (info.isDirectory()) throw new UserError(`${file}: is a folder, not ${what}`);
    if (!info.isFile()) throw new UserError(`${file}: not a regular file`);
    if (info.size > maxBytes) throw new UserError(`${file}: ${info.size.toLocaleString('en-US')} bytes; ${what} is at most ${maxBytes.toLocaleString('en-US')}`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? `is a folder, not ${what}` : `cannot read (${code})`}`);
  }
}
