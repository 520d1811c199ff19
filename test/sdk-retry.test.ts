import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExponentialRetry, RetryConfig } from '../sim/model/config.js';
import { ClusterModel } from '../sim/model/cluster-model.js';
import { AZCORE_RETRY } from '../sim/model/sdk-retry.js';
import { group, model } from './helpers.js';

/** The cluster model of a one-cluster fleet with the given SDK retry and requeue backoff. */
function cluster(retry: RetryConfig = 'azcore', requeue = { baseDelay: 0.005, maxDelay: 1000 }): ClusterModel {
  const m = model({ fleet: [group({ clusters: 1, secretSyncs: 1 })] });
  return new ClusterModel({ ...m, client: { ...m.client, retry, requeue: { ...m.client.requeue, ...requeue } } });
}

test('azcore: delay before retry n is (2^n - 1) x 800 ms x U[0.8, 1.3), three retries', () => {
  const c = cluster();
  c.retryDelay(0, 1, NaN, { seedHash: 11, trialWord: 3 });
  for (let n = 1; n <= 3; n++) {
    const base = (2 ** n - 1) * 0.8;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const d = c.retryDelay(0, n, NaN);
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    assert.ok(lo >= base * 0.8 && lo < base * 0.82, `retry ${n}: min ${lo}`);
    assert.ok(hi < base * 1.3 && hi > base * 1.28, `retry ${n}: max ${hi}`);
  }
  assert.is(c.retryDelay(0, 4, NaN), -1, 'no fourth retry');
  assert.is(cluster('none').retryDelay(0, 1, NaN, { seedHash: 1, trialWord: 1 }), -1);
});

test('the computed delay is capped at maxDelay; Retry-After replaces it, above the cap it stops retries', () => {
  const policy: ExponentialRetry = { maxRetries: 10, baseDelay: 0.8, maxDelay: 60, jitter: [0.8, 1.3] };
  assert.is(cluster(policy).retryDelay(0, 8, NaN, { seedHash: 5, trialWord: 5 }), 60, '(2^8 - 1) x 0.8 s is over a minute');
  const c = cluster(AZCORE_RETRY);
  assert.is(c.retryDelay(0, 1, 7), 7);
  assert.is(c.retryDelay(0, 1, 60), 60);
  assert.is(c.retryDelay(0, 1, 61), -1);
});

test('requeue backoff: 5 ms doubling per consecutive failure, capped at 1000 s', () => {
  const c = cluster();
  const seq = [1, 2, 3, 4, 5].map((n) => c.requeueDelay(n));
  assert.equal(seq, [0.005, 0.01, 0.02, 0.04, 0.08]);
  assert.is(c.requeueDelay(18), 655.36);
  assert.is(c.requeueDelay(19), 1000);
  assert.is(c.requeueDelay(60), 1000);
});

test.run();
