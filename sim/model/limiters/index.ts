import type { LimiterConfig } from '../config.js';
import { FixedWindow } from './fixed-window.js';
import type { Limiter } from './limiter.js';
import { SlidingWindow } from './sliding-window.js';
import { TokenBucket } from './token-bucket.js';

export type { Limiter } from './limiter.js';

export function createLimiter(config: LimiterConfig): Limiter {
  switch (config.kind) {
    case 'token-bucket':
      return new TokenBucket(config.capacity, config.refillPerSecond);
    case 'fixed-window':
      return new FixedWindow(config.limit, config.window, config.phase);
    case 'sliding-window':
      return new SlidingWindow(config.limit, config.window);
  }
}
