import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readFleetTree, clusterOf } from '../sim/import/fleet-tree.js';
import { fleetShapes } from '../sim/import/fleet-shapes.js';
import { rolloutGets, scenarioText } from '../sim/import/scenario-text.js';
import { parseScenario } from '../sim/scenario/load.js';
import { markdownText, xmlText } from '../sim/output/review-files.js';
import { root, sim } from './cli-runner.js';
import { parse as parseYaml } from 'yaml';
import { parseArgs, type ImportArgs, type RunArgs } from '../sim/cli/args.js';

const spc = (name: string, vault: string, objects: string[], ns = 'app', provider = 'azure') => `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: ${name}, namespace: ${ns}}
spec:
  provider: ${provider}
  parameters:
    keyvaultName: ${vault}
    objects: |
      array:
${objects.map((o) => `        - |\n          objectName: ${o.split(':')[0]}\n          objectType: secret${o.includes(':') ? `\n          objectVersionHistory: ${o.split(':')[1]}` : ''}`).join('\n')}
`;
const sync = (name: string, cls: string, ns = 'app') => `apiVersion: secret-sync.x-k8s.io/v1alpha1
kind: SecretSync
metadata: {name: ${name}, namespace: ${ns}}
spec:
  serviceAccountName: sa
  secretProviderClassName: ${cls}
  secretObject: {type: Opaque, data: [{sourcePath: x, targetKey: x}]}
`;
const extension = (poll: number, jitter: number) => JSON.stringify({ name: 'sse', extensionType: 'microsoft.azure.secretstore', configurationSettings: { rotationPollIntervalInSeconds: String(poll), jitterSeconds: String(jitter) } });

/** A tree of files under a fresh folder: {relative path: text}. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-import-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** A shape's groups as the scenario has them: name -> [clusters, secretSyncs, objectsPerSync, vault, poll, jitter]. */
function groups(text: string): Record<string, unknown[]> {
  const s = parseScenario(text, 'imported.yaml');
  return Object.fromEntries(s.points[0].model.fleet.map((g) => [g.name, [g.clusters, g.secretSyncs, g.objectsPerSync, g.vaults[0], g.rotationPollIntervalInSeconds, g.jitterSeconds]]));
}

const SOURCE = { name: 't', roots: ['t'], before: null, version: 'test', files: 0, parsed: 0 };

test('multi-document files, Lists, JSON settings and AKVSync: each cluster read, identical clusters one group', () => {
  const two = [spc('a', 'kv-a', ['s1', 's2:3']), sync('x', 'a'), sync('y', 'a'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'].join('---\n');
  const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: secret-sync.x-k8s.io/v1alpha1\n  kind: AKVSync\n  metadata: {name: w, namespace: web}\n  spec:\n    keyvaultName: kv-b\n    objects:\n    - secretInAKV: tls\n    - {secretInAKV: user, kubernetesSecretName: db}\n    - {secretInAKV: pass, kubernetesSecretName: db}\n`;
  const dir = tree({
    'clusters/c1/app.yaml': two.replace('keyvaultName: kv-a', 'keyvaultName: KV-A'),
    'clusters/c1/ext.json': extension(1800, 90),
    'clusters/c2/deep/er/app.yml': two,
    'clusters/c2/ext.json': extension(1800, 90),
    'clusters/c3/get.yaml': list,
    'clusters/c3/unused.yaml': spc('nobody', 'kv-a', ['z']),
  });
  const t = readFleetTree([dir], null);
  const fleet = fleetShapes(t, null);
  assert.equal(fleet.shapes.map((s) => s.clusters), [['c1', 'c2'], ['c3']]);
  assert.is(fleet.unusedClasses, 1);
  assert.is(fleet.others.get('ConfigMap'), 2);
  // c1, c2: two SecretSyncs of class a (KV-A and kv-a are one vault: AKV's names have no case): objects s1 (1 GET) and s2 (3 versions) = 4 GETs, from the extension's settings.
  // c3: no settings (the extension's defaults 3600, 0); AKVSync: tls alone (1 GET), db of two objects (2 GETs).
  assert.equal(groups(scenarioText(fleet, SOURCE)), {
    s1: [2, 2, 4, 'kv-a', 1800, 90],
    's2-1': [1, 1, 1, 'kv-b', 3600, 0],
    's2-2': [1, 1, 2, 'kv-b', 3600, 0],
  });
  assert.equal(Object.fromEntries(rolloutGets(fleet)), { 'kv-a': 16, 'kv-b': 3 });
});

test('which cluster a file is: under clusters/, else the first folder; --cluster-from takes its first group', () => {
  assert.is(clusterOf('clusters/eu-1/a.yaml', null), 'eu-1');
  assert.is(clusterOf('fleet/clusters/eu-1/x/y/a.yaml', null), 'eu-1');
  assert.is(clusterOf('eu-2/a.yaml', null), 'eu-2');
  assert.is(clusterOf('a.yaml', null), null);
  assert.is(clusterOf('clusters/a.yaml', null), 'clusters');
  assert.is(clusterOf('env/prod/aks-7.yaml', /aks-\d+/), 'aks-7');
  assert.is(clusterOf('env/prod/aks-7/a.yaml', /prod\/([^/]+)\//), 'aks-7');
  assert.is(clusterOf('env/dev/a.yaml', /prod\/([^/]+)\//), null);
});

test('a SecretSync whose class is missing from its cluster and namespace is an error naming both', () => {
  const dir = tree({ 'clusters/c1/a.yaml': [spc('a', 'kv', ['s'], 'other'), sync('x', 'a')].join('---\n') });
  assert.throws(() => fleetShapes(readFleetTree([dir], null), null), /SecretSync app\/x of cluster c1 names SecretProviderClass a, which is not in that cluster's namespace app/);
});

test('a document that does not parse: one line with the file and line, exit 2, nothing written', () => {
  const dir = tree({ 'clusters/c1/a.yaml': `${sync('x', 'a')}---\nkind: SecretSync\nmetadata: {name: [\n` });
  const out = join(dir, 'out.yaml');
  const r = sim('import', dir, '--out', out);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^sim: .*clusters/c1/a\\.yaml:1[0-9]: YAML syntax`));
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.not.ok(existsSync(out));
  const json = tree({ 'clusters/c1/ext.json': '{"configurationSettings": {\n  "jitterSeconds": "60",\n}}' });
  const j = sim('import', json);
  assert.is(j.code, 2);
  assert.match(j.stderr, /ext\.json:3: JSON syntax/);
  // A setting that is not a number names its file and key.
  const bad = tree({ 'clusters/c1/ext.json': extension(3600, 0).replace('"0"', '"soon"'), 'clusters/c1/a.yaml': [spc('a', 'kv', ['s']), sync('x', 'a')].join('---\n') });
  assert.match(sim('import', bad).stderr, /ext\.json:1: configurationSettings\.jitterSeconds: expected a whole number of at least 0, got "soon"/);
});

test('alias cycles and alias bombs in a manifest are one line each, exit 2', () => {
  const head = 'apiVersion: secret-sync.x-k8s.io/v1alpha1\nkind: SecretSync\nmetadata: {name: x}\n';
  const bomb = `a: &a [1, 1]\n${['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcde'[i]}`).join(', ')}]`).join('\n')}\n${head}spec: {secretProviderClassName: a, x: *f}\n`;
  for (const [text, why] of [
    [`${head}spec: &a\n  secretProviderClassName: a\n  loop: *a\n`, /a YAML alias refers to itself/],
    ['kind: List\nitems: &i\n  - kind: List\n    items: *i\n', /lists nested more than 4 deep/],
    [bomb, /more than 100,000 values/],
  ] as const) {
    const r = sim('import', tree({ 'clusters/c1/a.yaml': text }));
    assert.is(r.code, 2);
    assert.match(r.stderr, why);
    assert.is(r.stderr.trim().split('\n').length, 1);
  }
});

test('another provider is a warning with a count; an existing --out is kept unless --force', () => {
  const dir = tree({ 'clusters/c1/a.yaml': [spc('a', 'kv', ['s']), sync('x', 'a'), spc('g', 'x', ['s'], 'app', 'gcp'), sync('y', 'g'), spc('h', 'x', ['s'], 'app', 'gcp')].join('---\n') });
  const r = sim('import', dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: SecretProviderClasses of providers other than azure \(gcp 2\)/);
  assert.equal(groups(r.stdout), { s1: [1, 1, 1, 'kv', 3600, 0] });
  const out = join(mkdtempSync(join(tmpdir(), 'sim-import-out-')), 'mine.yaml');
  writeFileSync(out, 'my own file\n');
  assert.is(sim('import', dir, '--out', out).code, 2);
  assert.is(readFileSync(out, 'utf8'), 'my own file\n');
  assert.is(sim('import', dir, '--out', out, '--force').code, 0);
  assert.is(readFileSync(out, 'utf8'), r.stdout);
});

test('--changed-since: the SecretSyncs whose spec or class changed are the rollout, the rest steady', () => {
  const before = { 'clusters/c1/a.yaml': [spc('a', 'kv', ['s']), sync('x', 'a'), sync('y', 'a'), spc('b', 'kv', ['t']), sync('z', 'b')].join('---\n') };
  const after = { 'clusters/c1/a.yaml': [spc('a', 'kv', ['s', 'u']), sync('x', 'a'), sync('y', 'a'), spc('b', 'kv', ['t']), sync('z', 'b'), sync('new', 'b')].join('---\n') };
  const old = readFleetTree([tree(before)], null);
  const fleet = fleetShapes(readFleetTree([tree(after)], null), old);
  const text = scenarioText(fleet, { ...SOURCE, before: 'old' });
  const s = parseScenario(text, 'imported.yaml').points[0].model;
  assert.is(s.start, 'steady');
  // x, y: their class gained an object (2 GETs); new: created; z: unchanged.
  const byName = Object.fromEntries(s.fleet.map((g) => [g.name, [g.secretSyncs, g.objectsPerSync]]));
  const edited = s.events.map((e) => (e.kind === 'rollout' && 'group' in e.clusters ? e.clusters.group : '?'));
  assert.equal(edited.map((g) => byName[g]).sort(), [[1, 1], [2, 2]]);
  assert.equal(Object.fromEntries(rolloutGets(fleet)), { kv: 5 });
  // Nothing changed: no rollout at all.
  const same = fleetShapes(readFleetTree([tree(after)], null), readFleetTree([tree(after)], null));
  assert.equal(parseScenario(scenarioText(same, { ...SOURCE, before: 'old' }), 'same.yaml').points[0].model.events, []);
});

test('the GETs of a rollout of an imported tree equal the count from the manifests, per vault', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-import-'));
  const scenario = join(dir, 'all.yaml');
  const r = sim('import', join(root, 'examples', 'gitops', 'head'), '--out', scenario);
  assert.is(r.code, 0, r.stderr);
  // By hand from examples/gitops/head: eu-1..3 read kv-payments with two SecretSyncs of class
  // payments-kv (3 objects, one with 2 versions: 4 GETs) and kv-shared with one of orders-kv (3
  // objects); us-1, us-2 read kv-shared with an AKVSync of 3 Secrets (1 + 1 + 2 GETs).
  const expected = { 'kv-payments': 3 * 2 * 4, 'kv-shared': 3 * 1 * 3 + 2 * (1 + 1 + 2) };
  assert.match(r.stderr, /GETs of the rollout per vault: kv-payments 24, kv-shared 17/);
  const out = join(dir, 'out');
  const run = sim('run', scenario, '--trials', '8', '--out', out, '--quiet');
  assert.is(run.code, 0, run.stderr);
  const row = (parse(readFileSync(join(out, 'summary.csv')), { columns: true }) as Record<string, string>[])[0];
  for (const [v, n] of Object.entries(expected)) {
    assert.is(Number(row[`vault.${v}.requests_lo`]), n, v);
    assert.is(Number(row[`vault.${v}.requests_hi`]), n, v);
  }
});

test('the worked example end to end: import the change, run with assertions, Markdown and JUnit for the pull request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-import-'));
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true });
  const scenario = join(dir, 'pr.yaml');
  const g = join(dir, 'examples', 'gitops');
  assert.is(sim('import', join(g, 'head'), '--changed-since', join(g, 'base'), '--out', scenario).code, 0);
  const text = readFileSync(scenario, 'utf8');
  assert.match(text, /start: steady/);
  assert.match(text, /edits 3 SecretSyncs of 15/);
  // Where each group came from: a few clusters and the files read.
  assert.match(text, /# shape 1: 3 clusters \(eu-1, eu-2, eu-3\), from 9 files\n/);
  assert.match(text, /# shape 2: 2 clusters \(us-1, us-2\), from 4 files\n/);
  const md = join(dir, 'review.md');
  const xml = join(dir, 'junit.xml');
  const pass = sim('run', scenario, '--trials', '20', '--out', join(dir, 'out'), '--quiet', '--set', 'assert=["throttledTrial_hi < 0.5", "vault.kv-shared.peak10s_mean < 1"]', '--export-markdown', md, '--junit', xml);
  // The second assertion fails (the rollout's 9 GETs and the steady polls exceed 1 in some 10 s): exit 1.
  assert.is(pass.code, 1, pass.stderr);
  const markdown = readFileSync(md, 'utf8');
  assert.match(markdown, /^### akv-fleet-sim: head \(FAIL: 1 of 2 assertions failed\)/);
  const table = markdown.split('\n').filter((l) => l.startsWith('| '));
  assert.equal(table.map((l) => l.split(' | ').length), [5, 5, 4, 4, 4]);
  assert.match(table[3], /^\| pass \| 0 \| throttledTrial\\_hi &#60; 0\.5 \| /);
  assert.match(table[4], /^\| \*\*FAIL\*\* \| 0 \| vault\.kv-shared\.peak10s\\_mean &#60; 1 \| \d/);
  assert.match(markdown, /identity [0-9a-f]{16}\), seed 1, 20 trials per point/);
  const junit = readFileSync(xml, 'utf8');
  assert.match(junit, /<testsuites name="akv-fleet-sim" tests="2" failures="1">/);
  const cases = [...junit.matchAll(/<testcase classname="([^"]*)" name="([^"]*)">([\s\S]*?)<\/testcase>/g)];
  assert.equal(cases.map((c) => c[2]), ['point 0: throttledTrial_hi &#60; 0.5', 'point 0: vault.kv-shared.peak10s_mean &#60; 1']);
  assert.is(cases[0][3], '');
  assert.match(cases[1][3], /<failure type="assertion" message="vault\.kv-shared\.peak10s_mean = [\d.]+, bound: &#60; 1"\/>/);
});

/** A shell command's words: quotes removed, $VAR and ${{ ... }} replaced by a placeholder. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  const text = command.replace(/\$\{\{[^}]*\}\}|\$[A-Z_]+/g, 'X');
  for (let m; (m = re.exec(text)) !== null; ) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

test('the CI workflow example: valid YAML whose sim commands parse (import with --changed-since, run with --export-markdown and --junit)', async () => {
  const workflow = parseYaml(readFileSync(join(root, 'examples', 'ci', 'github-actions.yml'), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
  const commands = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ?? '').split('&&').map((c) => c.trim()).filter((c) => c.startsWith('sim '))));
  const parsed = await Promise.all(commands.map((c) => parseArgs(shellWords(c).slice(1))));
  assert.equal(parsed.map((a) => a.command), ['import', 'run']);
  const [imp, run] = parsed as [ImportArgs, RunArgs];
  assert.ok(imp.changedSince !== undefined && imp.out !== undefined);
  assert.ok(run.exportMarkdown !== undefined && run.junit !== undefined && run.set.some((s) => s.startsWith('assert=')));
  assert.is(run.scenario, imp.out);
});

test('text from the scenario cannot break the Markdown or the XML', () => {
  assert.is(markdownText('a | b <script>x</script> [l](http://e) *e* `c`'), 'a \\| b &#60;script&#62;x&#60;/script&#62; \\[l\\](http://e) \\*e\\* \\`c\\`');
  assert.is(markdownText('# heading\nline'), '\\# heading line');
  assert.is(xmlText('a"b<c>&\u0001'), 'a&#34;b&#60;c&#62;&#38;');
});

test.run();
