import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Calls `line` for each line of a text file (without its line break), reading a megabyte at a
 * time: memory stays at one chunk whatever the file's size. Returns the unterminated rest (''
 * when the file ends with a line break), which `line` is not called for.
 */
export function forEachLine(file: string, line: (text: string) => void): string {
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'r');
  let carry = '';
  try {
    for (let got = readSync(fd, chunk); got > 0; got = readSync(fd, chunk)) {
      const lines = (carry + chunk.toString('latin1', 0, got)).split('\n');
      carry = lines.pop()!;
      for (const l of lines) line(l);
    }
  } finally {
    closeSync(fd);
  }
  return carry;
}
