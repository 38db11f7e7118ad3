/** The SDK's back-off is a copy of core's `backoffDelay` (the SDK imports nothing of ours at run time): they must agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '@ocrflow/core';
import { backoffMs } from '../src/index.ts';

test("the SDK's backoffMs gives core's backoffDelay for every attempt, limit and draw", () => {
  for (const [base, max] of [
    [250, 5000],
    [250, 4000],
    [1000, 30_000],
  ]) {
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const r of [0, 0.25, 0.5, 0.999]) {
        const draw = () => r;
        assert.equal(
          backoffMs(attempt, max, base, draw),
          backoffDelay(attempt, { baseDelayMs: base, maxDelayMs: max }, undefined, draw),
          `attempt ${attempt}, base ${base}, max ${max}, draw ${r}`,
        );
      }
    }
  }
});

test('backoffDelay: equal jitter under a doubling ceiling, Retry-After wins up to the longest wait', () => {
  const p = { baseDelayMs: 1000, maxDelayMs: 30_000 };
  assert.equal(
    backoffDelay(0, p, undefined, () => 0),
    500,
  );
  assert.equal(
    backoffDelay(0, p, undefined, () => 1),
    1000,
  );
  assert.equal(
    backoffDelay(3, p, undefined, () => 0),
    4000,
  );
  assert.equal(
    backoffDelay(10, p, undefined, () => 1),
    30_000,
  );
  assert.equal(
    backoffDelay(0, p, 2000, () => 0),
    2000,
  );
  assert.equal(
    backoffDelay(0, p, 2000, () => 1),
    2250,
  );
  assert.equal(
    backoffDelay(0, p, 120_000, () => 0),
    30_000,
  );
});
