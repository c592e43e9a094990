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

  it('sleeps for the time asked, on a clock the test controls', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let woke = false;
    const sleeping = sleep(10_000).then(() => {
      woke = true;
    });
    t.mock.timers.tick(9_999);
    await Promise.resolve();
    assert.equal(woke, false);
    t.mock.timers.tick(1);
    await sleeping;
    assert.equal(woke, true);
  });

  it('stops sleeping when the run is aborted, long before its time', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const controller = new AbortController();
    const sleeping = sleep(10_000, controller.signal);
    t.mock.timers.tick(20);
    controller.abort(new Error('run over'));
    await assert.rejects(sleeping, /run over/);
    // and an already aborted signal never starts the wait
    await assert.rejects(sleep(10_000, controller.signal), /run over/);
  });
});
