import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SyncTable } from '../sim/model/sync-table.js';

/**
 * The packed SecretSync table: every field has a getter `name(s)` and a setter `setName(s, v)`.
 * Writing any field of one SecretSync must read back and must leave every field of every other
 * SecretSync, and every other field of its own, as they were: a slot written through the wrong
 * shift or offset lands in a neighbour's block or another field.
 */
type Table = Record<string, (s: number, v?: number) => number>;

const setters = Object.getOwnPropertyNames(SyncTable.prototype).filter((n) => /^set[A-Z]/.test(n));
const fields = setters.map((set) => set[3].toLowerCase() + set.slice(4));

/** A value that fits the field's slot (uint8 flags to float times) and differs from 0. */
const SAMPLES = [1, 2, 200, 255];

function snapshot(t: Table, syncs: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < syncs; s++) for (const f of fields) out.push(t[f](s));
  return out;
}

test('every field has a getter and a setter, and there are all twenty of them', () => {
  assert.is(fields.length, 20, fields.join(', '));
  for (const f of fields) assert.type((SyncTable.prototype as unknown as Table)[f], 'function', `getter ${f}`);
});

test('writing one field of one SecretSync changes that field and nothing else', () => {
  const syncs = 5;
  const table = new SyncTable(syncs) as unknown as Table & SyncTable;
  table.reset();
  // Distinct background values in every slot, so that an overwrite shows.
  let k = 0;
  for (let s = 0; s < syncs; s++) for (const f of fields) table[`set${f[0].toUpperCase()}${f.slice(1)}`](s, SAMPLES[k++ % SAMPLES.length]);
  for (let s = 0; s < syncs; s++) {
    for (const f of fields) {
      const before = snapshot(table, syncs);
      const value = table[f](s) === 3 ? 4 : 3;
      table[`set${f[0].toUpperCase()}${f.slice(1)}`](s, value);
      assert.is(table[f](s), value, `${f} of SecretSync ${s} reads back`);
      const after = snapshot(table, syncs);
      const changed = after.map((v, i) => (v === before[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(changed, [s * fields.length + fields.indexOf(f)], `writing ${f} of SecretSync ${s} changed only it`);
    }
  }
  table.reset();
  assert.ok(snapshot(table, syncs).every((v) => v === 0), 'reset: every field back to 0');
});

test.run();
