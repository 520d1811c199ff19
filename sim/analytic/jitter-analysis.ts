import { refreshOverProbability, secondOverProbability } from './exact.js';
import { documentedRounding, recipeExceedProbability, recipeJitterSeconds } from './recipe.js';

/** A fleet as the documented recipe sees it. */
export interface RecipeFleet {
  clusters: number;
  secretsPerCluster: number;
  perSecondLimit: number;
}

/** The analytic numbers of one fleet at one jitterSeconds. */
export interface JitterAnalysis {
  /** Clusters in one second that fill the per-second limit: floor(limit / S). */
  threshold: number;
  /** The documentation's P(exceed): 1 - PoissonCDF(floor(k); N / J). */
  poisson: number;
  /** Exact P(a given second holds more than `threshold` clusters): binomial. */
  exactSecond: number;
  /** Exact P(any second of the refresh window [0, J) does): the maximum of a multinomial. */
  exactRefresh: number;
  /** Exact per-second probability if each SecretSync jitters on its own (S single GETs per cluster). */
  perSyncSecond: number;
}

/** The recipe's recommendation at `risk`: unrounded, and rounded as the documentation's table is. */
export function recommendation(fleet: RecipeFleet, risk: number): { recipe: number; documented: number; poissonAtRecipe: number } {
  const recipe = recipeJitterSeconds(fleet.clusters, fleet.secretsPerCluster, risk, fleet.perSecondLimit);
  return {
    recipe,
    documented: documentedRounding(recipe),
    poissonAtRecipe: recipeExceedProbability(fleet.clusters, fleet.secretsPerCluster, recipe, fleet.perSecondLimit),
  };
}

export function analyseJitter(fleet: RecipeFleet, jitterSeconds: number): JitterAnalysis {
  const { clusters, secretsPerCluster: s, perSecondLimit } = fleet;
  const threshold = Math.floor(perSecondLimit / s);
  return {
    threshold,
    poisson: recipeExceedProbability(clusters, s, jitterSeconds, perSecondLimit),
    exactSecond: secondOverProbability(clusters, jitterSeconds, threshold),
    exactRefresh: refreshOverProbability(clusters, jitterSeconds, threshold),
    perSyncSecond: secondOverProbability(clusters * s, jitterSeconds, Math.floor(perSecondLimit)),
  };
}
