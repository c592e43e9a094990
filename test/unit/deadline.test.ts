import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { RUN_FINISH_MARGIN_MS, runFinishLine } from '../../lambdas/core/collection-run.js';
import { deadlineSignal, pause, untilAborted, within } from '../../lambdas/core/deadline.js';
import { KafkaTimeoutError } from '../../lambdas/core/kafka/kafka-error.js';

/** Waiting with an end (issue 18, item 8), on a clock the test moves: no wall-clock waits. */
describe('deadlines on a clock the test controls', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  const never = () => new Promise<never>(() => undefined);

  it('deadlineSignal aborts at its time, not a millisecond before, with its reason; zero or less is aborted already', () => {
    const signal = deadlineSignal(5_000, () => new Error('time is up'));
    mock.timers.tick(4_999);
    assert.equal(signal.aborted, false);
    mock.timers.tick(1);
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as Error).message, 'time is up');
    for (const ms of [0, -1, -60_000]) assert.equal(deadlineSignal(ms, () => new Error('x')).aborted, true);
  });

  it('untilAborted gives up on work that never ends when the signal aborts, and passes through work that ends first', async () => {
    const signal = deadlineSignal(1_000, () => new Error('gave up'));
    const waiting = untilAborted(never(), signal);
    mock.timers.tick(1_000);
    await assert.rejects(waiting, /gave up/);
    assert.equal(
      await untilAborted(
        Promise.resolve(7),
        deadlineSignal(1_000, () => new Error('x')),
      ),
      7,
    );
    await assert.rejects(
      untilAborted(
        Promise.reject(new Error('own failure')),
        deadlineSignal(1_000, () => new Error('x')),
      ),
      /own failure/,
    );
    await assert.rejects(untilAborted(Promise.resolve(1), signal), /gave up/, 'aborted already');
  });

  it('within rejects with its own reason after its time, or the outer signal first, whichever comes first', async () => {
    const mine = within(never(), 2_000, () => new Error('no answer in 2 s'));
    mock.timers.tick(2_000);
    await assert.rejects(mine, /no answer in 2 s/);

    const outer = deadlineSignal(500, () => new Error("the run's end"));
    const theirs = within(never(), 2_000, () => new Error('no answer in 2 s'), outer);
    mock.timers.tick(500);
    await assert.rejects(theirs, /the run's end/);

    assert.equal(await within(Promise.resolve('answer'), 2_000, () => new Error('x')), 'answer');
  });

  it('pause waits its time, or rejects as soon as the signal aborts', async () => {
    let done = false;
    const waited = pause(50, undefined).then(() => {
      done = true;
    });
    mock.timers.tick(49);
    await Promise.resolve();
    assert.equal(done, false);
    mock.timers.tick(1);
    await waited;
    assert.equal(done, true);
    const signal = deadlineSignal(10, () => new Error('stop'));
    const cut = pause(60_000, signal);
    mock.timers.tick(10);
    await assert.rejects(cut, /stop/);
  });

  it("the run's finish line is RUN_TIMEOUT_MS + 4 s after it is drawn, its reason a Kafka timeout that says so", () => {
    assert.equal(RUN_FINISH_MARGIN_MS, 4_000);
    for (const runTimeoutMs of [1_000, 30_000, 120_000]) {
      const finish = runFinishLine(runTimeoutMs);
      mock.timers.tick(runTimeoutMs + 3_999);
      assert.equal(finish.aborted, false, `${runTimeoutMs}`);
      mock.timers.tick(1);
      assert.equal(finish.aborted, true, `${runTimeoutMs}`);
      assert.ok(finish.reason instanceof KafkaTimeoutError);
      assert.equal(finish.reason.unconfirmed, false);
      assert.equal(finish.reason.message, "Kafka did not answer before the run's end (RUN_TIMEOUT_MS + 4 s)");
    }
  });
});
