import { load, loadAll, YAMLException } from 'js-yaml';
import { UserError } from '../scenario/errors.js';

/**
 * The Secret Store Extension's objects in one manifest file: SecretProviderClass, SecretSync,
 * AKVSync and the extension's settings (`az k8s-extension show/list -o json`), each reduced to
 * what decides a cluster's GETs. Lists (`kubectl get ... -o yaml`) are opened; other kinds are
 * counted by kind. A document that does not parse is a UserError naming the file and line.
 */

/** What a SecretProviderClass fetches: the vault and GETs per reconcile. */
export interface ProviderClass {
  namespace: string;
  name: string;
  provider: string;
  vault: string;
  /** GETs per reconcile: each object once, or objectVersionHistory times. */
  gets: number;
  /** The spec as canonical JSON: a change of the class changes every SecretSync that uses it. */
  print: string;
  where: string;
}

/** A SecretSync, written or generated from an AKVSync entry (which carries its own vault and GETs). */
export interface SyncObject {
  namespace: string;
  name: string;
  className: string;
  generated: { vault: string; gets: number } | null;
  print: string;
  where: string;
}

export interface ExtensionSettings {
  rotationPollIntervalInSeconds: number | null;
  jitterSeconds: number | null;
  where: string;
}

export interface ManifestContents {
  classes: ProviderClass[];
  syncs: SyncObject[];
  settings: ExtensionSettings[];
  /** Documents of other kinds, by kind. */
  others: Map<string, number>;
  /** Files read into it. */
  files: number;
}

/** The words a file must contain to be parsed: a file that names none of them holds nothing of SSE's. */
const MENTIONS = /SecretProviderClass|SecretSync|AKVSync|configurationSettings|\bList\b/;

/** Helm templates and other unrendered files: `{{` is not YAML. */
export const TEMPLATE = /\{\{/;

export function mentionsSse(text: string): boolean {
  return MENTIONS.test(text);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nodes a spec may print to: aliases can make a small document huge (or, with a cycle, endless). */
const MAX_PRINT_NODES = 100_000;

/** Object keys in sorted order, so that the same spec prints the same whatever its key order. */
export function canonical(v: unknown, where = ''): string {
  let nodes = 0;
  const path = new Set<unknown>();
  const walk = (x: unknown): string => {
    if (++nodes > MAX_PRINT_NODES) throw new UserError(`${where}: more than ${MAX_PRINT_NODES.toLocaleString('en-US')} values (YAML aliases?)`);
    if (typeof x !== 'object' || x === null) return JSON.stringify(x) ?? 'null';
    if (path.has(x)) throw new UserError(`${where}: a YAML alias refers to itself`);
    path.add(x);
    const out = Array.isArray(x) ? `[${x.map(walk).join(',')}]` : `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${walk((x as Obj)[k])}`).join(',')}}`;
    path.delete(x);
    return out;
  };
  return walk(v);
}

/** YAML (js-yaml: a tree of manifests is parsed several times faster than with the scenario's parser). */
function parseYaml(text: string, many: true): unknown[];
function parseYaml(text: string, many: false): unknown;
function parseYaml(text: string, many: boolean): unknown {
  return many ? loadAll(text, { maxAliases: 100 }) : load(text, { maxAliases: 100 });
}

/** The line each document of a multi-document YAML text starts on (its "---", or line 1). */
export function documentLines(text: string): number[] {
  const starts: number[] = [];
  let content = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^---(\s|$)/.test(line)) {
      if (starts.length === 0 && content) starts.push(1);
      starts.push(i + 1);
    } else if (!content && !/^\s*(#.*)?$/.test(line) && !line.startsWith('%')) {
      content = true;
    }
  }
  if (starts.length === 0) starts.push(1);
  return starts;
}

export function readManifest(file: string, text: string, into: ManifestContents): void {
  if (file.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1;
      throw new UserError(`${file}:${line}: JSON syntax: ${(e as Error).message.split('\n')[0]}`);
    }
    take(value, `${file}:1`, into, 0);
    return;
  }
  let docs: unknown[];
  try {
    docs = parseYaml(text, true);
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    throw new UserError(`${file}:${(e.mark?.line ?? 0) + 1}: YAML syntax: ${e.reason}`);
  }
  const lines = documentLines(text);
  docs.forEach((doc, i) => take(doc, `${file}:${lines[i] ?? 1}`, into, 0));
}

function take(value: unknown, where: string, into: ManifestContents, depth: number): void {
  if (value === null || value === undefined) return;
  // A List in a List is as deep as real output goes; deeper is an alias cycle.
  if (depth > 4) throw new UserError(`${where}: lists nested more than 4 deep (a YAML alias cycle?)`);
  // `az k8s-extension list -o json`: an array of extensions.
  if (Array.isArray(value)) {
    for (const v of value) take(v, where, into, depth + 1);
    return;
  }
  if (!isObj(value)) return;
  if (isObj(value.configurationSettings) || (typeof value.extensionType === 'string' && /secretstore/i.test(value.extensionType))) {
    if (typeof value.extensionType === 'string' && !/secretstore/i.test(value.extensionType)) return other(into, `extension ${value.extensionType}`);
    into.settings.push(extensionSettings(value, where));
    return;
  }
  const kind = typeof value.kind === 'string' ? value.kind : '(no kind)';
  const api = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    if (!Array.isArray(value.items)) throw new UserError(`${where}: a List without items`);
    for (const item of value.items) take(item, where, into, depth + 1);
    return;
  }
  // What SSE generated from an AKVSync (kubectl get prints it beside the AKVSync) is counted from the AKVSync.
  if ((kind === 'SecretProviderClass' || kind === 'SecretSync') && ownedByAkvSync(value)) return other(into, `${kind} generated by an AKVSync`);
  if (kind === 'SecretProviderClass' && api.startsWith('secrets-store.csi.x-k8s.io/')) into.classes.push(providerClass(value, where));
  else if (kind === 'SecretSync' && api.startsWith('secret-sync.x-k8s.io/')) into.syncs.push(secretSync(value, where));
  else if (kind === 'AKVSync' && api.startsWith('secret-sync.x-k8s.io/')) into.syncs.push(...akvSync(value, where));
  else other(into, kind);
}

function ownedByAkvSync(v: Obj): boolean {
  const owners = isObj(v.metadata) ? v.metadata.ownerReferences : undefined;
  return Array.isArray(owners) && owners.some((o) => isObj(o) && o.kind === 'AKVSync');
}

function other(into: ManifestContents, kind: string): void {
  into.others.set(kind, (into.others.get(kind) ?? 0) + 1);
}

function meta(v: Obj, kind: string, where: string): { namespace: string; name: string; spec: Obj } {
  const m = isObj(v.metadata) ? v.metadata : {};
  if (typeof m.name !== 'string' || m.name === '') throw new UserError(`${where}: ${kind} without metadata.name`);
  const namespace = typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : 'default';
  if (!isObj(v.spec)) throw new UserError(`${where}: ${kind} ${namespace}/${m.name}: spec is missing`);
  return { namespace, name: m.name, spec: v.spec };
}

/** A whole number of at least `min` from a number or a numeric string (the extension's settings are strings). */
function wholeOf(v: unknown, min: number, what: string): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new UserError(`${what}: expected a whole number of at least ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function providerClass(v: Obj, where: string): ProviderClass {
  const { namespace, name, spec } = meta(v, 'SecretProviderClass', where);
  const what = `${where}: SecretProviderClass ${namespace}/${name}`;
  const provider = typeof spec.provider === 'string' ? spec.provider : '';
  const print = canonical(spec, where);
  if (provider !== 'azure') return { namespace, name, provider, vault: '', gets: 0, print, where };
  const p = isObj(spec.parameters) ? spec.parameters : {};
  if (typeof p.keyvaultName !== 'string' || p.keyvaultName === '') throw new UserError(`${what}: parameters.keyvaultName is missing`);
  if (typeof p.objects !== 'string') throw new UserError(`${what}: parameters.objects: expected a string holding a YAML "array:" of objects`);
  let objects: unknown;
  try {
    objects = parseYaml(p.objects, false);
  } catch (e) {
    throw new UserError(`${what}: parameters.objects: YAML syntax: ${e instanceof YAMLException ? e.reason : (e as Error).message.split('\n')[0]}`);
  }
  const array = isObj(objects) ? objects.array : undefined;
  if (!Array.isArray(array) || array.length === 0) throw new UserError(`${what}: parameters.objects: expected an "array:" of at least one object`);
  let gets = 0;
  array.forEach((entry, i) => {
    let o: unknown = entry;
    if (typeof entry === 'string') {
      try {
        o = parseYaml(entry, false);
      } catch (e) {
        throw new UserError(`${what}: parameters.objects array[${i}]: YAML syntax: ${e instanceof YAMLException ? e.reason : (e as Error).message.split('\n')[0]}`);
      }
    }
    if (!isObj(o) || typeof o.objectName !== 'string') throw new UserError(`${what}: parameters.objects array[${i}]: expected objectName`);
    gets += o.objectVersionHistory === undefined ? 1 : Math.max(1, wholeOf(o.objectVersionHistory, 0, `${what}: ${o.objectName}: objectVersionHistory`));
  });
  return { namespace, name, provider, vault: vaultName(p.keyvaultName), gets, print, where };
}

/** A vault's name as AKV compares them: without case (kv-Prod and kv-prod are one vault). */
const vaultName = (name: string) => name.toLowerCase();

function secretSync(v: Obj, where: string): SyncObject {
  const { namespace, name, spec } = meta(v, 'SecretSync', where);
  if (typeof spec.secretProviderClassName !== 'string' || spec.secretProviderClassName === '') throw new UserError(`${where}: SecretSync ${namespace}/${name}: spec.secretProviderClassName is missing`);
  return { namespace, name, className: spec.secretProviderClassName, generated: null, print: canonical(spec, where), where };
}

/**
 * An AKVSync's SecretSyncs: each entry of spec.objects is one Kubernetes Secret (named by
 * kubernetesSecretName, else by the AKV object), so entries that share a name are one SecretSync
 * of several objects; an entry's version history (objectVersionHistory or versionHistory)
 * counts that many GETs.
 */
function akvSync(v: Obj, where: string): SyncObject[] {
  const { namespace, name, spec } = meta(v, 'AKVSync', where);
  const what = `${where}: AKVSync ${namespace}/${name}`;
  if (typeof spec.keyvaultName !== 'string' || spec.keyvaultName === '') throw new UserError(`${what}: spec.keyvaultName is missing`);
  if (!Array.isArray(spec.objects) || spec.objects.length === 0) throw new UserError(`${what}: spec.objects: expected a list of at least one object`);
  const secrets = new Map<string, { gets: number; entries: unknown[] }>();
  spec.objects.forEach((o, i) => {
    if (!isObj(o) || typeof o.secretInAKV !== 'string' || o.secretInAKV === '') throw new UserError(`${what}: spec.objects[${i}]: expected secretInAKV`);
    const target = typeof o.kubernetesSecretName === 'string' && o.kubernetesSecretName !== '' ? o.kubernetesSecretName : o.secretInAKV;
    const history = o.objectVersionHistory ?? o.versionHistory;
    const gets = history === undefined ? 1 : Math.max(1, wholeOf(history, 0, `${what}: spec.objects[${i}]: version history`));
    const s = secrets.get(target) ?? { gets: 0, entries: [] };
    s.gets += gets;
    s.entries.push(o);
    secrets.set(target, s);
  });
  return [...secrets].map(([target, s]) => ({
    namespace,
    name: `${name}/${target}`,
    className: '',
    generated: { vault: vaultName(spec.keyvaultName as string), gets: s.gets },
    print: canonical({ keyvaultName: spec.keyvaultName, objects: s.entries }, where),
    where,
  }));
}

function extensionSettings(v: Obj, where: string): ExtensionSettings {
  const c = isObj(v.configurationSettings) ? v.configurationSettings : {};
  const read = (key: string, min: number) => (c[key] === undefined ? null : wholeOf(c[key], min, `${where}: configurationSettings.${key}`));
  return { rotationPollIntervalInSeconds: read('rotationPollIntervalInSeconds', 1), jitterSeconds: read('jitterSeconds', 0), where };
}
