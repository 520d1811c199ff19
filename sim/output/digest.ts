import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** A data file's size and SHA-256, recorded when it is written and checked when it is read back. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** A text's digest, as it will be written (UTF-8). */
export function textDigest(text: string): FileDigest {
  return { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
}

/** A file's digest, read in chunks: memory stays at one chunk whatever its size. */
export function fileDigest(path: string): FileDigest {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let got = readSync(fd, chunk); got > 0; got = readSync(fd, chunk)) {
      hash.update(chunk.subarray(0, got));
      bytes += got;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}
