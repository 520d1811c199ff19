import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { explainKey } from '../sim/scenario/explain.js';
import { KEY_DOCS } from '../sim/scenario/key-docs.js';
import { parseScenario } from '../sim/scenario/load.js';
import { scenarioJsonSchema } from '../sim/scenario/schema.js';
import { sim } from './cli-runner.js';

interface Node {
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  description?: string;
}

/** Every key of the JSON Schema, as a path without indices. */
function schemaKeys(node: Node, path = '', out = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const p = path ? `${path}.${name}` : name;
    out.add(p);
    schemaKeys(child, p, out);
  }
  for (const n of [...(node.items ? [node.items] : []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) schemaKeys(n, path, out);
  return out;
}

test('every scenario key has a description, unit and example, and every description names a key', () => {
  const keys = schemaKeys(scenarioJsonSchema() as Node);
  const docs = new Set(Object.keys(KEY_DOCS));
  assert.equal([...keys].filter((k) => !docs.has(k)), [], 'keys without a description');
  assert.equal([...docs].filter((k) => !keys.has(k)), [], 'descriptions of no key');
  // The JSON Schema carries them, so an editor shows them.
  const schema = scenarioJsonSchema() as Node;
  const over = schema.properties!.events.items!.oneOf!.find((v) => v.properties!.over)!.properties!.over;
  assert.ok(over.description!.startsWith(KEY_DOCS['events.over'].text), over.description);
});

test("a description's default is the one the loader applies (the same model with the key left out)", () => {
  // A scenario with every container a key can sit in; each documented default is set in turn.
  const base = () => ({
    name: 'x',
    horizon: 3600,
    fleet: [{ clusters: 2, secretSyncs: 1 }],
    vaults: [{ name: 'kv', limiter: { kind: 'fixed-window' } }],
    subscription: { limiter: { kind: 'fixed-window' } },
    client: { requeue: {} },
    events: [{ kind: 'rollout', at: 1 }, { kind: 'outage', at: 1, duration: 5 }],
    metrics: {},
  });
  const model = (s: object) => JSON.stringify(parseScenario(stringify(s), 'x.yaml').points[0].model);
  let checked = 0;
  for (const [path, doc] of Object.entries(KEY_DOCS)) {
    if (doc.default === undefined) continue;
    const parts = path.split('.');
    const name = parts.pop()!;
    const value = /^-?[\d.]+$/.test(doc.default) ? Number(doc.default) : doc.default;
    // Each place the key can go (an array's elements in turn): the first that loads.
    const places = (o: Record<string, unknown>, rest: string[]): Array<Record<string, unknown>> => {
      if (rest.length === 0) return [o];
      const next = o[rest[0]];
      const items = Array.isArray(next) ? next : [next];
      return items.flatMap((n) => places(n as Record<string, unknown>, rest.slice(1)));
    };
    let same = false;
    for (let i = 0; !same && i < places(base() as unknown as Record<string, unknown>, parts).length; i++) {
      const without = base();
      const withKey = base();
      delete places(without as unknown as Record<string, unknown>, parts)[i][name];
      places(withKey as unknown as Record<string, unknown>, parts)[i][name] = value;
      try {
        same = model(withKey) === model(without);
      } catch {
        // Not a key of this element's kind: the next one.
      }
    }
    assert.ok(same, `${path}: default ${doc.default} is not the loader's`);
    checked++;
  }
  assert.ok(checked >= 10, `${checked} defaults checked`);
});

test('sim explain KEY: description, type, default, limits and an example; an object lists its keys; a bad key is one line, exit 2', () => {
  const over = sim('explain', 'events.over');
  assert.is(over.code, 0, over.stderr);
  assert.match(over.stdout, /^events\.over \(in the kind rollout\)\n/);
  assert.match(over.stdout, /wave w starts at at \+ w x over \/ waves/);
  assert.match(over.stdout, /type: a duration/);
  assert.match(over.stdout, /default: 0\n/);
  assert.match(over.stdout, /example: over: 20m/);
  assert.equal(explainKey(scenarioJsonSchema(), 'fleet.0.objectsPerSync').slice(2), ['  type: a whole number', '  default: 1', '  limits: at least 1, at most 65,535', '  example: objectsPerSync: 1']);
  assert.ok(explainKey(scenarioJsonSchema(), 'fleet.clusters').includes('  required'));
  const limiter = sim('explain', 'vaults.limiter').stdout;
  for (const k of ['kind', 'capacity', 'refillPerSecond', 'limit', 'window', 'phase']) assert.match(limiter, new RegExp(`\\n    ${k} +\\S`), k);
  assert.match(sim('explain').stdout, /^the scenario file \(YAML\):\n  name /);
  const bad = sim('explain', 'events.ovr');
  assert.is(bad.code, 2);
  assert.is(bad.stdout, '');
  assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /"events\.ovr" is not a scenario key; did you mean "events\.over"\?/);
});

test.run();
