import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { formatKstWallClock, kstFieldsToInstant, parseKstWallClock } from '../../lambdas/core/kst-time.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';

/** The collection of the 여의도 sample: 2026-07-16 23:20 KST. */
const COLLECTED = '2026-07-16T14:20:00Z';
const record = () => structuredClone(sampleRecord(SAMPLES.yeouido));

function reasons(changes: Record<string, unknown>): string[] {
  const result = normalizeEnvelope(envelopeFor({ ...record(), ...changes }, { collectedAt: COLLECTED }));
  return result.ok ? [] : result.reasons;
}

describe('times of an answer: never reinterpreted, refused outside the window', () => {
  it('reads every year as written: 0050 is year 50, not 1950, and formats back the same', () => {
    for (const text of [
      '0000-01-01 09:00',
      '0050-06-15 12:30',
      '0099-12-31 23:59',
      '1950-01-01 00:00',
      '9999-12-31 23:59',
    ]) {
      const instant = parseKstWallClock(text);
      assert.ok(instant, text);
      assert.equal(formatKstWallClock(instant), text);
    }
    // Hand computation: 0050-06-15 12:30 KST is 03:30 UTC that day; year 50 of the proleptic Gregorian calendar.
    assert.equal(parseKstWallClock('0050-06-15 12:30')?.toISOString(), '0050-06-15T03:30:00.000Z');
    assert.equal(
      kstFieldsToInstant({ year: 50, month: 6, day: 15 }).toISOString(),
      '0050-06-14T15:00:00.000Z',
    );
    assert.equal(
      kstFieldsToInstant({ year: 2026, month: 1, day: 61 }).toISOString(),
      '2026-03-01T15:00:00.000Z',
    );
  });

  it('refuses a PPLTN_TIME before the API existed, with the reason', () => {
    for (const time of [
      '0050-01-01 09:00',
      '0000-01-01 00:00',
      '1950-01-01 00:00',
      '1999-12-31 23:55',
      '2021-12-31 23:55',
    ])
      assert.deepEqual(reasons({ PPLTN_TIME: time }), [
        `PPLTN_TIME "${time}" is before the API existed (2022-01-01 00:00 KST)`,
      ]);
  });

  it('refuses a PPLTN_TIME more than a day after the collection, with the reason', () => {
    for (const time of ['2026-07-17 23:25', '2026-08-01 00:00', '2027-07-16 23:20', '9999-12-31 23:55'])
      assert.deepEqual(reasons({ PPLTN_TIME: time }), [
        `PPLTN_TIME "${time}" is more than a day after the collection (2026-07-16 23:20 KST)`,
      ]);
  });

  it("takes the edges of the window: the API's first day, and exactly a day after the collection", () => {
    for (const time of ['2022-01-01 00:00', '2026-07-17 23:20', '2026-07-16 22:50', '2024-02-29 12:00'])
      assert.deepEqual(reasons({ PPLTN_TIME: time, FCST_PPLTN: [] }), [], time);
  });

  it('refuses forecast times outside the same window, naming the entry', () => {
    const forecasts = record().FCST_PPLTN as Record<string, unknown>[];
    const changed = forecasts.map((f, i) =>
      i === 3
        ? { ...f, FCST_TIME: '9999-01-01 00:00' }
        : i === 5
          ? { ...f, FCST_TIME: '0050-01-01 00:00' }
          : f,
    );
    assert.deepEqual(reasons({ FCST_PPLTN: changed }), [
      'FCST_PPLTN[3].FCST_TIME "9999-01-01 00:00" is more than a day after the collection (2026-07-16 23:20 KST)',
      'FCST_PPLTN[5].FCST_TIME "0050-01-01 00:00" is before the API existed (2022-01-01 00:00 KST)',
    ]);
  });
});
