import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { scenarioJsonSchema } from '../sim/scenario/schema.js';
import { cli } from './cli-runner.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shipped = join(root, 'scenarios/scenario.schema.json');
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(shipped, 'utf8')));

test('scenarios/scenario.schema.json is what sim schema prints (regenerate: sim schema > scenarios/scenario.schema.json)', () => {
  const r = spawnSync(process.execPath, [cli, 'schema'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, readFileSync(shipped, 'utf8'));
  assert.equal(JSON.parse(r.stdout), scenarioJsonSchema());
});

test('the JSON Schema accepts every scenario in scenarios/, each of which names it for editors', () => {
  const files = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 10);
  for (const f of files) {
    const text = readFileSync(join(root, 'scenarios', f), 'utf8');
    assert.ok(text.startsWith('# yaml-language-server: $schema=./scenario.schema.json\n'), `${f} names the schema`);
    assert.ok(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the JSON Schema refuses a misspelt key, a wrong type, a bad duration; accepts compound durations', () => {
  const base = { name: 'x', fleet: [{ clusters: 10, secretSyncs: 2 }] };
  assert.ok(validate(base), JSON.stringify(validate.errors));
  assert.not.ok(validate({ ...base, trails: 5 }), 'a typo at the top');
  assert.not.ok(validate({ ...base, fleet: [{ clusters: 10, secretSyncs: 2, jitterSecs: 5 }] }), 'a typo in a group');
  assert.not.ok(validate({ ...base, trials: 'many' }), 'a wrong type');
  assert.not.ok(validate({ ...base, horizon: '2 hours' }), 'a duration the tool does not read');
  assert.ok(validate({ ...base, horizon: '1h30m', fleet: [{ clusters: 10, secretSyncs: 2, jitterSeconds: '2m 30s' }] }), JSON.stringify(validate.errors));
});

test.run();
