import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recipeExceedProbability, recipeJitterSeconds } from '../sim/analytic/recipe.js';

test('the documentation\'s worked example: 700 x 30 at risk 1e-4 gives 190 s and P(exceed) 0.0034%', () => {
  const j = recipeJitterSeconds(700, 30, 1e-4);
  assert.is(Math.round(j / 10) * 10, 190);
  assert.is(Number((recipeExceedProbability(700, 30, j) * 100).toFixed(4)), 0.0034);
  // At 760 s: 0.00000000015%.
  assert.is(Number((recipeExceedProbability(700, 30, 760) * 100).toPrecision(2)), 1.5e-10);
});

test('the table cell the 2000x20 scenario uses: 270 s (to two significant digits)', () => {
  assert.is(Number(recipeJitterSeconds(2000, 20).toPrecision(2)), 270);
  assert.is(recipeExceedProbability(2000, 20, 0), 1, 'no jitter: every second of the instant is over');
});

test.run();
