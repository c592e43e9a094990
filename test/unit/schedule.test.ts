import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSlot, runOnSchedule } from '../../lambdas/cli/pipeline/schedule.js';

describe('schedule', () => {
  it('finds the next :00, :20 or :40 strictly after a time', () => {
    assert.equal(nextSlot(new Date('2026-07-16T14:07:31Z')).toISOString(), '2026-07-16T14:20:00.000Z');
    assert.equal(nextSlot(new Date('2026-07-16T14:20:00Z')).toISOString(), '2026-07-16T14:40:00.000Z');
    assert.equal(nextSlot(new Date('2026-07-16T14:59:59.999Z')).toISOString(), '2026-07-16T15:00:00.000Z');
  });

  it('aligns to Seoul time: 23:40 KST is followed by 00:00 KST of the next day', () => {
    // 2026-07-16T14:40Z is 23:40 in Seoul.
    assert.equal(nextSlot(new Date('2026-07-16T14:41:00Z')).toISOString(), '2026-07-16T15:00:00.000Z');
  });

  it('runs at start for the current minute, then at every slot, until stopped', async () => {
    let clock = Date.parse('2026-07-16T14:07:31Z');
    const runs: string[] = [];
    const stop = new AbortController();
    await runOnSchedule({
      signal: stop.signal,
      now: () => new Date(clock),
      runAt: async (at) => {
        runs.push(at.toISOString());
        if (runs.length === 3) stop.abort();
        // Time passes: jump to just after the next slot would start waiting for it.
        clock = Math.max(clock, at.getTime()) + 1_000;
      },
      sleepFor: async (ms) => {
        clock += ms;
      },
    });
    assert.deepEqual(runs, [
      '2026-07-16T14:07:00.000Z',
      '2026-07-16T14:20:00.000Z',
      '2026-07-16T14:40:00.000Z',
    ]);
  });

  it('skips slots that a long run overran, and says which', async () => {
    let clock = Date.parse('2026-07-16T14:00:10Z');
    const runs: string[] = [];
    const skipped: string[] = [];
    const stop = new AbortController();
    await runOnSchedule({
      signal: stop.signal,
      now: () => new Date(clock),
      onSkipped: (slots) => skipped.push(...slots.map((s) => s.toISOString())),
      runAt: async (at) => {
        runs.push(at.toISOString());
        if (runs.length === 1) clock = Date.parse('2026-07-16T14:45:00Z'); // the first run took 45 minutes
        if (runs.length === 2) stop.abort();
      },
      sleepFor: async (ms) => {
        clock += ms;
      },
    });
    assert.deepEqual(runs, ['2026-07-16T14:00:00.000Z', '2026-07-16T15:00:00.000Z']);
    assert.deepEqual(skipped, ['2026-07-16T14:20:00.000Z', '2026-07-16T14:40:00.000Z']);
  });

  it('stops while waiting when the signal aborts', async (t) => {
    // The real wait (a timer), on a clock the test controls: 14:07:31 waits 12 min 29 s for 14:20.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const stop = new AbortController();
    let runs = 0;
    const waiting: string[] = [];
    const schedule = runOnSchedule({
      signal: stop.signal,
      now: () => new Date('2026-07-16T14:07:31Z'),
      runAt: async () => void runs++,
      onWaiting: (next) => waiting.push(next.toISOString()),
    });
    while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(60_000);
    stop.abort();
    await schedule;
    assert.equal(runs, 1);
    assert.deepEqual(waiting, ['2026-07-16T14:20:00.000Z']);
  });
});
