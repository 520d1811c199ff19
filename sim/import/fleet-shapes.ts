import { UserError } from '../scenario/errors.js';
import { POLL_INTERVAL_SECONDS } from '../model/defaults.js';
import type { FleetTree } from './fleet-tree.js';
import type { ManifestContents, ProviderClass, SyncObject } from './manifests.js';

/**
 * A tree's clusters reduced to shapes: clusters with the same settings and the same SecretSyncs
 * (vault, GETs per reconcile, edited by the change or not) are one shape with a count. A
 * SecretSync of a class whose provider is not azure sends nothing to a vault.
 */

/** A cluster's SecretSyncs of one kind: the same vault, GETs per reconcile, and edited or not. */
export interface SyncKind {
  vault: string;
  gets: number;
  changed: boolean;
  count: number;
}

export interface ClusterShape {
  rotationPollIntervalInSeconds: number;
  jitterSeconds: number;
  kinds: SyncKind[];
  clusters: string[];
  /** Files with SSE objects its clusters were read from. */
  files: number;
}

export interface ImportedFleet {
  shapes: ClusterShape[];
  /** Clusters with no SecretSync that reads a vault. */
  idle: string[];
  unusedClasses: number;
  /** SecretProviderClasses by provider other than azure. */
  otherProviders: Map<string, number>;
  others: Map<string, number>;
}

const key = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;

/** What each SecretSync of a cluster reads and its print (its spec with its class's); a missing class is an error. */
function resolveCluster(cluster: string, c: ManifestContents, strict: boolean): Map<string, { sync: SyncObject; vault: string; gets: number; print: string } | null> {
  const classes = new Map<string, ProviderClass>();
  for (const k of c.classes) {
    const was = classes.get(key(k));
    if (was && strict) throw new UserError(`cluster ${cluster}: SecretProviderClass ${key(k)} is defined twice (${was.where} and ${k.where})`);
    classes.set(key(k), k);
  }
  const out = new Map<string, { sync: SyncObject; vault: string; gets: number; print: string } | null>();
  for (const s of c.syncs) {
    const was = out.get(key(s));
    if (was !== undefined && strict) throw new UserError(`cluster ${cluster}: SecretSync ${key(s)} is defined twice (${was?.sync.where ?? 'another file'} and ${s.where})`);
    if (s.generated) {
      out.set(key(s), { sync: s, ...s.generated, print: s.print });
      continue;
    }
    const k = classes.get(`${s.namespace}/${s.className}`);
    if (!k) {
      if (strict) throw new UserError(`${s.where}: SecretSync ${key(s)} of cluster ${cluster} names SecretProviderClass ${s.className}, which is not in that cluster's namespace ${s.namespace}`);
      continue;
    }
    out.set(key(s), k.provider === 'azure' ? { sync: s, vault: k.vault, gets: k.gets, print: `${s.print}|${k.print}` } : null);
  }
  return out;
}

function settingsOf(cluster: string, c: ManifestContents): { poll: number; jitter: number } {
  const [first, ...rest] = c.settings;
  for (const s of rest) {
    if (s.rotationPollIntervalInSeconds !== first.rotationPollIntervalInSeconds || s.jitterSeconds !== first.jitterSeconds) {
      throw new UserError(`cluster ${cluster}: the extension's settings disagree (${first.where} and ${s.where})`);
    }
  }
  return { poll: first?.rotationPollIntervalInSeconds ?? POLL_INTERVAL_SECONDS, jitter: first?.jitterSeconds ?? 0 };
}

/**
 * The fleet of `tree`; with `before` (the tree before a change), a SecretSync is edited by the
 * change when it is new or its spec or its class's differ; without, every SecretSync is.
 */
export function fleetShapes(tree: FleetTree, before: FleetTree | null): ImportedFleet {
  const shapes = new Map<string, ClusterShape>();
  const fleet: ImportedFleet = { shapes: [], idle: [], unusedClasses: 0, otherProviders: new Map(), others: new Map() };
  const names = [...tree.clusters.keys()].sort();
  for (const cluster of names) {
    const c = tree.clusters.get(cluster)!;
    for (const [k, n] of c.others) fleet.others.set(k, (fleet.others.get(k) ?? 0) + n);
    const { poll, jitter } = settingsOf(cluster, c);
    const syncs = resolveCluster(cluster, c, true);
    const old = before?.clusters.get(cluster);
    const oldSyncs = old ? resolveCluster(cluster, old, false) : new Map();
    const used = new Set([...syncs.values()].flatMap((s) => (s && !s.sync.generated ? [`${s.sync.namespace}/${s.sync.className}`] : [])));
    for (const k of c.classes) {
      if (k.provider !== 'azure') fleet.otherProviders.set(k.provider || '(none)', (fleet.otherProviders.get(k.provider || '(none)') ?? 0) + 1);
      else if (!used.has(key(k))) fleet.unusedClasses++;
    }
    const kinds = new Map<string, SyncKind>();
    for (const [name, s] of syncs) {
      if (!s) continue;
      const changed = before === null || oldSyncs.get(name)?.print !== s.print;
      const id = `${s.vault}\u0000${s.gets}\u0000${changed}`;
      const kind = kinds.get(id) ?? { vault: s.vault, gets: s.gets, changed, count: 0 };
      kind.count++;
      kinds.set(id, kind);
    }
    if (kinds.size === 0) {
      fleet.idle.push(cluster);
      continue;
    }
    const sorted = [...kinds.values()].sort((a, b) => (a.vault !== b.vault ? (a.vault < b.vault ? -1 : 1) : a.gets !== b.gets ? a.gets - b.gets : Number(b.changed) - Number(a.changed)));
    const id = `${poll}|${jitter}|${sorted.map((k) => `${k.vault}:${k.gets}:${k.changed}:${k.count}`).join(',')}`;
    const shape = shapes.get(id) ?? { rotationPollIntervalInSeconds: poll, jitterSeconds: jitter, kinds: sorted, clusters: [], files: 0 };
    shape.clusters.push(cluster);
    shape.files += c.files;
    shapes.set(id, shape);
  }
  fleet.shapes = [...shapes.values()].sort((a, b) => b.clusters.length - a.clusters.length || (a.clusters[0] < b.clusters[0] ? -1 : 1));
  return fleet;
}
