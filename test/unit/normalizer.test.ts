import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';

const utc = (iso: string) => new Date(iso);

function normalized(payload: Record<string, unknown>, collectedAt?: string) {
  const result = normalizeEnvelope(envelopeFor(payload, collectedAt ? { collectedAt } : {}));
  if (!result.ok) assert.fail(`rejected: ${result.reasons.join('; ')}`);
  return result;
}

function reasonsFor(payload: Record<string, unknown>): string[] {
  const result = normalizeEnvelope(
    envelopeFor(payload, {
      place: { code: 'POI072', name: '여의도', englishName: 'Yeouido', category: '인구밀집지역' },
    }),
  );
  assert.equal(result.ok, false, 'expected a rejection');
  return result.ok ? [] : result.reasons;
}

const yeouido = () => structuredClone(sampleRecord(SAMPLES.yeouido));

describe('normalizer: recorded answers into typed rows', () => {
  it('turns the 여의도 answer into exactly the population row of the contract', () => {
    const { population, warnings } = normalized(yeouido());
    assert.deepEqual(warnings, []);
    assert.deepEqual(population, {
      collected_at: utc('2026-07-16T14:20:00Z'),
      fetched_at: utc('2026-07-16T14:20:01.250Z'),
      run_id: '20260716T1420Z-abcdef',
      area_code: 'POI072',
      area_name: '여의도',
      category: '발달상권',
      area_congest_level: '여유',
      area_congest_message:
        '사람이 몰려있을 가능성이 낮고 붐빔은 거의 느껴지지 않아요. 도보 이동이 자유로워요.',
      area_population_min: 44000,
      area_population_max: 46000,
      male_population_rate: 53.9,
      female_population_rate: 46.1,
      population_rate_0: 1.5,
      population_rate_10: 5.7,
      population_rate_20: 16.1,
      population_rate_30: 20.3,
      population_rate_40: 20.0,
      population_rate_50: 16.6,
      population_rate_60: 10.6,
      population_rate_70: 9.3,
      resident_population_rate: 56.8,
      non_resident_population_rate: 43.2,
      replace_yn: false,
      forecast_yn: true,
      // 2026-07-16 23:10 in Seoul is 14:10 UTC.
      population_time: utc('2026-07-16T14:10:00Z'),
    });
  });

  it('gives one forecast row per hour, KST wall clock turned into UTC instants', () => {
    const { forecasts } = normalized(yeouido());
    assert.equal(forecasts.length, 12);
    assert.deepEqual(forecasts[0], {
      collected_at: utc('2026-07-16T14:20:00Z'),
      area_code: 'POI072',
      population_time: utc('2026-07-16T14:10:00Z'),
      forecast_time: utc('2026-07-16T15:00:00Z'), // 2026-07-17 00:00 KST
      forecast_congest_level: '여유',
      forecast_population_min: 38000,
      forecast_population_max: 40000,
    });
    assert.deepEqual(forecasts[11]?.forecast_time, utc('2026-07-17T02:00:00Z'));
    assert.equal(forecasts[11]?.forecast_congest_level, '붐빔');
    assert.equal(forecasts[11]?.forecast_population_max, 165000);
  });

  it('treats a missing forecast array as no forecast, not as an error', () => {
    // Recorded at 20:35 KST on 2026-09-07; collected at 20:40.
    const { population, forecasts } = normalized(sampleRecord(SAMPLES.noForecast), '2026-09-07T11:40:00Z');
    assert.equal(population.forecast_yn, true);
    assert.deepEqual(forecasts, []);
  });

  it('treats an empty forecast array the same way', () => {
    assert.deepEqual(normalized({ ...yeouido(), FCST_PPLTN: [] }).forecasts, []);
  });

  it('normalizes the 2024 XML answer and the citydata answer as well', () => {
    assert.equal(
      normalized(sampleRecord(SAMPLES.xml2024)).population.population_time.toISOString(),
      '2024-01-31T13:30:00.000Z',
    );
    assert.equal(normalized(sampleRecord(SAMPLES.citydata, 'citydata')).forecasts.length, 12);
  });

  it('keeps an unknown congestion label but flags it', () => {
    const payload = yeouido();
    payload.AREA_CONGEST_LVL = '매우 혼잡';
    (payload.FCST_PPLTN as Record<string, string>[])[3] = {
      FCST_TIME: '2026-07-17 03:00',
      FCST_CONGEST_LVL: '?',
      FCST_PPLTN_MIN: '1',
      FCST_PPLTN_MAX: '2',
    };
    const { population, forecasts, warnings } = normalized(payload);
    assert.equal(population.area_congest_level, '매우 혼잡');
    assert.equal(forecasts[3]?.forecast_congest_level, '?');
    assert.deepEqual(warnings, [
      'AREA_CONGEST_LVL has an unknown congestion label: "매우 혼잡"',
      'FCST_PPLTN[3].FCST_CONGEST_LVL has an unknown congestion label: "?"',
    ]);
  });

  it('accepts the pre-2022 label 매우 붐빔 without a flag', () => {
    assert.deepEqual(normalized({ ...yeouido(), AREA_CONGEST_LVL: '매우 붐빔' }).warnings, []);
  });
});

describe('normalizer: rejections say why', () => {
  it('names missing fields', () => {
    const payload = yeouido();
    delete payload.AREA_PPLTN_MAX;
    payload.PPLTN_RATE_30 = '';
    assert.deepEqual(reasonsFor(payload), ['AREA_PPLTN_MAX is missing', 'PPLTN_RATE_30 is missing']);
  });

  it('names non-numeric numbers and non-string values', () => {
    assert.deepEqual(reasonsFor({ ...yeouido(), AREA_PPLTN_MIN: '4만' }), [
      'AREA_PPLTN_MIN is not a whole number: "4만"',
    ]);
    assert.deepEqual(reasonsFor({ ...yeouido(), MALE_PPLTN_RATE: 53.9 }), [
      'MALE_PPLTN_RATE is not a string: 53.9',
    ]);
    assert.deepEqual(reasonsFor({ ...yeouido(), FEMALE_PPLTN_RATE: '46,1' }), [
      'FEMALE_PPLTN_RATE is not a share between 0 and 100: "46,1"',
    ]);
  });

  it('refuses a minimum above the maximum', () => {
    assert.deepEqual(reasonsFor({ ...yeouido(), AREA_PPLTN_MIN: '47000' }), [
      'AREA_PPLTN_MIN 47000 is greater than AREA_PPLTN_MAX 46000',
    ]);
  });

  it('keeps shares far from 100, flagged with the sum and the tolerance their precision allows', () => {
    assert.deepEqual(normalized({ ...yeouido(), MALE_PPLTN_RATE: '60.0' }).warnings, [
      'MALE_PPLTN_RATE + FEMALE_PPLTN_RATE is 106.1, more than 0.1 away from 100 (what rounding to 1 decimal(s) explains)',
    ]);
    assert.deepEqual(normalized({ ...yeouido(), PPLTN_RATE_0: '9.5' }).warnings, [
      'PPLTN_RATE_0 … PPLTN_RATE_70 is 108.1, more than 0.4 away from 100 (what rounding to 1 decimal(s) explains)',
    ]);
    const row = normalized({ ...yeouido(), RESNT_PPLTN_RATE: '50.0' });
    assert.equal(row.population.resident_population_rate, 50);
    assert.match(row.warnings[0] ?? '', /^RESNT_PPLTN_RATE \+ NON_RESNT_PPLTN_RATE is 93\.2/);
  });

  it("never flags the API's own rounding: tenths may miss 100 by 0.4, whole numbers by 4", () => {
    assert.deepEqual(normalized({ ...yeouido(), PPLTN_RATE_0: '1.8' }).warnings, []); // sum 100.4
    // Real answers of 2022: eight whole-number bands adding up to 98 or 102.
    const whole = (values: number[]) =>
      Object.fromEntries(values.map((value, index) => [`PPLTN_RATE_${index * 10}`, String(value)]));
    for (const bands of [
      [2, 5, 20, 22, 19, 18, 9, 3],
      [2, 5, 21, 22, 19, 18, 9, 6],
      [0, 4, 25, 25, 20, 14, 8, 2],
    ]) {
      const result = normalizeEnvelope(envelopeFor({ ...yeouido(), ...whole(bands) }));
      assert.equal(result.ok, true, String(bands));
      assert.deepEqual(result.ok && result.warnings, [], String(bands));
    }
    // Whole numbers that miss by more than rounding can explain are kept and flagged.
    assert.match(
      normalized({ ...yeouido(), ...whole([2, 5, 20, 22, 19, 18, 9, 0]) }).warnings[0] ?? '',
      /is 95, more than 4 away from 100/,
    );
  });

  it('keeps one forecast per FCST_TIME, the first, and flags the duplicates', () => {
    const payload = yeouido();
    const forecasts = payload.FCST_PPLTN as Record<string, string>[];
    const first = forecasts[0] as Record<string, string>;
    payload.FCST_PPLTN = forecasts.map((f, index) => ({
      ...f,
      FCST_TIME: first.FCST_TIME,
      FCST_PPLTN_MIN: String(index),
      FCST_PPLTN_MAX: String(100 + index),
    }));
    const result = normalized(payload);
    assert.equal(result.forecasts.length, 1);
    assert.equal(result.forecasts[0]?.forecast_population_min, 0);
    assert.match(
      result.warnings[0] ?? '',
      /^FCST_PPLTN has 12 forecasts for .*; the first is kept, raw\/ keeps them all$/,
    );
  });

  it('refuses bad Y/N flags and bad times', () => {
    assert.deepEqual(reasonsFor({ ...yeouido(), REPLACE_YN: 'n' }), ['REPLACE_YN is not Y or N: "n"']);
    assert.deepEqual(reasonsFor({ ...yeouido(), PPLTN_TIME: '2026-02-30 10:00' }), [
      'PPLTN_TIME is not a "YYYY-MM-DD HH:MM" time: "2026-02-30 10:00"',
    ]);
    assert.deepEqual(reasonsFor({ ...yeouido(), PPLTN_TIME: '2026-07-16T23:10' }), [
      'PPLTN_TIME is not a "YYYY-MM-DD HH:MM" time: "2026-07-16T23:10"',
    ]);
  });

  it('refuses an answer for another place than the one asked', () => {
    const result = normalizeEnvelope(
      envelopeFor(sampleRecord(SAMPLES.noForecast), {
        place: { code: 'POI072', name: '여의도', englishName: 'Yeouido', category: '인구밀집지역' },
        collectedAt: '2026-09-07T11:40:00Z',
      }),
    );
    assert.deepEqual(result.ok ? [] : result.reasons, [
      'AREA_CD "POI009" does not match the place asked, POI072',
    ]);
  });

  it('refuses broken forecast entries, naming the entry', () => {
    const payload = yeouido();
    (payload.FCST_PPLTN as unknown[])[2] = {
      FCST_TIME: '2026-07-17 02:00',
      FCST_CONGEST_LVL: '여유',
      FCST_PPLTN_MIN: '5',
      FCST_PPLTN_MAX: '4',
    };
    (payload.FCST_PPLTN as unknown[])[5] = 'oops';
    assert.deepEqual(reasonsFor(payload), [
      'FCST_PPLTN[2].FCST_PPLTN_MIN 5 is greater than FCST_PPLTN[2].FCST_PPLTN_MAX 4',
      'FCST_PPLTN[5].FCST_TIME is missing',
      'FCST_PPLTN[5].FCST_CONGEST_LVL is missing',
      'FCST_PPLTN[5].FCST_PPLTN_MIN is missing',
      'FCST_PPLTN[5].FCST_PPLTN_MAX is missing',
    ]);
    assert.deepEqual(reasonsFor({ ...yeouido(), FCST_PPLTN: { FCST_TIME: 'x' } }), [
      'FCST_PPLTN is not a list: {"FCST_TIME":"x"}',
    ]);
  });

  it('collects every problem of a record at once', () => {
    assert.equal(reasonsFor({ ...yeouido(), AREA_PPLTN_MIN: 'x', FCST_YN: 'maybe', AREA_NM: '' }).length, 3);
  });
});
