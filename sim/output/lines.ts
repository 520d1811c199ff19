import { closeSync, openSync, readSync } from 'node:fs';

/** Calls `chunk` with each megabyte of a file in order: memory stays at one chunk whatever its size. */
export function forEachChunk(file: string, chunk: (bytes: Buffer) => void): void {
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let got = readSync(fd, buffer); got > 0; got = readSync(fd, buffer)) chunk(buffer.subarray(0, got));
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `lines` with a text file's whole lines a chunk at a time (each call's text ends with a
 * line break). Returns the unterminated rest ('' when the file ends with a line break).
 */
export function forEachLineBlock(file: string, lines: (text: string) => void): string {
  let carry = '';
  forEachChunk(file, (bytes) => {
    const text = carry + bytes.toString('latin1');
    const end = text.lastIndexOf('\n') + 1;
    if (end > 0) lines(text.slice(0, end));
    carry = text.slice(end);
  });
  return carry;
}

/** Calls `line` for each line of a text file (without its line break); returns the unterminated rest, which `line` is not called for. */
export function forEachLine(file: string, line: (text: string) => void): string {
  return forEachLineBlock(file, (text) => {
    const all = text.split('\n');
    for (let i = 0; i < all.length - 1; i++) line(all[i]);
  });
}
