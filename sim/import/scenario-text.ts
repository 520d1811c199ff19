import type { ClusterShape, ImportedFleet, SyncKind } from './fleet-shapes.js';

/**
 * An imported fleet as a scenario file, with comments that say where each group came from. A
 * shape whose clusters hold SecretSyncs of several kinds (vaults, GETs per reconcile, edited or
 * not) becomes one group per kind with the shape's cluster count: the model then runs each
 * kind under a controller of its own (the one approximation of an import; see docs/import.md).
 */
export interface ScenarioSource {
  name: string;
  roots: string[];
  /** The tree before the change (--changed-since), or null: every SecretSync is edited at t = 0. */
  before: string | null;
  version: string;
  files: number;
  parsed: number;
}

/** Extra time after the last jitter for retries, requeues and convergence. */
export const HORIZON_MARGIN_SECONDS = 600;

/** A value from the manifests, quoted (YAML reads a JSON string as the same string). */
const quote = (s: string) => JSON.stringify(s);
/** Text from the manifests inside a comment: one line, printable. */
const inert = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function someNames(names: readonly string[], shown = 3): string {
  const head = names.slice(0, shown).map(inert).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

interface Group {
  name: string;
  shape: ClusterShape;
  kind: SyncKind;
}

function groupsOf(fleet: ImportedFleet): Group[] {
  return fleet.shapes.flatMap((shape, i) => shape.kinds.map((kind, j) => ({ name: shape.kinds.length === 1 ? `s${i + 1}` : `s${i + 1}-${j + 1}`, shape, kind })));
}

/** GETs a rollout of the edited SecretSyncs sends, per vault (each edited SecretSync's reconcile once). */
export function rolloutGets(fleet: ImportedFleet): Map<string, number> {
  const out = new Map<string, number>();
  for (const { shape, kind } of groupsOf(fleet)) {
    if (kind.changed) out.set(kind.vault, (out.get(kind.vault) ?? 0) + shape.clusters.length * kind.count * kind.gets);
  }
  return out;
}

export function scenarioText(fleet: ImportedFleet, src: ScenarioSource): string {
  const groups = groupsOf(fleet);
  const vaults = [...new Set(groups.map((g) => g.kind.vault))].sort();
  const clusters = fleet.shapes.reduce((n, s) => n + s.clusters.length, 0);
  const syncs = groups.reduce((n, g) => n + g.shape.clusters.length * g.kind.count, 0);
  const edited = groups.filter((g) => g.kind.changed);
  const editedSyncs = edited.reduce((n, g) => n + g.shape.clusters.length * g.kind.count, 0);
  const steady = src.before !== null;
  const maxJitter = Math.max(...groups.map((g) => g.shape.jitterSeconds));
  const horizon = Math.ceil((maxJitter + HORIZON_MARGIN_SECONDS) / 60) * 60;
  const lines: string[] = [
    `# Imported by sim import (akv-fleet-sim ${src.version}) from ${src.roots.map(inert).join(', ')}: ${count(src.files, 'manifest file')}, ${count(src.parsed, 'with Secret Store Extension objects', 'with Secret Store Extension objects')}.`,
    `# ${count(clusters, 'cluster')} in ${count(fleet.shapes.length, 'shape')}, ${count(syncs, 'SecretSync')}, ${count(vaults.length, 'vault')}. GETs per reconcile: every object of the`,
    '# SecretSync\'s SecretProviderClass, objectVersionHistory times where it is set (an AKVSync entry: its object).',
  ];
  if (steady) {
    lines.push(`# The change since ${inert(src.before!)} edits ${count(editedSyncs, 'SecretSync')} of ${syncs.toLocaleString('en-US')}: the fleet polls in steady state and the`);
    lines.push(edited.length > 0 ? '# CI rollout edits those at t = 0 (one rollout event per edited group below).' : '# change edits none, so there is no rollout.');
  } else {
    lines.push('# Every SecretSync is edited at t = 0 (start: rollout): a change to all of them (--changed-since: only what changed).');
  }
  lines.push(`# The horizon covers the longest jitter (${maxJitter} s) and ${HORIZON_MARGIN_SECONDS / 60} minutes for retries and requeues; the next polls fall after it.`);
  if (fleet.shapes.some((s) => s.kinds.length > 1)) {
    lines.push('# A shape whose clusters hold SecretSyncs of several kinds is one group per kind, with the shape\'s cluster count:');
    lines.push('# each kind then runs under a controller of its own (see docs/import.md).');
  }
  lines.push(`name: ${src.name}`);
  lines.push(`description: ${quote(`imported: ${count(clusters, 'cluster')}, ${count(syncs, 'SecretSync')}, ${count(vaults.length, 'vault')}${steady ? `; the change edits ${editedSyncs.toLocaleString('en-US')}` : ''}`)}`);
  lines.push(`horizon: ${horizon}`);
  lines.push(`start: ${steady ? 'steady' : 'rollout'}`);
  lines.push('fleet:');
  fleet.shapes.forEach((shape, i) => {
    lines.push(`  # shape ${i + 1}: ${count(shape.clusters.length, 'cluster')} (${someNames(shape.clusters)}), from ${count(shape.files, 'file')}`);
    for (const g of groups.filter((x) => x.shape === shape)) {
      lines.push(`  # ${g.name}: ${count(g.kind.count, 'SecretSync')} per cluster reading ${inert(g.kind.vault)}, ${count(g.kind.gets, 'GET')} per reconcile${steady ? (g.kind.changed ? ', edited by the change' : ', not edited') : ''}`);
      lines.push(`  - name: ${g.name}`);
      lines.push(`    clusters: ${shape.clusters.length}`);
      lines.push(`    secretSyncs: ${g.kind.count}`);
      lines.push(`    objectsPerSync: ${g.kind.gets}`);
      lines.push(`    vault: ${quote(g.kind.vault)}`);
      lines.push(`    rotationPollIntervalInSeconds: ${shape.rotationPollIntervalInSeconds}`);
      lines.push(`    jitterSeconds: ${shape.jitterSeconds}`);
    }
  });
  lines.push('# Each vault at the published limit (a token bucket of 4,000 GETs per 10 s); the subscription\'s cap is the default.');
  lines.push('vaults:');
  for (const v of vaults) lines.push(`  - name: ${quote(v)}`);
  if (steady && edited.length > 0) {
    lines.push('events:');
    for (const g of edited) lines.push(`  - {at: 0, kind: rollout, clusters: ${g.name}}`);
  }
  return `${lines.join('\n')}\n`;
}
