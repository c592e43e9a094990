import { buildEnvelope, type Envelope, toMessage } from '../../lambdas/core/envelope.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { parseApiBody } from '../../lambdas/core/seoul-api/response.js';
import type { SourceRecord } from '../../lambdas/core/source-record.js';
import { fixtureText } from './fixtures.js';

/** The place record of a recorded sample, verbatim. */
export function sampleRecord(
  path: string,
  service: 'citydata_ppltn' | 'citydata' = 'citydata_ppltn',
): Record<string, unknown> {
  const answer = parseApiBody(fixtureText(path), service);
  if (answer.kind !== 'ok') throw new Error(`${path} is not an ok answer`);
  return answer.record;
}

export function envelopeFor(
  payload: Record<string, unknown>,
  options: { collectedAt?: string; fetchedAt?: string; runId?: string; place?: Place } = {},
): Envelope {
  const place = options.place ?? (findPlace(String(payload.AREA_CD)) as Place);
  return buildEnvelope({
    dataset: 'citydata_ppltn',
    runId: options.runId ?? '20260716T1420Z-abcdef',
    collectedAt: new Date(options.collectedAt ?? '2026-07-16T14:20:00Z'),
    fetchedAt: new Date(options.fetchedAt ?? '2026-07-16T14:20:01.250Z'),
    place,
    payload,
  });
}

/** Wraps envelopes (or raw values) as source records of one Kafka partition, offsets from `firstOffset`. */
export function sourceRecords(
  values: readonly (Envelope | Buffer | string)[],
  options: { topic?: string; partition?: number; firstOffset?: number; timestamp?: number } = {},
): SourceRecord[] {
  return values.map((value, index) => {
    const isEnvelope = typeof value === 'object' && !Buffer.isBuffer(value);
    const message = isEnvelope ? toMessage(value as Envelope) : undefined;
    return {
      topic: options.topic ?? 'seoul.citydata_ppltn',
      partition: options.partition ?? 0,
      offset: (options.firstOffset ?? 0) + index,
      timestamp: options.timestamp ?? Date.parse('2026-07-16T14:20:05Z'),
      key: message ? Buffer.from(message.key) : null,
      value: message ? message.value : Buffer.isBuffer(value) ? value : Buffer.from(value as string, 'utf8'),
      headers: message?.headers ?? {},
    };
  });
}
