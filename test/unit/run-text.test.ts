import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historySlots, RUNS_PER_DAY } from '../../lambdas/cli/pipeline/history.js';
import { allFailedLine, formatRunSummary } from '../../lambdas/cli/run-text.js';
import type { RunSummary } from '../../lambdas/core/run-summary.js';

function summary(failures: { code: string; reason: string }[], ok = 0): RunSummary {
  return {
    runId: 'r1',
    collectedAt: '2026-11-25T13:00:00.000Z',
    simulated: false,
    places: { asked: failures.length + ok, ok, noData: 0, failed: failures.length },
    noData: [],
    failures,
    published: ok,
    durationMs: 1000,
  };
}
const codes = (n: number) => Array.from({ length: n }, (_, i) => `POI${String(i + 1).padStart(3, '0')}`);

describe('run summary for a person', () => {
  it('is one line when all 121 places fail for the same network reason', () => {
    const reason =
      'network error: fetch failed: getaddrinfo ENOTFOUND openapi.seoul.go.kr (after 4 attempts)';
    const text = formatRunSummary(summary(codes(121).map((code) => ({ code, reason }))));
    assert.match(
      text,
      new RegExp(`^ {2}API unreachable: all 121 places failed: ${reason.replace(/[()]/g, '\\$&')}$`, 'm'),
    );
    assert.doesNotMatch(text, /POI\d{3}/);
    assert.equal(text.split('\n').length, 5);
  });

  it('says "all failed" without "unreachable" when the API answered badly', () => {
    assert.equal(
      allFailedLine(summary(codes(3).map((code) => ({ code, reason: 'HTTP 500 (after 4 attempts)' })))),
      'all 3 places failed: HTTP 500 (after 4 attempts)',
    );
  });

  it('groups mixed failures by reason, most frequent first, with a few codes each', () => {
    const failures = [
      ...codes(7).map((code) => ({ code, reason: 'HTTP 500' })),
      { code: 'POI099', reason: 'unparseable JSON body' },
    ];
    const text = formatRunSummary(summary(failures, 10));
    assert.equal(allFailedLine(summary(failures, 10)), undefined);
    assert.match(
      text,
      /^ {4}failed \(7\): HTTP 500 — POI001, POI002, POI003, POI004, POI005 and 2 more\n {4}failed \(1\): unparseable JSON body — POI099$/m,
    );
  });

  it('shows the scheduled time in KST', () => {
    assert.match(formatRunSummary(summary([], 1)), /^run r1 for 2026-11-25 22:00 KST$/m);
  });
});

describe('history slots', () => {
  it('are 72 a day on :00/:20/:40, oldest first, ending at the latest slot not after now', () => {
    const slots = historySlots(new Date('2026-11-25T13:47:12Z'), 2);
    assert.equal(RUNS_PER_DAY, 72);
    assert.equal(slots.length, 144);
    assert.equal(slots.at(-1)?.toISOString(), '2026-11-25T13:40:00.000Z');
    assert.equal(slots[0]?.toISOString(), '2026-11-23T14:00:00.000Z');
    for (const [i, slot] of slots.entries()) {
      if (i > 0) assert.equal(slot.getTime() - (slots[i - 1] as Date).getTime(), 20 * 60_000);
    }
    assert.equal(
      historySlots(new Date('2026-11-25T13:40:00Z'), 1).at(-1)?.toISOString(),
      '2026-11-25T13:40:00.000Z',
    );
  });
});

describe('the API drift line of a run summary', () => {
  it('says nothing when the answers carry exactly what the schema reads', async () => {
    const { driftLine } = await import('../../lambdas/cli/run-text.js');
    assert.equal(
      driftLine({ answers: 3, answersWithUnknown: 0, answersWithMissing: 0, unknown: {}, missing: {} }),
      undefined,
    );
  });

  it('names the unknown and missing fields with how many answers had them, in one bounded line', async () => {
    const { driftLine } = await import('../../lambdas/cli/run-text.js');
    assert.equal(
      driftLine({
        answers: 121,
        answersWithUnknown: 121,
        answersWithMissing: 3,
        unknown: { AREA_PPLTN_AVG: 121 },
        missing: { FCST_PPLTN: 3 },
      }),
      'api fields: 1 unknown (AREA_PPLTN_AVG in 121 of 121 answer(s)), 1 missing (FCST_PPLTN in 3 of 121 answer(s))',
    );
    const many = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`F${String(i).padStart(2, '0')}\u001b[2J`, 1]),
    );
    const line =
      driftLine({ answers: 1, answersWithUnknown: 1, answersWithMissing: 0, unknown: many, missing: {} }) ??
      '';
    assert.match(line, /^api fields: 40 unknown \(F00.* and 35 more field\(s\)\), 0 missing$/);
    assert.ok(!line.includes('\u001b'), 'no control character reaches the terminal');
  });
});
