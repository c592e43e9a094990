import { ENVELOPE_LIMITS, JsonLimitError, parseBoundedJson } from './bounded-json.js';
import { type Envelope, parseEnvelope } from './envelope.js';

/**
 * One message as the writer receives it, whatever carried it: the in-process queue, or a Kafka
 * record decoded from an MSK event. `topic`, `partition` and `offset` name the message uniquely
 * and make the writer's file names deterministic.
 */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Broker or producer time, epoch milliseconds; used to place records that carry no usable time. */
  readonly timestamp?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export type DecodedRecord =
  | { kind: 'envelope'; envelope: Envelope }
  /** Not an envelope: kept in `rejected/` with the reason and the value as it arrived. */
  | { kind: 'poison'; reason: string; value: unknown };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parse, don't trust: a record's value becomes an envelope or a poison record with a reason. */
export function decodeSourceRecord(record: SourceRecord): DecodedRecord {
  if (record.value === null || record.value.length === 0)
    return { kind: 'poison', reason: 'record has no value', value: null };
  let text: string;
  try {
    text = strictUtf8.decode(record.value);
  } catch {
    return {
      kind: 'poison',
      reason: 'value is not UTF-8',
      value: { base64: record.value.toString('base64') },
    };
  }
  let parsed: unknown;
  try {
    // Bounded: a value nested 100,000 deep parses, then overflows the stack wherever it is written.
    parsed = parseBoundedJson(text, ENVELOPE_LIMITS).value;
  } catch (error) {
    const why = error instanceof JsonLimitError ? 'value over a limit' : 'value is not JSON';
    return { kind: 'poison', reason: `${why}: ${(error as Error).message}`, value: text };
  }
  const envelope = parseEnvelope(parsed);
  return envelope.ok
    ? { kind: 'envelope', envelope: envelope.envelope }
    : { kind: 'poison', reason: envelope.reason, value: parsed };
}
