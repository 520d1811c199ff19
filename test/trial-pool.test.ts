import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenario } from '../sim/scenario/load.js';
import { TrialPool } from '../sim/run/trial-pool.js';
import { fixture } from './cli-runner.js';

const model = loadScenario(fixture, { trials: 2 }).points[1].model;

test('stream: batches handed on in trial order whatever order they finish in, two points at once', async () => {
  const pool = new TrialPool(2, 1);
  try {
    const seen: number[][] = [[], []];
    await Promise.all([0, 1].map((p) => pool.stream(model, 1, p, 0, 9, p, (b) => seen[p].push(b.from))));
    assert.equal(seen, [[0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 2, 3, 4, 5, 6, 7, 8]]);
  } finally {
    await pool.destroy();
  }
});

test('stream: a consumer that throws fails its stream, and leaks no place: the pool runs the next stream', async () => {
  const pool = new TrialPool(1, 1);
  try {
    let handed = 0;
    const failing = pool.stream(model, 1, 0, 0, 6, 0, (b) => {
      handed++;
      if (b.from === 2) throw new Error('disk full');
    });
    const error = await failing.then(() => null, (e: Error) => e);
    assert.match(String(error?.message), /disk full/);
    assert.ok(handed <= 3, 'no batch handed on after the failure');
    // Places are two per worker: a leak of even one would leave the next stream waiting forever.
    for (let round = 0; round < 3; round++) {
      const froms: number[] = [];
      await pool.stream(model, 1, 0, 0, 5, 0, (b) => froms.push(b.from));
      assert.equal(froms, [0, 1, 2, 3, 4]);
    }
  } finally {
    await pool.destroy();
  }
});

test.run();
