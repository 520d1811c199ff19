import { UserError } from '../scenario/errors.js';

/**
 * Field checks for a record the tool reads back (run.json, shard.json): untrusted input, from a
 * folder another machine or pod wrote. Each check returns the value typed or throws one line
 * naming the file and the field.
 */
export class RecordCheck {
  constructor(private readonly file: string) {}

  fail(field: string, want: string): never {
    throw new UserError(`${this.file}: ${field}: not ${want}; not a record this tool wrote`);
  }

  object(field: string, v: unknown): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'an object');
    return v as Record<string, unknown>;
  }

  list(field: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'a list');
    return v;
  }

  string(field: string, v: unknown): string {
    if (typeof v !== 'string') this.fail(field, 'a string');
    return v;
  }

  strings(field: string, v: unknown): string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) this.fail(field, 'a list of strings');
    return v as string[];
  }

  whole(field: string, v: unknown, least = 0): number {
    if (!Number.isSafeInteger(v) || (v as number) < least) this.fail(field, least > 0 ? `a whole number of at least ${least}` : 'a whole number');
    return v as number;
  }

  seconds(field: string, v: unknown): number {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) this.fail(field, 'a number of seconds');
    return v;
  }

  /** A file's size and SHA-256 (digest.ts). */
  digest(field: string, v: unknown): void {
    const f = this.object(field, v);
    this.whole(`${field}.bytes`, f.bytes);
    if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) this.fail(`${field}.sha256`, 'a SHA-256 in hex');
  }

  seed(field: string, v: unknown): number | string {
    if (typeof v !== 'string' && !Number.isFinite(v)) this.fail(field, 'a number or a string');
    return v as number | string;
  }
}
