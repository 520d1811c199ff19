import { createRequire } from 'node:module';
import type { ModelConfig } from '../model/config.js';
import { DOCUMENTED_RISK, PER_SECOND_LIMIT } from '../model/defaults.js';

export { DOCUMENTED_RISK };

// @stdlib's normal quantile and Poisson CDF are required on first use, not imported, and from
// the bundle the build makes of them (sim/build-stdlib.mjs; stats.ts's quantiles say why).
const require = createRequire(import.meta.url);
type NormalQuantile = typeof import('@stdlib/stats-base-dists-normal-quantile');
type PoissonCdf = typeof import('@stdlib/stats-base-dists-poisson-cdf');
let distributions: { normalQuantile: NormalQuantile; poissonCdf: PoissonCdf } | null = null;

/** Loads the recipe's distribution functions now (a caller whose thread would otherwise wait). */
export function loadDistributions(): { normalQuantile: NormalQuantile; poissonCdf: PoissonCdf } {
  if (distributions === null) {
    const bundle = require('../../vendor/stdlib.cjs') as { normalQuantile: NormalQuantile; poissonCdf: PoissonCdf };
    distributions = { normalQuantile: bundle.normalQuantile, poissonCdf: bundle.poissonCdf };
  }
  return distributions;
}

/**
 * The SSE documentation's recipe for jitterSeconds (docs/model.md): the per-second count
 * of clusters fetching is taken as Poisson; Wilson-Hilferty gives the largest mean whose chance
 * of exceeding k = limit / S clusters in a second is the acceptable risk.
 */
export function recipeJitterSeconds(clusters: number, secretsPerCluster: number, risk = DOCUMENTED_RISK, perSecondLimit = PER_SECOND_LIMIT): number {
  if (recipeOutOfDomain(secretsPerCluster, risk, perSecondLimit)) return NaN;
  const z = Math.abs(loadDistributions().normalQuantile(risk, 0, 1));
  const k = perSecondLimit / secretsPerCluster;
  const lambda = k * (1 - 1 / (9 * k) - z / (3 * Math.sqrt(k))) ** 3;
  return clusters / lambda;
}

/**
 * Why the recipe gives no jitter for this fleet, or '' when it does. It spreads whole clusters
 * over seconds: a cluster's S GETs land in one second, so with S above the limit no jitter
 * helps. And Wilson-Hilferty's cube has a root only when 1 - 1/(9k) - z/(3 sqrt k) > 0 for
 * k = limit / S: with too few clusters allowed per second the formula cannot reach the risk
 * (its answer would be negative).
 */
export function recipeOutOfDomain(secretsPerCluster: number, risk = DOCUMENTED_RISK, perSecondLimit = PER_SECOND_LIMIT): string {
  const k = perSecondLimit / secretsPerCluster;
  if (k < 1) return `one cluster's ${secretsPerCluster} GETs in one second are more than the ${perSecondLimit}/s limit: no cluster jitter spreads them`;
  const z = Math.abs(loadDistributions().normalQuantile(risk, 0, 1));
  if (1 - 1 / (9 * k) - z / (3 * Math.sqrt(k)) <= 0) {
    return `with ${secretsPerCluster} GETs per cluster only ${Math.floor(k)} clusters fit in a second: the recipe's Poisson approximation cannot reach risk ${risk}`;
  }
  return '';
}

/** The recipe's check: P(a second exceeds floor(k) clusters) = 1 - PoissonCDF(floor(k); N / J). */
export function recipeExceedProbability(clusters: number, secretsPerCluster: number, jitterSeconds: number, perSecondLimit = PER_SECOND_LIMIT): number {
  const k = Math.floor(perSecondLimit / secretsPerCluster);
  // No jitter: every cluster fetches in the same second.
  if (jitterSeconds <= 0) return clusters > k ? 1 : 0;
  return 1 - loadDistributions().poissonCdf(k, clusters / jitterSeconds);
}

/** The documentation's table rounds the recipe to two significant digits, then to whole seconds. */
export function documentedRounding(jitterSeconds: number): number {
  return Math.round(Number(jitterSeconds.toPrecision(2)));
}

/** The documentation's basic method: the jitter that keeps the worst refresh P + J within a bound. */
export function basicJitterSeconds(longestAcceptableRefresh: number, rotationPollIntervalInSeconds: number): number {
  return longestAcceptableRefresh - rotationPollIntervalInSeconds;
}

/**
 * summary.csv's analytic columns for a point (docs/model.md, first fleet group): the
 * recipe's recommendation at the documented risk, unrounded, and its Poisson estimate of a
 * second over the limit at the point's jitter.
 */
export function analyticColumns(model: ModelConfig): Array<[string, number]> {
  const g = model.fleet[0];
  const secrets = g.secretSyncs * g.objectsPerSync;
  const limit = model.metrics.perSecondLimit;
  return [
    ['analyticJitterSeconds', recipeJitterSeconds(g.clusters, secrets, DOCUMENTED_RISK, limit)],
    ['analyticPSecondOver', recipeExceedProbability(g.clusters, secrets, g.jitterSeconds, limit)],
  ];
}

/** Why analyticJitterSeconds is empty for a point ('' when it has a value): an extension column. */
export function analyticNote(model: ModelConfig): string {
  const g = model.fleet[0];
  return recipeOutOfDomain(g.secretSyncs * g.objectsPerSync, DOCUMENTED_RISK, model.metrics.perSecondLimit);
}
