import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseApiBody } from '../../lambdas/core/seoul-api/response.js';
import { fixtureText, SAMPLES } from '../support/fixtures.js';

/** The 22 keys of a place record, in the API's order. */
const RECORD_KEYS = [
  'AREA_NM',
  'AREA_CD',
  'AREA_CONGEST_LVL',
  'AREA_CONGEST_MSG',
  'AREA_PPLTN_MIN',
  'AREA_PPLTN_MAX',
  'MALE_PPLTN_RATE',
  'FEMALE_PPLTN_RATE',
  'PPLTN_RATE_0',
  'PPLTN_RATE_10',
  'PPLTN_RATE_20',
  'PPLTN_RATE_30',
  'PPLTN_RATE_40',
  'PPLTN_RATE_50',
  'PPLTN_RATE_60',
  'PPLTN_RATE_70',
  'RESNT_PPLTN_RATE',
  'NON_RESNT_PPLTN_RATE',
  'REPLACE_YN',
  'PPLTN_TIME',
  'FCST_YN',
  'FCST_PPLTN',
];

function okRecord(body: string, service: 'citydata_ppltn' | 'citydata' = 'citydata_ppltn') {
  const answer = parseApiBody(body, service);
  assert.equal(answer.kind, 'ok', JSON.stringify(answer));
  return answer.kind === 'ok' ? answer : assert.fail('unreachable');
}

describe('API answer parsing: every recorded sample', () => {
  it('covers every file of the recorded samples', () => {
    const files = [
      ...readdirSync(new URL('../fixtures/samples/', import.meta.url))
        .filter((f) => f !== 'errors')
        .map((f) => `samples/${f}`),
      ...readdirSync(new URL('../fixtures/samples/errors/', import.meta.url)).map(
        (f) => `samples/errors/${f}`,
      ),
    ].sort();
    assert.deepEqual(files, Object.values(SAMPLES).sort());
  });

  it('reads the 2026 JSON answer for 여의도 (POI072) with every field', () => {
    const { record, resultCode } = okRecord(fixtureText(SAMPLES.yeouido));
    assert.equal(resultCode, 'INFO-000');
    assert.deepEqual(Object.keys(record), RECORD_KEYS);
    assert.deepEqual(Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'FCST_PPLTN')), {
      AREA_NM: '여의도',
      AREA_CD: 'POI072',
      AREA_CONGEST_LVL: '여유',
      AREA_CONGEST_MSG: '사람이 몰려있을 가능성이 낮고 붐빔은 거의 느껴지지 않아요. 도보 이동이 자유로워요.',
      AREA_PPLTN_MIN: '44000',
      AREA_PPLTN_MAX: '46000',
      MALE_PPLTN_RATE: '53.9',
      FEMALE_PPLTN_RATE: '46.1',
      PPLTN_RATE_0: '1.5',
      PPLTN_RATE_10: '5.7',
      PPLTN_RATE_20: '16.1',
      PPLTN_RATE_30: '20.3',
      PPLTN_RATE_40: '20.0',
      PPLTN_RATE_50: '16.6',
      PPLTN_RATE_60: '10.6',
      PPLTN_RATE_70: '9.3',
      RESNT_PPLTN_RATE: '56.8',
      NON_RESNT_PPLTN_RATE: '43.2',
      REPLACE_YN: 'N',
      PPLTN_TIME: '2026-07-16 23:10',
      FCST_YN: 'Y',
    });
    const forecast = record.FCST_PPLTN as Record<string, string>[];
    assert.equal(forecast.length, 12);
    assert.deepEqual(forecast[0], {
      FCST_TIME: '2026-07-17 00:00',
      FCST_CONGEST_LVL: '여유',
      FCST_PPLTN_MIN: '38000',
      FCST_PPLTN_MAX: '40000',
    });
    assert.deepEqual(forecast[11], {
      FCST_TIME: '2026-07-17 11:00',
      FCST_CONGEST_LVL: '붐빔',
      FCST_PPLTN_MIN: '160000',
      FCST_PPLTN_MAX: '165000',
    });
    assert.deepEqual(
      forecast.map((f) => f.FCST_CONGEST_LVL),
      [
        '여유',
        '여유',
        '여유',
        '여유',
        '여유',
        '여유',
        '여유',
        '여유',
        '여유',
        '약간 붐빔',
        '약간 붐빔',
        '붐빔',
      ],
    );
  });

  it('reads the answer whose forecast array is missing although FCST_YN is "Y"', () => {
    const { record } = okRecord(fixtureText(SAMPLES.noForecast));
    assert.deepEqual(
      Object.keys(record),
      RECORD_KEYS.filter((key) => key !== 'FCST_PPLTN'),
    );
    assert.equal(record.AREA_CD, 'POI009');
    assert.equal(record.AREA_NM, '광화문·덕수궁');
    assert.equal(record.FCST_YN, 'Y');
    assert.equal(record.PPLTN_TIME, '2026-09-07 20:35');
    assert.equal(record.AREA_PPLTN_MIN, '18000');
    assert.equal(record.NON_RESNT_PPLTN_RATE, '78.6');
  });

  it('reads the 2024 XML answer (no RESULT on success) into the same shape as JSON', () => {
    const { record, resultCode } = okRecord(fixtureText(SAMPLES.xml2024));
    assert.equal(resultCode, undefined);
    assert.deepEqual(Object.keys(record), RECORD_KEYS);
    assert.equal(record.AREA_CD, 'POI009');
    assert.equal(record.AREA_NM, '광화문·덕수궁');
    assert.equal(record.AREA_PPLTN_MIN, '6500');
    assert.equal(record.AREA_PPLTN_MAX, '7000');
    assert.equal(record.MALE_PPLTN_RATE, '53.6');
    assert.equal(record.PPLTN_RATE_40, '23.0');
    assert.equal(record.RESNT_PPLTN_RATE, '15.8');
    assert.equal(record.PPLTN_TIME, '2024-01-31 22:30');
    const forecast = record.FCST_PPLTN as Record<string, string>[];
    assert.equal(forecast.length, 12);
    assert.deepEqual(forecast[0], {
      FCST_TIME: '2024-02-01 00:00',
      FCST_CONGEST_LVL: '여유',
      FCST_PPLTN_MIN: '5500',
      FCST_PPLTN_MAX: '6000',
    });
    assert.equal(forecast[10]?.FCST_CONGEST_LVL, '약간 붐빔');
  });

  it('reads the population record out of the integrated citydata answer', () => {
    const { record } = okRecord(fixtureText(SAMPLES.citydata), 'citydata');
    assert.deepEqual(Object.keys(record), RECORD_KEYS);
    assert.equal(record.AREA_CD, 'POI009');
    assert.equal(record.PPLTN_TIME, '2026-07-10 19:00');
    assert.equal(record.AREA_PPLTN_MIN, '30000');
    assert.equal((record.FCST_PPLTN as unknown[]).length, 12);
  });

  it('recognizes the XML invalid-key answer that arrives on a /json/ path with HTTP 200', () => {
    const answer = parseApiBody(fixtureText(SAMPLES.invalidKey));
    assert.equal(answer.kind, 'invalid-key');
    assert.equal(
      answer.kind === 'invalid-key' && answer.message.startsWith('인증키가 유효하지 않습니다.'),
      true,
    );
  });
});

describe('API answer parsing: result codes and broken bodies', () => {
  const json = (code: string) => JSON.stringify({ RESULT: { 'RESULT.CODE': code, 'RESULT.MESSAGE': 'm' } });

  it('maps INFO-200 to no data', () => assert.equal(parseApiBody(json('INFO-200')).kind, 'no-data'));
  it('maps ERROR-500, 600 and 601 to transient', () => {
    for (const code of ['ERROR-500', 'ERROR-600', 'ERROR-601'])
      assert.equal(parseApiBody(json(code)).kind, 'transient', code);
  });
  it('maps bad-request codes to request errors', () => {
    for (const code of ['ERROR-300', 'ERROR-310', 'ERROR-335', 'ERROR-336'])
      assert.equal(parseApiBody(json(code)).kind, 'request-error', code);
  });
  it('reads the plain CODE form of the result too', () => {
    assert.equal(parseApiBody(JSON.stringify({ CODE: 'INFO-200', MESSAGE: 'x' })).kind, 'no-data');
    assert.equal(
      parseApiBody('<RESULT><CODE>ERROR-500</CODE><MESSAGE>x</MESSAGE></RESULT>').kind,
      'transient',
    );
  });
  it('calls truncated, empty and meaningless bodies malformed', () => {
    for (const body of [
      '{"SeoulRtd.citydata_ppltn": [{"AREA_NM": "',
      '',
      '   ',
      '[]',
      '{"hello": 1}',
      '<html><body>',
      '{"RESULT": {"RESULT.CODE": "INFO-000"}}',
    ]) {
      assert.equal(parseApiBody(body).kind, 'malformed', body);
    }
  });
  it('ignores a byte-order mark', () => {
    assert.equal(parseApiBody(`\uFEFF${fixtureText(SAMPLES.yeouido)}`).kind, 'ok');
  });
});
