import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { readFleetTree } from '../import/fleet-tree.js';
import { fleetShapes } from '../import/fleet-shapes.js';
import { rolloutGets, scenarioText } from '../import/scenario-text.js';
import { parseScenario } from '../scenario/load.js';
import { UserError } from '../scenario/errors.js';
import { writeFilesAtomically } from '../output/output-folder.js';
import { toolVersion } from '../output/run-record.js';
import type { ImportArgs } from './args.js';

const tally = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/** `sim import`: a scenario from a tree of manifests (stdout, or --out); what was read on stderr. */
export function importCommand(args: ImportArgs): number {
  let clusterFrom: RegExp | null = null;
  if (args.clusterFrom !== undefined) {
    try {
      clusterFrom = new RegExp(args.clusterFrom);
    } catch (e) {
      throw new UserError(`--cluster-from: not a regular expression: ${(e as Error).message}`);
    }
  }
  if (args.out !== undefined && existsSync(args.out)) {
    if (statSync(args.out).isDirectory()) throw new UserError(`--out ${args.out}: is a folder; give the scenario file's path`);
    if (!args.force) throw new UserError(`--out ${args.out}: the file exists (--force replaces it)`);
  }
  const tree = readFleetTree(args.dirs, clusterFrom);
  const before = args.changedSince === undefined ? null : readFleetTree([args.changedSince], clusterFrom);
  const fleet = fleetShapes(tree, before);
  if (fleet.shapes.length === 0) {
    throw new UserError(`${args.dirs.join(', ')}: no SecretSync that reads an Azure Key Vault in ${tree.counts.files} manifest files (${tree.counts.parsed} with SSE objects, ${tree.counts.outside} outside a cluster folder${clusterFrom ? ' of --cluster-from' : ''})`);
  }
  const name = args.name ?? (basename(resolve(args.dirs[0])).replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'imported');
  const text = scenarioText(fleet, { name, roots: args.dirs, before: args.changedSince ?? null, version: toolVersion(), files: tree.counts.files, parsed: tree.counts.parsed });
  // What we write must be a scenario the tool runs: checked by the loader itself.
  parseScenario(text, args.out ?? '(imported scenario)');
  if (args.out === undefined) process.stdout.write(text);
  else writeFilesAtomically(dirname(resolve(args.out)), [[basename(args.out), text]]);
  if (!args.quiet) {
    const clusters = fleet.shapes.reduce((n, s) => n + s.clusters.length, 0);
    const gets = [...rolloutGets(fleet)].map(([v, n]) => `${v} ${n.toLocaleString('en-US')}`).join(', ');
    const lines = [`imported ${clusters} clusters in ${fleet.shapes.length} shapes from ${tree.counts.files} manifest files${args.out ? ` into ${args.out}` : ''}; GETs of the rollout per vault: ${gets || 'none (the change edits no SecretSync)'}`];
    if (fleet.idle.length > 0) lines.push(`note: ${fleet.idle.length} clusters read no vault (no SecretSync, or only other providers'): left out`);
    if (fleet.unusedClasses > 0) lines.push(`note: ${fleet.unusedClasses} SecretProviderClasses no SecretSync uses: they send nothing`);
    if (fleet.others.size > 0) lines.push(`note: documents of other kinds ignored: ${tally(fleet.others)}`);
    if (tree.counts.templates > 0) lines.push(`warning: ${tree.counts.templates} files hold templates ({{ }}) and were skipped: render them first (helm template, kustomize build)`);
    if (tree.counts.outside > 0) lines.push(`warning: ${tree.counts.outside} files with SSE objects lie outside any cluster folder and were skipped (see --cluster-from)`);
    if (fleet.otherProviders.size > 0) lines.push(`warning: SecretProviderClasses of providers other than azure (${tally(fleet.otherProviders)}): their SecretSyncs send nothing to a vault`);
    process.stderr.write(`${lines.join('\n')}\n`);
  }
  return 0;
}
