import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addDrift,
  answerDrift,
  describeFields,
  type FieldsRead,
  NO_DRIFT,
} from '../../lambdas/core/field-drift.js';
import { sampleRecord } from '../support/envelopes.js';

/** What the population dataset reads, written out by hand from API.md (the oracle, not the schema). */
const READS: FieldsRead = {
  record: [
    'AREA_NM',
    'AREA_CD',
    'AREA_CONGEST_LVL',
    'AREA_CONGEST_MSG',
    'AREA_PPLTN_MIN',
    'AREA_PPLTN_MAX',
    'MALE_PPLTN_RATE',
    'FEMALE_PPLTN_RATE',
    ...[0, 10, 20, 30, 40, 50, 60, 70].map((band) => `PPLTN_RATE_${band}`),
    'RESNT_PPLTN_RATE',
    'NON_RESNT_PPLTN_RATE',
    'REPLACE_YN',
    'PPLTN_TIME',
    'FCST_YN',
  ],
  lists: { FCST_PPLTN: ['FCST_TIME', 'FCST_CONGEST_LVL', 'FCST_PPLTN_MIN', 'FCST_PPLTN_MAX'] },
};
const YEOUIDO = sampleRecord('samples/citydata_ppltn_POI072_yeouido_2026-07-16T2310.json');
const NO_FORECAST = sampleRecord(
  'samples/citydata_ppltn_POI009_gwanghwamun-deoksugung_2026-09-07T2035_no-forecast-array.json',
);
const OF_2024 = sampleRecord('samples/citydata_ppltn_POI009_gwanghwamun-deoksugung_2024-01-31T2230.xml');

describe('API drift: the fields an answer carries against the fields the schema reads', () => {
  it('finds nothing in the recorded answers of 2024 and 2026 that carry every field', () => {
    assert.deepEqual(answerDrift(YEOUIDO, READS), { unknown: [], missing: [] });
    assert.deepEqual(answerDrift(OF_2024, READS), { unknown: [], missing: [] });
  });

  it('names the forecast list the 2026-09 answer came without', () => {
    assert.deepEqual(answerDrift(NO_FORECAST, READS), { unknown: [], missing: ['FCST_PPLTN'] });
  });

  it('names new fields in the record and inside the forecast entries, and fields that went missing', () => {
    const changed = {
      ...YEOUIDO,
      AREA_PPLTN_AVG: '45000',
      PPLTN_TIME: '',
      FCST_PPLTN: (YEOUIDO.FCST_PPLTN as Record<string, string>[]).map((entry, i) =>
        i === 0 ? { ...entry, FCST_PPLTN_AVG: '39000' } : { ...entry, FCST_CONGEST_LVL: undefined },
      ),
    };
    assert.deepEqual(answerDrift(changed, READS), {
      unknown: ['AREA_PPLTN_AVG', 'FCST_PPLTN[].FCST_PPLTN_AVG'],
      missing: ['FCST_PPLTN[].FCST_CONGEST_LVL', 'PPLTN_TIME'],
    });
  });

  it('counts per run the answers and fields of each kind, and says them most frequent first', () => {
    const withNew = { ...YEOUIDO, AREA_PPLTN_AVG: '1', EXTRA: 'x' };
    const run = [withNew, withNew, { ...YEOUIDO, EXTRA: 'y' }, NO_FORECAST, YEOUIDO].reduce(
      (total, record) => addDrift(total, answerDrift(record, READS)),
      NO_DRIFT,
    );
    assert.equal(run.answers, 5);
    assert.equal(run.answersWithUnknown, 3);
    assert.equal(run.answersWithMissing, 1);
    assert.equal(
      describeFields(run.unknown, run.answers),
      'EXTRA in 3 of 5 answer(s), AREA_PPLTN_AVG in 2 of 5 answer(s)',
    );
    assert.equal(describeFields(run.missing, run.answers), 'FCST_PPLTN in 1 of 5 answer(s)');
  });

  it('is not fooled by odd values: a list that is not one, entries that are not objects', () => {
    assert.deepEqual(answerDrift({ ...YEOUIDO, FCST_PPLTN: 'none' }, READS), { unknown: [], missing: [] });
    assert.deepEqual(answerDrift({ ...YEOUIDO, FCST_PPLTN: [null, 3, 'x'] }, READS), {
      unknown: [],
      missing: [],
    });
    assert.deepEqual(answerDrift({}, READS).missing.length, READS.record.length + 1);
  });
});
