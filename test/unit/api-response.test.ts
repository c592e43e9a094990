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

describe('API answer parsing: limits, XML references, and reasons that never quote the body', () => {
  const yeouido = () => JSON.parse(fixtureText(SAMPLES.yeouido)) as Record<string, unknown>;
  const reasonOf = (body: string) => {
    const answer = parseApiBody(body, 'citydata_ppltn', 'POI072');
    assert.equal(answer.kind, 'malformed', body.slice(0, 80));
    return answer.kind === 'malformed' ? answer.reason : '';
  };

  it('refuses answers over a limit, in JSON and in XML, with which limit, without overflowing the stack', () => {
    const record = () =>
      (yeouido()['SeoulRtd.citydata_ppltn'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    const cases: [string, string][] = [
      ['[', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
      [
        '{',
        fixtureText(SAMPLES.yeouido).replace(
          '"RESULT"',
          `"DEEP":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)},"RESULT"`,
        ),
      ],
      [
        'field',
        JSON.stringify({
          'SeoulRtd.citydata_ppltn': [
            { ...record(), AREA_NM: JSON.parse(`${'['.repeat(40)}"x"${']'.repeat(40)}`) },
          ],
        }),
      ],
      [
        'keys',
        JSON.stringify({
          'SeoulRtd.citydata_ppltn': [
            { ...record(), ...Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`K${i}`, '1'])) },
          ],
        }),
      ],
      [
        'string',
        JSON.stringify({
          'SeoulRtd.citydata_ppltn': [{ ...record(), AREA_CONGEST_MSG: 'x'.repeat(70_000) }],
        }),
      ],
      ['xml deep', `<Map>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</Map>`],
      [
        'xml wide',
        `<Map><SeoulRtd.citydata_ppltn>${Array.from({ length: 10_001 }, (_, i) => `<K${i}>1</K${i}>`).join('')}</SeoulRtd.citydata_ppltn></Map>`,
      ],
      ['xml string', `<RESULT><CODE>INFO-200</CODE><MESSAGE>${'가'.repeat(70_000)}</MESSAGE></RESULT>`],
    ];
    for (const [name, body] of cases)
      assert.match(
        reasonOf(body),
        /^answer over a limit: |^unparseable XML body: elements are nested more than 32 levels deep$/,
        name,
      );
  });

  it('decodes XML character references and the five XML entities, and nothing from HTML', () => {
    const answer = parseApiBody(
      '<RESULT><CODE>INFO-&#50;&#x30;0</CODE><MESSAGE>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; &#xAC00; &nbsp;</MESSAGE></RESULT>',
    );
    assert.equal(answer.kind, 'no-data');
    assert.equal(answer.kind === 'no-data' ? answer.message : '', '<a> & "b" \'c\' 가 &nbsp;');
  });

  it('refuses XML that declares a DOCTYPE (entities that expand into anything), naming why', () => {
    for (const body of [
      '<!DOCTYPE r [<!ENTITY k "INFO-200">]><RESULT><CODE>&k;</CODE></RESULT>',
      '<?xml version="1.0"?><!doctype r SYSTEM "file:///etc/passwd"><RESULT><CODE>INFO-200</CODE></RESULT>',
    ])
      assert.equal(reasonOf(body), 'unparseable XML body: it declares a DOCTYPE, which the API never sends');
  });

  it('names what is wrong with a body and where, never a byte of it', () => {
    const secret = 'Qx7-Body-Secret';
    for (const body of [
      `${secret} not json`,
      `{"SeoulRtd.citydata_ppltn": [{"AREA_NM": "${secret}`,
      `{"a": 1}${secret}`,
      `<RESULT><CODE>${secret}</CODE></RESUL>`,
      `<RESULT><${secret}>x</${secret}x></RESULT>`,
      `<RESULT><CODE>a</CODE><__proto__>${secret}</__proto__></RESULT>`,
      `<RESULT ${secret}=>`,
    ]) {
      const reason = reasonOf(body);
      assert.ok(!/Qx7|Secret|Body/.test(reason), reason);
    }
  });

  it('flags repeated keys, and uses the last value as JSON.parse does', () => {
    const text = fixtureText(SAMPLES.yeouido).replace('"AREA_NM":', '"AREA_NM":"first","AREA_NM":');
    const answer = parseApiBody(text, 'citydata_ppltn', 'POI072');
    assert.equal(answer.kind, 'ok');
    if (answer.kind !== 'ok') return;
    assert.equal(answer.record.AREA_NM, '여의도');
    assert.deepEqual(answer.notes, [
      'answer repeats a key in one object (SeoulRtd.citydata_ppltn[0].AREA_NM): the last value is used, raw/ keeps the answer as received',
    ]);
  });
});
