import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../scenario/errors.js';
import { mentionsSse, readManifest, TEMPLATE, type ManifestContents } from './manifests.js';

/**
 * A tree of manifests read cluster by cluster. Which cluster a file belongs to: by default the
 * folder under a `clusters/` folder, else the first folder under the tree's root; with
 * `clusterFrom`, a regular expression on the path below the root (its first group, else the
 * whole match). Files are read one at a time and only their SSE objects kept, so memory grows
 * with the objects, not the files. Symbolic links and hidden folders (.git) are not followed.
 */
export interface FleetTree {
  clusters: Map<string, ManifestContents>;
  counts: { files: number; parsed: number; templates: number; outside: number };
}

/** A manifest larger than this is refused: a GitOps file is kilobytes. */
export const MAX_MANIFEST_BYTES = 16 << 20;
const MANIFEST = /\.(ya?ml|json)$/i;

export function clusterOf(rel: string, clusterFrom: RegExp | null): string | null {
  const path = rel.split(sep).join('/');
  if (clusterFrom) {
    const m = clusterFrom.exec(path);
    return m ? (m[1] ?? m[0]) || null : null;
  }
  const parts = path.split('/');
  // A `clusters` folder with a folder under it (not the file itself).
  const at = parts.length >= 3 ? parts.lastIndexOf('clusters', parts.length - 3) : -1;
  if (at >= 0) return parts[at + 1];
  return parts.length >= 2 ? parts[0] : null;
}

export function readFleetTree(roots: string[], clusterFrom: RegExp | null): FleetTree {
  const tree: FleetTree = { clusters: new Map(), counts: { files: 0, parsed: 0, templates: 0, outside: 0 } };
  for (const root of roots) {
    let kind;
    try {
      kind = lstatSync(root);
    } catch {
      throw new UserError(`${root}: no such folder`);
    }
    if (!kind.isDirectory()) throw new UserError(`${root}: not a folder (give the folder that holds the clusters' manifests)`);
    const stack = [root];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const entries = unreadable(dir, () => readdirSync(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory()) {
          if (!e.name.startsWith('.')) stack.push(path);
        } else if (e.isFile() && MANIFEST.test(e.name)) {
          readFile(tree, root, path, clusterFrom);
        }
      }
    }
  }
  return tree;
}

/** A folder or file the tree holds but this user may not read: one line, not a stack. */
function unreadable<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new UserError(`${path}: cannot be read (${code})`);
  }
}

const buffer = Buffer.allocUnsafe(MAX_MANIFEST_BYTES + 1);

function readFile(tree: FleetTree, root: string, path: string, clusterFrom: RegExp | null): void {
  tree.counts.files++;
  // Read into one buffer, at most a byte past the limit: no stat per file, and a huge file is
  // refused without being read whole.
  const fd = unreadable(path, () => openSync(path, 'r'));
  let size = 0;
  try {
    for (let n; size <= MAX_MANIFEST_BYTES && (n = readSync(fd, buffer, size, buffer.length - size, null)) > 0; ) size += n;
  } finally {
    closeSync(fd);
  }
  if (size > MAX_MANIFEST_BYTES) throw new UserError(`${path}: over ${MAX_MANIFEST_BYTES / 2 ** 20} MiB; a manifest that large is refused`);
  const text = buffer.toString('utf8', 0, size);
  if (!mentionsSse(text)) return;
  if (TEMPLATE.test(text)) {
    tree.counts.templates++;
    return;
  }
  const cluster = clusterOf(relative(root, path), clusterFrom);
  if (cluster === null) {
    tree.counts.outside++;
    return;
  }
  tree.counts.parsed++;
  let contents = tree.clusters.get(cluster);
  if (!contents) {
    contents = { classes: [], syncs: [], settings: [], others: new Map(), files: 0 };
    tree.clusters.set(cluster, contents);
  }
  contents.files++;
  readManifest(path, text, contents);
}
