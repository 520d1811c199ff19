/**
 * A fleet group's SecretSyncs split over vaults by share (`vault: {kv-a: 30%, kv-b: 70%}`).
 *
 * The split holds for the group, not per cluster: rounding each cluster's share x secretSyncs
 * on its own sends nothing to a 30% vault when clusters have one SecretSync. Each vault gets
 * its quota share x n of the group's n SecretSyncs rounded down or up (largest remainders, so
 * every vault is within one SecretSync, hence one SecretSync's GETs, of its share); a vault
 * whose quota is below one gets its SecretSync before the others' remainders are served, so
 * that no vault with a share goes without while the split allows. The SecretSyncs, cluster by
 * cluster, are then dealt out so that every prefix of the group follows the shares as closely
 * as the counts allow: clusters, whichever share of them an event names, see the same mix.
 */

/** Each vault's count of the group's n SecretSyncs; null when some vault with a share would get none. */
export function splitCounts(shares: readonly number[], n: number): number[] | null {
  const quota = shares.map((s) => s * n);
  const counts = quota.map((q) => Math.floor(q));
  let left = n - counts.reduce((a, b) => a + b, 0);
  // Remainders first to vaults with a share and no SecretSync, then by size; ties to the first.
  const order = shares
    .map((_, v) => v)
    .sort((a, b) => Number(counts[b] === 0 && shares[b] > 0) - Number(counts[a] === 0 && shares[a] > 0) || quota[b] - counts[b] - (quota[a] - counts[a]) || a - b);
  for (const v of order) {
    if (left <= 0) break;
    counts[v]++;
    left--;
  }
  return counts.every((c, v) => c > 0 || shares[v] === 0) ? counts : null;
}

/**
 * The vault (its position in `shares`) of each of the group's n SecretSyncs, in order: the next
 * one goes to the vault furthest behind its count's pace, ties to the first. Null as splitCounts.
 */
export function splitSecretSyncs(shares: readonly number[], n: number): Int32Array | null {
  const counts = splitCounts(shares, n);
  if (!counts) return null;
  const given = new Float64Array(counts.length);
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    let behind = -Infinity;
    for (let v = 0; v < counts.length; v++) {
      const d = (counts[v] * (j + 1)) / n - given[v];
      if (given[v] < counts[v] && d > behind + 1e-12) {
        best = v;
        behind = d;
      }
    }
    given[best]++;
    out[j] = best;
  }
  return out;
}
