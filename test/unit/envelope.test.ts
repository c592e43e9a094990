import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRunId } from '../../lambdas/core/collection-run.js';
import { buildEnvelope, parseEnvelope, toMessage } from '../../lambdas/core/envelope.js';
import { formatKstWallClock, kstParts, parseKstWallClock } from '../../lambdas/core/kst-time.js';
import { parsePartitionPath, partitionPath, partitionValuesFor } from '../../lambdas/core/lake/partitions.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';

const place = findPlace('POI072') as Place;

describe('envelope', () => {
  const payload = sampleRecord(SAMPLES.yeouido);
  const envelope = buildEnvelope({
    dataset: 'citydata_ppltn',
    runId: '20260716T1420Z-abcdef',
    collectedAt: new Date('2026-07-16T14:20:00Z'),
    fetchedAt: new Date('2026-07-16T14:20:01.5Z'),
    place,
    payload,
  });

  it('has exactly the fields of the contract, with the payload verbatim', () => {
    assert.deepEqual(envelope, {
      schemaVersion: 1,
      dataset: 'citydata_ppltn',
      runId: '20260716T1420Z-abcdef',
      collectedAt: '2026-07-16T14:20:00.000Z',
      fetchedAt: '2026-07-16T14:20:01.500Z',
      place: { code: 'POI072', name: '여의도', category: '발달상권' },
      payload,
    });
    assert.equal(envelope.payload, payload);
  });

  it('becomes a Kafka message keyed by AREA_CD with UTF-8 JSON value and headers', () => {
    const message = toMessage(envelope);
    assert.equal(message.key, 'POI072');
    assert.deepEqual(JSON.parse(message.value.toString('utf8')), envelope);
    assert.deepEqual(message.headers, { schemaVersion: '1', runId: '20260716T1420Z-abcdef' });
  });

  it('round-trips through parseEnvelope', () => {
    assert.deepEqual(parseEnvelope(JSON.parse(toMessage(envelope).value.toString())), { ok: true, envelope });
  });

  it('refuses what is not an envelope, saying why', () => {
    assert.deepEqual(parseEnvelope([1]), { ok: false, reason: 'envelope is not a JSON object' });
    const wrongVersion = parseEnvelope({ ...envelope, schemaVersion: 2, collectedAt: '2026-07-16 14:20' });
    assert.deepEqual(wrongVersion, {
      ok: false,
      reason:
        'invalid envelope: schemaVersion is 2, expected 1; collectedAt is not an ISO-8601 UTC time: "2026-07-16 14:20"',
    });
  });

  it('makes run ids unique, sortable by time, and marks simulated ones', () => {
    const at = new Date('2026-07-16T14:20:00Z');
    assert.match(newRunId(at), /^20260716T1420Z-[0-9a-f]{6}$/);
    assert.notEqual(newRunId(at), newRunId(at));
    assert.match(newRunId(at, { simulated: true }), /^sim-20260716T1420Z-/);
  });
});

describe('Korea Standard Time', () => {
  it('turns KST wall clock into UTC instants and back', () => {
    assert.equal(parseKstWallClock('2026-07-17 00:00')?.toISOString(), '2026-07-16T15:00:00.000Z');
    assert.equal(formatKstWallClock(new Date('2026-07-16T15:00:00Z')), '2026-07-17 00:00');
    assert.equal(parseKstWallClock('2026-01-01 08:59')?.toISOString(), '2025-12-31T23:59:00.000Z');
  });

  it('refuses impossible or differently formatted times', () => {
    for (const text of [
      '2026-02-30 10:00',
      '2026-13-01 00:00',
      '2026-07-16 24:00',
      '2026-07-16T10:00',
      '2026-7-16 10:00',
      '',
    ]) {
      assert.equal(parseKstWallClock(text), undefined, text);
    }
  });

  it('partitions by the run time in Seoul, zero-padded', () => {
    const values = partitionValuesFor(new Date('2026-12-31T15:00:00Z')); // 2027-01-01 00:00 KST
    assert.deepEqual(values, { year: '2027', month: '01', day: '01', hour: '00', minute: '00' });
    assert.equal(partitionPath(values), 'year=2027/month=01/day=01/hour=00/minute=00');
    assert.deepEqual(parsePartitionPath(`raw/${partitionPath(values)}/x.jsonl.gz`), values);
    assert.equal(parsePartitionPath('raw/year=2027/x'), undefined);
    assert.deepEqual(kstParts(new Date('2026-07-16T14:05:00Z')), {
      year: '2026',
      month: '07',
      day: '16',
      hour: '23',
      minute: '05',
    });
  });
});
