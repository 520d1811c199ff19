import type { TrialCollector } from '../../metrics/trial-collector.js';

/**
 * Convergence of the tracked rollout: the time from its start until every SecretSync it edited
 * has succeeded since. The largest of their first successes, so the order in which clusters
 * report does not matter; a trial where one never succeeds has no convergence.
 */
export class ConvergenceProbe {
  private awaited = 0;
  private done = 0;
  private last = -Infinity;

  /** Start of the tracked rollout (NaN: none). */
  constructor(readonly start: number) {}

  reset(): void {
    this.awaited = 0;
    this.done = 0;
    this.last = -Infinity;
  }

  /** n more SecretSyncs the rollout edits. */
  await(n: number): void {
    this.awaited += n;
  }

  /** An awaited SecretSync succeeded at t. */
  succeeded(t: number): void {
    this.done++;
    if (t > this.last) this.last = t;
  }

  /** n awaited SecretSyncs succeeded, the last of them at t (as n calls of `succeeded`). */
  succeededMany(n: number, t: number): void {
    this.done += n;
    if (t > this.last) this.last = t;
  }

  finish(collector: TrialCollector): void {
    if (this.awaited > 0 && this.done === this.awaited) collector.converged(this.last - this.start);
  }
}
