import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStream } from '../sim/engine/random.js';
import { requeueDelay } from '../sim/model/requeue-backoff.js';
import { AZCORE_RETRY, resolveRetry, retryDelay } from '../sim/model/sdk-retry.js';

test('azcore: delay before retry n is (2^n - 1) x 800 ms x U[0.8, 1.3), three retries', () => {
  const rng = new RandomStream('azcore');
  for (let n = 1; n <= 3; n++) {
    const base = (2 ** n - 1) * 0.8;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const d = retryDelay(AZCORE_RETRY, n, NaN, rng);
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
    }
    assert.ok(lo >= base * 0.8 && lo < base * 0.82, `retry ${n}: min ${lo}`);
    assert.ok(hi < base * 1.3 && hi > base * 1.28, `retry ${n}: max ${hi}`);
  }
  assert.is(retryDelay(AZCORE_RETRY, 4, NaN, rng), -1, 'no fourth retry');
  assert.is(retryDelay(resolveRetry('none'), 1, NaN, rng), -1);
});

test('the computed delay is capped at maxDelay; Retry-After replaces it, above the cap it stops retries', () => {
  const rng = new RandomStream('cap');
  const policy = { maxRetries: 10, baseDelay: 0.8, maxDelay: 60, jitter: [0.8, 1.3] as [number, number] };
  assert.is(retryDelay(policy, 8, NaN, rng), 60, '(2^8 - 1) x 0.8 s is over a minute');
  assert.is(retryDelay(AZCORE_RETRY, 1, 7, rng), 7);
  assert.is(retryDelay(AZCORE_RETRY, 1, 60, rng), 60);
  assert.is(retryDelay(AZCORE_RETRY, 1, 61, rng), -1);
});

test('requeue backoff: 5 ms doubling per consecutive failure, capped at 1000 s', () => {
  const seq = [1, 2, 3, 4, 5].map((n) => requeueDelay(n, 0.005, 1000));
  assert.equal(seq, [0.005, 0.01, 0.02, 0.04, 0.08]);
  assert.is(requeueDelay(18, 0.005, 1000), 655.36);
  assert.is(requeueDelay(19, 0.005, 1000), 1000);
  assert.is(requeueDelay(60, 0.005, 1000), 1000);
});

test.run();
