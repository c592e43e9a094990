import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { POPULATION, POPULATION_FORECAST } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { parseEnvelope } from '../../lambdas/core/envelope.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import { decodeMskEvent, MskEventError } from '../../lambdas/core/msk-event.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { parseApiBody } from '../../lambdas/core/seoul-api/response.js';
import { decodeSourceRecord } from '../../lambdas/core/source-record.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { fuzzRun } from '../support/fuzz.js';

/**
 * Property-based tests of every boundary that reads outside input: whatever arrives ends as a
 * typed value or a rejection with a reason, never an exception or a hang. The seed is fixed, so
 * CI runs the same cases every time; a failure prints its seed and path, and
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path> node --import tsx --test test/unit/fuzz.test.ts` replays it.
 */
const { seed: SEED, runs: RUNS, settings } = fuzzRun(20_260_716);

const yeouido = sampleRecord(SAMPLES.yeouido);
const place = findPlace(String(yeouido.AREA_CD)) as Place;
const FIELDS = Object.keys(yeouido);

/** Field values an API could plausibly, or hostilely, send. */
const fieldValue = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e9',
    '99999999999',
    '100.0',
    '50.05',
    'NaN',
    'Y',
    'N',
    '2026-07-16 23:10',
  ),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

/** The real record with some fields replaced, removed or added. */
const mutatedRecord = fc
  .record({
    replace: fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 6 }),
    remove: fc.subarray(FIELDS, { maxLength: 3 }),
    forecast: fc.option(
      fc.array(
        fc.record({
          FCST_TIME: fc.oneof(fc.constantFrom('2026-07-17 00:00', '2026-07-17 01:00'), fc.string()),
          FCST_CONGEST_LVL: fc.oneof(fc.constantFrom('여유', '보통', '붐빔'), fc.string()),
          FCST_PPLTN_MIN: fc.oneof(fc.nat().map(String), fc.string()),
          FCST_PPLTN_MAX: fc.oneof(fc.nat().map(String), fc.string()),
        }),
        { maxLength: 14 },
      ),
      { nil: undefined },
    ),
  })
  .map(({ replace, remove, forecast }) => {
    const record: Record<string, unknown> = { ...structuredClone(yeouido), ...replace };
    for (const field of remove) delete record[field];
    if (forecast !== undefined) record.FCST_PPLTN = forecast;
    return record;
  });

/** Typed or refused with a reason: the only two ways out. */
function assertNormalizedOrRejected(result: ReturnType<typeof normalizeEnvelope>): void {
  if (result.ok) {
    assert.equal(typeof result.population.area_code, 'string');
    for (const warning of result.warnings) assert.equal(typeof warning, 'string');
  } else {
    assert.ok(result.reasons.length > 0, 'a rejection has a reason');
    for (const reason of result.reasons) assert.ok(typeof reason === 'string' && reason !== '');
  }
}

describe(`fuzzing (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it('the answer parser reads any text as an answer or a malformed body with a reason', () => {
    const body = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ 'SeoulRtd.citydata_ppltn': value })),
      fc.jsonValue().map((value) => JSON.stringify({ RESULT: value })),
      mutatedRecord.map((record) => JSON.stringify({ 'SeoulRtd.citydata_ppltn': [record] })),
      fc.string().map((text) => `<Map><SeoulRtd.citydata_ppltn>${text}</SeoulRtd.citydata_ppltn></Map>`),
      fc.string().map((text) => `<RESULT><CODE>${text}</CODE></RESULT>`),
    );
    fc.assert(
      fc.property(body, fc.constantFrom('citydata_ppltn', 'citydata'), (text, service) => {
        const answer = parseApiBody(text, service as 'citydata_ppltn');
        assert.ok(
          ['ok', 'no-data', 'invalid-key', 'transient', 'request-error', 'malformed'].includes(answer.kind),
        );
        if (answer.kind === 'malformed') assert.ok(answer.reason.length > 0 && answer.reason.length < 400);
        if (answer.kind === 'ok') assert.equal(typeof answer.record, 'object');
      }),
      settings(),
    );
  });

  it('the normalizer turns any record into rows that Parquet can hold, or a rejection with its reasons', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedRecord, async (record) => {
        const result = normalizeEnvelope(envelopeFor(record, { place }));
        assertNormalizedOrRejected(result);
        if (result.ok) {
          // Rows the normalizer accepts must be storable: a row that breaks the encoder would fail a whole batch.
          await encodeParquet(POPULATION, [result.population]);
          if (result.forecasts.length > 0) await encodeParquet(POPULATION_FORECAST, result.forecasts);
          const times = result.forecasts.map((f) => f.forecast_time.getTime());
          assert.equal(new Set(times).size, times.length, 'one forecast per FCST_TIME');
        }
      }),
      settings(Math.min(RUNS, 150)),
    );
  });

  it('the envelope parser takes any JSON value and says what is wrong with it', () => {
    const nearEnvelope = fc
      .record(
        {
          schemaVersion: fc.oneof(fc.constant(1), fc.jsonValue()),
          dataset: fc.oneof(fc.constant('citydata_ppltn'), fc.jsonValue()),
          runId: fc.oneof(fc.string(), fc.jsonValue()),
          collectedAt: fc.oneof(fc.constant('2026-07-16T14:20:00.000Z'), fc.string(), fc.jsonValue()),
          fetchedAt: fc.oneof(fc.constant('2026-07-16T14:20:01.000Z'), fc.string()),
          place: fc.oneof(
            fc.constant({ code: 'POI072', name: '여의도', category: '인구밀집지역' }),
            fc.jsonValue(),
          ),
          payload: fc.oneof(mutatedRecord, fc.jsonValue()),
          answer: fc.oneof(
            fc.jsonValue(),
            fc.record({
              body: fc.string(),
              encoding: fc.constantFrom('utf8', 'base64'),
              notes: fc.array(fc.string()),
            }),
          ),
        },
        { requiredKeys: [] },
      )
      .map((value) => value as unknown);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearEnvelope), (value) => {
        const parsed = parseEnvelope(value);
        if (parsed.ok) assertNormalizedOrRejected(normalizeEnvelope(parsed.envelope));
        else assert.match(parsed.reason, /^(invalid envelope: |envelope is not)/);
      }),
      settings(),
    );
  });

  it('a Kafka record of any bytes becomes an envelope or a poison record with a reason', () => {
    const value = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc.jsonValue().map((json) => Buffer.from(JSON.stringify(json))),
      mutatedRecord.map((record) => Buffer.from(JSON.stringify(envelopeFor(record, { place })))),
      fc.constant(null),
    );
    fc.assert(
      fc.property(value, (bytes) => {
        const decoded = decodeSourceRecord({
          topic: 't',
          partition: 0,
          offset: 0,
          key: null,
          value: bytes,
          headers: {},
        });
        if (decoded.kind === 'poison') assert.ok(decoded.reason.length > 0);
        else assertNormalizedOrRejected(normalizeEnvelope(decoded.envelope));
      }),
      settings(),
    );
  });

  it('an MSK event of any shape decodes to records or fails with an MskEventError that says where', () => {
    const record = fc.record(
      {
        topic: fc.oneof(fc.constant('t'), fc.jsonValue()),
        partition: fc.oneof(fc.nat(), fc.jsonValue()),
        offset: fc.oneof(fc.nat(), fc.nat().map(String), fc.jsonValue()),
        timestamp: fc.oneof(fc.nat(), fc.jsonValue()),
        key: fc.oneof(fc.base64String(), fc.string(), fc.constant(null)),
        value: fc.oneof(fc.base64String(), fc.string(), fc.constant(null)),
        headers: fc.oneof(
          fc.array(fc.dictionary(fc.string(), fc.array(fc.integer({ min: -2, max: 300 })))),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    const event = fc.oneof(
      fc.jsonValue(),
      fc.record({
        eventSource: fc.oneof(fc.constant('aws:kafka'), fc.string()),
        records: fc.oneof(fc.dictionary(fc.string(), fc.array(record, { maxLength: 4 })), fc.jsonValue()),
      }),
    );
    fc.assert(
      fc.property(event, (value) => {
        try {
          for (const decoded of decodeMskEvent(value)) {
            assert.ok(Number.isSafeInteger(decoded.offset));
            const result = decodeSourceRecord(decoded);
            assert.ok(result.kind === 'envelope' || result.reason.length > 0);
          }
        } catch (error) {
          assert.ok(error instanceof MskEventError, `not a typed rejection: ${String(error)}`);
          assert.ok(error.message.length > 0);
        }
      }),
      settings(),
    );
  });
});
