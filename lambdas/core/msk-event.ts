import { PipelineError } from './errors.js';
import type { SourceRecord } from './source-record.js';

/**
 * One Kafka record as Lambda's MSK event source mapping delivers it: key and value base64, each
 * header an object `{ name: [bytes] }`. Shape from the Lambda developer guide ("Using Lambda with
 * Amazon MSK", example event).
 */
export interface MskEventRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  readonly key?: string | null;
  readonly value?: string | null;
  readonly headers: readonly Readonly<Record<string, readonly number[]>>[];
}

/** The event an MSK-triggered function receives: records grouped by `topic-partition`. */
export interface MskEvent {
  readonly eventSource: 'aws:kafka';
  readonly eventSourceArn: string;
  readonly bootstrapServers?: string;
  readonly records: Readonly<Record<string, readonly MskEventRecord[]>>;
}

/** The event is not an MSK event: nothing in it can be trusted, so the invocation fails. */
export class MskEventError extends PipelineError {
  constructor(message: string) {
    super('INVALID_EVENT', message);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A whole number, also when the event gives it as a string (some documented examples do). */
function wholeNumber(value: unknown, where: string): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new MskEventError(`${where} is not a whole number: ${JSON.stringify(value)}`);
  }
  return number;
}

function base64Bytes(value: unknown, where: string): Buffer | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !BASE64.test(value)) throw new MskEventError(`${where} is not base64`);
  return Buffer.from(value, 'base64');
}

function headersOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new MskEventError(`${where}.headers is not an array`);
  const headers: Record<string, string> = {};
  for (const header of value) {
    if (!isObject(header)) throw new MskEventError(`${where}.headers has an entry that is not an object`);
    for (const [name, bytes] of Object.entries(header)) {
      if (
        !Array.isArray(bytes) ||
        !bytes.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)
      ) {
        throw new MskEventError(`${where}.headers.${name} is not an array of bytes`);
      }
      headers[name] = Buffer.from(bytes as number[]).toString('utf8');
    }
  }
  return headers;
}

/**
 * Parse, don't trust: turns an MSK event into the writer's source records, in offset order within
 * each partition (the writer names its files after the first offset). A malformed event throws
 * {@link MskEventError}; a record whose value is not an envelope is the writer's to quarantine.
 */
export function decodeMskEvent(event: unknown): SourceRecord[] {
  if (!isObject(event)) throw new MskEventError('event is not an object');
  if (event.eventSource !== 'aws:kafka') {
    throw new MskEventError(`eventSource is ${JSON.stringify(event.eventSource)}, expected "aws:kafka"`);
  }
  if (!isObject(event.records))
    throw new MskEventError('event.records is not an object keyed by topic-partition');
  const decoded: SourceRecord[] = [];
  for (const [group, records] of Object.entries(event.records)) {
    if (!Array.isArray(records)) throw new MskEventError(`event.records["${group}"] is not an array`);
    const partitionRecords = records.map((record: unknown, index) => {
      const where = `event.records["${group}"][${index}]`;
      if (!isObject(record)) throw new MskEventError(`${where} is not an object`);
      if (typeof record.topic !== 'string' || record.topic === '')
        throw new MskEventError(`${where}.topic is missing`);
      const timestamp =
        record.timestamp === undefined ? undefined : wholeNumber(record.timestamp, `${where}.timestamp`);
      return {
        topic: record.topic,
        partition: wholeNumber(record.partition, `${where}.partition`),
        offset: wholeNumber(record.offset, `${where}.offset`),
        ...(timestamp === undefined ? {} : { timestamp }),
        key: base64Bytes(record.key, `${where}.key`),
        value: base64Bytes(record.value, `${where}.value`),
        headers: headersOf(record.headers, where),
      } satisfies SourceRecord;
    });
    decoded.push(...partitionRecords.sort((a, b) => a.offset - b.offset));
  }
  return decoded;
}

/**
 * The reverse, for the local event-source emulator and tests: source records of any partitions
 * grouped as Lambda groups them. Header values are sent as their UTF-8 bytes.
 */
export function encodeMskEvent(
  records: readonly SourceRecord[],
  source: { eventSourceArn: string; bootstrapServers?: string },
): MskEvent {
  const groups: Record<string, MskEventRecord[]> = {};
  for (const record of records) {
    const group = `${record.topic}-${record.partition}`;
    const list = groups[group] ?? [];
    groups[group] = list;
    list.push({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp ?? 0,
      timestampType: 'CREATE_TIME',
      // Lambda leaves out the key of a record that has none.
      ...(record.key === null ? {} : { key: record.key.toString('base64') }),
      value: record.value === null ? null : record.value.toString('base64'),
      headers: Object.entries(record.headers).map(([name, text]) => ({
        [name]: [...Buffer.from(text, 'utf8')],
      })),
    });
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    ...(source.bootstrapServers ? { bootstrapServers: source.bootstrapServers } : {}),
    records: groups,
  };
}
