/**
 * Shard i of n of a point's trials [0, trials): [floor(i T / n), floor((i + 1) T / n)). Every
 * trial is in exactly one shard, shards differ by at most one trial, and trial t draws from the
 * same streams whichever shard runs it (its streams are named by the seed and t alone).
 */
export function shardRange(index: number, count: number, trials: number): [from: number, to: number] {
  return [Math.floor((index * trials) / count), Math.floor(((index + 1) * trials) / count)];
}
