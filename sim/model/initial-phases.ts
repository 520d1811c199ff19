import type { RandomStream } from '../engine/random.js';

/**
 * A steady fleet's first consideration of a SecretSync polled every P + U[0, J): for the
 * inter-poll gap X = P + U[0, J), the stationary residual R has density P(X > r) / E[X]: with
 * probability P / (P + J/2), R ~ U[0, P); otherwise R = P + J(1 - sqrt(U)).
 */
export function steadyResidual(p: number, j: number, rng: RandomStream): number {
  return rng.uniform() * (p + j / 2) < p ? rng.uniform() * p : p + j * (1 - Math.sqrt(rng.uniform()));
}
