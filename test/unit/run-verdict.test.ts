import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitStatusOf } from '../../lambdas/cli/pipeline/collect-loop.js';
import { type RunSummary, runFailed } from '../../lambdas/core/run-summary.js';

const summary = (ok: number, noData: number, failed: number) =>
  ({ places: { asked: ok + noData + failed, ok, noData, failed } }) as RunSummary;

describe("a run's verdict, one for the fetcher and the command line", () => {
  for (const [ok, noData, failed, verdict] of [
    [121, 0, 0, 'completed'],
    [1, 0, 120, 'completed'],
    [0, 121, 0, 'completed'],
    [0, 1, 120, 'failed'],
    [0, 0, 121, 'failed'],
  ] as const) {
    it(`${ok} ok, ${noData} no data, ${failed} failed: ${verdict}`, () => {
      assert.equal(runFailed(summary(ok, noData, failed)), verdict === 'failed');
      assert.equal(exitStatusOf(summary(ok, noData, failed)), verdict === 'failed' ? 1 : 0);
    });
  }

  it('a run whose answers wait for the lake exits 1 however many places were collected', () => {
    const waiting = { ...summary(121, 0, 0), waiting: { places: 121, reason: 'lake not writable: ENOSPC' } };
    assert.equal(runFailed(waiting), false, 'not failed: its answers are kept');
    assert.equal(exitStatusOf(waiting), 1);
  });
});
