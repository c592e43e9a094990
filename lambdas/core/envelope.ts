import type { Place } from './places.js';

/**
 * The Kafka message contract (docs/how-a-run-works.md, "The Kafka message"): key = AREA_CD,
 * value = this envelope as UTF-8 JSON, headers `schemaVersion` and `runId`. `payload` is the API's place record verbatim, so the
 * raw archive can always be re-normalized, even by a future version of the normalizer.
 */
export const ENVELOPE_SCHEMA_VERSION = 1;
export const DEFAULT_TOPIC = 'seoul.citydata_ppltn';

export interface Envelope {
  readonly schemaVersion: number;
  readonly dataset: string;
  readonly runId: string;
  /** The run's scheduled time, ISO-8601 UTC. Decides the lake partition. */
  readonly collectedAt: string;
  /** When this place's answer arrived, ISO-8601 UTC. */
  readonly fetchedAt: string;
  readonly place: { readonly code: string; readonly name: string; readonly category: string };
  readonly payload: Readonly<Record<string, unknown>>;
  /**
   * Only when the answer was unusual (several place records, invalid UTF-8): the whole answer as
   * received (key masked) and what was unusual, so `raw/` keeps it and the writer flags the row.
   */
  readonly answer?: {
    readonly body: string;
    readonly encoding: 'utf8' | 'base64';
    readonly notes: readonly string[];
  };
}

export interface EnvelopeMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export function buildEnvelope(input: {
  /** The API service the answer is from: its dataset (`datasets/registry.ts`). */
  dataset: string;
  runId: string;
  collectedAt: Date;
  fetchedAt: Date;
  place: Place;
  payload: Record<string, unknown>;
  answer?: Envelope['answer'];
}): Envelope {
  return {
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    dataset: input.dataset,
    runId: input.runId,
    collectedAt: input.collectedAt.toISOString(),
    fetchedAt: input.fetchedAt.toISOString(),
    place: { code: input.place.code, name: input.place.name, category: input.place.category },
    payload: input.payload,
    ...(input.answer ? { answer: input.answer } : {}),
  };
}

export function toMessage(envelope: Envelope): EnvelopeMessage {
  return {
    key: envelope.place.code,
    value: Buffer.from(JSON.stringify(envelope), 'utf8'),
    headers: { schemaVersion: String(envelope.schemaVersion), runId: envelope.runId },
  };
}

export type EnvelopeParse = { ok: true; envelope: Envelope } | { ok: false; reason: string };

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Validates an outside value (a decoded Kafka record) into an envelope, or says why it is not one. */
export function parseEnvelope(value: unknown): EnvelopeParse {
  if (!isObject(value)) return { ok: false, reason: 'envelope is not a JSON object' };
  const problems: string[] = [];
  if (value.schemaVersion !== ENVELOPE_SCHEMA_VERSION) {
    problems.push(
      `schemaVersion is ${JSON.stringify(value.schemaVersion)}, expected ${ENVELOPE_SCHEMA_VERSION}`,
    );
  }
  // Which datasets are registered is the writer's question (an unknown one is rejected there).
  if (!nonEmptyString(value.dataset)) problems.push('dataset is missing');
  if (!nonEmptyString(value.runId)) problems.push('runId is missing');
  for (const field of ['collectedAt', 'fetchedAt'] as const) {
    const time = value[field];
    if (typeof time !== 'string' || !ISO_UTC.test(time) || Number.isNaN(Date.parse(time))) {
      problems.push(`${field} is not an ISO-8601 UTC time: ${JSON.stringify(time)}`);
    }
  }
  const place = value.place;
  if (
    !isObject(place) ||
    !nonEmptyString(place.code) ||
    !nonEmptyString(place.name) ||
    !nonEmptyString(place.category)
  ) {
    problems.push('place must have code, name and category');
  }
  if (!isObject(value.payload)) problems.push('payload is not a JSON object');
  if (value.answer !== undefined) {
    const answer = value.answer;
    if (
      !isObject(answer) ||
      typeof answer.body !== 'string' ||
      (answer.encoding !== 'utf8' && answer.encoding !== 'base64') ||
      !Array.isArray(answer.notes) ||
      !answer.notes.every((note) => typeof note === 'string')
    ) {
      problems.push('answer must have body, encoding (utf8 or base64) and notes');
    }
  }
  if (problems.length > 0) return { ok: false, reason: `invalid envelope: ${problems.join('; ')}` };
  return { ok: true, envelope: value as unknown as Envelope };
}
