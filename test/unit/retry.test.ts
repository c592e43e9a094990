import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, sleep } from '../../lambdas/core/retry.js';

describe('back-off', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles the ceiling with every failed attempt, up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(policy, n, () => 0.999999)),
      [99, 199, 399, 799, 999, 999],
    );
  });

  it('spreads the delay uniformly below the ceiling (full jitter)', () => {
    assert.equal(
      backoffDelayMs(policy, 3, () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(policy, 3, () => 0.5),
      200,
    );
  });

  it('stops sleeping when the run is aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('run over')), 20);
    await assert.rejects(sleep(10_000, controller.signal), /run over/);
    assert.ok(Date.now() - started < 1_000);
  });
});
