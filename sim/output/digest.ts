import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { forEachChunk } from './lines.js';

/** A data file's size and SHA-256, recorded when it is written and checked when it is read back. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** A file's digest, read a chunk at a time. */
export function fileDigest(path: string): FileDigest {
  const hash = createHash('sha256');
  let bytes = 0;
  forEachChunk(path, (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * A record file of writeFilesAtomically's set (run.json, shard.json), written after the data
 * files it names: the record with each one's digest (`files`), taken from the temporary files
 * just written, so that a reader can check the set it sits in.
 */
export function digestedRecord(record: object, names: readonly string[]): (path: string, written: ReadonlyMap<string, string>) => void {
  return (path, written) => {
    const files = Object.fromEntries(names.map((name) => [name, fileDigest(written.get(name)!)]));
    writeFileSync(path, `${JSON.stringify({ ...record, files }, null, 2)}\n`, { flag: 'wx' });
  };
}
