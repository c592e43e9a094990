import { answerTable, type Dataset } from '../datasets/dataset.js';
import { datasetOf } from '../datasets/registry.js';
import type { Envelope } from '../envelope.js';
import { partitionPath, partitionValuesFor } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import type { PartitionValues, TableSpec } from '../schema.js';
import { type DecodedRecord, decodeSourceRecord, type SourceRecord } from '../source-record.js';

/** Where a record came from: a Kafka message, or a line of a raw archive file (replay). */
export type RecordSource =
  | { readonly topic: string; readonly partition: number; readonly offset: number }
  | { readonly raw: string; readonly line: number };

/** A line of `rejected/`: what arrived, where from, and every reason it could not be used. */
export interface RejectedLine {
  readonly reasons: string[];
  readonly rejectedAt: string;
  readonly source: RecordSource;
  readonly runId?: string;
  readonly collectedAt?: string;
  readonly placeCode?: string;
  readonly record: unknown;
}

/** One record to route: an envelope (or what failed to be one) and the name of the files it goes to. */
export interface RouteInput {
  /** The file name without extension; the inputs of one partition with one stem share files. */
  readonly stem: string;
  readonly decoded: DecodedRecord;
  readonly source: RecordSource;
  /** A record with no trustworthy collectedAt (poison) is filed under this time. */
  readonly arrivedAt: Date;
  /** Read from raw/ (replay): not archived a second time. */
  readonly archived?: boolean;
}

/** One answer, as its dataset turns it into rows: a list per table, in the dataset's order. */
export interface Answer {
  readonly dataset: Dataset;
  /** The place code: with the collection time, the answer's identity. */
  readonly place: string;
  readonly rows: readonly (readonly object[])[];
}

/** Everything one file group holds: one minute partition × one stem (a Kafka source, or a raw file). */
export interface FileGroup {
  readonly partition: PartitionValues;
  readonly stem: string;
  /** Keyed by {@link answerId}: one answer per dataset, place and collection time in a group. */
  readonly answers: Map<string, Answer>;
  readonly raw: Envelope[];
  readonly rejected: RejectedLine[];
}

export interface Routed {
  readonly groups: FileGroup[];
  readonly flaggedRecords: number;
}

/** `area_code|collected_at`, the instant in one canonical form whatever the envelope's spelling. */
export const answerKey = (areaCode: string, collectedAt: Date | string) =>
  `${areaCode}|${new Date(collectedAt).toISOString()}`;

/** `service|area_code|collected_at`: an answer of one dataset. */
export const answerId = (service: string, areaCode: string, collectedAt: Date | string) =>
  `${service}|${answerKey(areaCode, collectedAt)}`;

/**
 * The route inputs of a batch of Kafka messages. Records arrive in offset order per Kafka
 * partition, so the first record of a (lake partition, topic, Kafka partition) names its files
 * `<topic>-<Kafka partition>-<first offset>`: a redelivered batch overwrites its own files.
 */
export function sourceInputs(records: readonly SourceRecord[], now: () => Date): RouteInput[] {
  const stems = new Map<string, string>();
  return records.map((record) => {
    const decoded = decodeSourceRecord(record);
    // No trustworthy collectedAt in a poison record: file it under the time the message was produced.
    const arrivedAt = new Date(record.timestamp ?? now().getTime());
    const id = `${partitionPath(partitionOf(decoded, arrivedAt))}|${record.topic}|${record.partition}`;
    if (!stems.has(id)) stems.set(id, `${safeName(record.topic)}-${record.partition}-${record.offset}`);
    return {
      stem: stems.get(id) as string,
      decoded,
      source: { topic: record.topic, partition: record.partition, offset: record.offset },
      arrivedAt,
    };
  });
}

/** Stage 1 for the writer: the Kafka messages of a batch, routed. */
export function routeRecords(records: readonly SourceRecord[], now: () => Date, log: Log): Routed {
  return routeInputs(sourceInputs(records, now), now, log);
}

/**
 * Stage 1: normalizes and routes every input into its file group (no I/O). Within a group the
 * last answer for a place and collection time wins, even if the fetcher published a place twice.
 */
export function routeInputs(inputs: readonly RouteInput[], now: () => Date, log: Log): Routed {
  const groups = new Map<string, FileGroup>();
  let flaggedRecords = 0;

  const groupFor = (input: RouteInput): FileGroup => {
    const partition = partitionOf(input.decoded, input.arrivedAt);
    const id = `${partitionPath(partition)}|${input.stem}`;
    let group = groups.get(id);
    if (!group) {
      group = emptyGroup(partition, input.stem);
      groups.set(id, group);
    }
    return group;
  };
  const rejectedLine = (input: RouteInput, reasons: string[], value: unknown, envelope?: Envelope) => ({
    reasons,
    rejectedAt: now().toISOString(),
    source: input.source,
    runId: envelope?.runId,
    collectedAt: envelope?.collectedAt,
    placeCode: envelope?.place.code,
    record: value,
  });

  for (const input of inputs) {
    const group = groupFor(input);
    const { decoded } = input;
    if (decoded.kind === 'poison') {
      group.rejected.push(rejectedLine(input, [decoded.reason], decoded.value));
      log.warn('record rejected', { source: input.source, reason: decoded.reason });
      continue;
    }
    const { envelope } = decoded;
    if (!input.archived) group.raw.push(envelope);
    const dataset = datasetOf(envelope.dataset);
    const answer = dataset
      ? dataset.toRows(envelope)
      : { ok: false as const, reasons: [`no dataset is registered as ${JSON.stringify(envelope.dataset)}`] };
    if (!answer.ok) {
      group.rejected.push(rejectedLine(input, [...answer.reasons], envelope, envelope));
      log.warn('record rejected', {
        place: envelope.place.code,
        runId: envelope.runId,
        reasons: answer.reasons,
      });
      continue;
    }
    if (answer.warnings.length > 0) {
      flaggedRecords++;
      log.warn('record flagged', {
        place: envelope.place.code,
        runId: envelope.runId,
        warnings: answer.warnings,
      });
    }
    const id = answerId(envelope.dataset, envelope.place.code, envelope.collectedAt);
    group.answers.set(id, { dataset: dataset as Dataset, place: envelope.place.code, rows: answer.rows });
  }
  return { groups: [...groups.values()], flaggedRecords };
}

/**
 * The optional step between route and encode: one answer per dataset, place and collection time
 * across all groups, chosen in the order the warehouse merge and the lake views use (the answer
 * table's `duplicateOrder`: latest fetch first); on a full tie the later group wins. Replay uses it
 * so a partition rebuilt from several raw files holds each key once. Returns the answers kept.
 */
export function keepLatestAnswers(groups: readonly FileGroup[]): Set<string> {
  const winners = new Map<string, FileGroup>();
  for (const group of groups) {
    for (const [id, answer] of group.answers) {
      const winner = winners.get(id);
      if (winner) {
        const held = winner.answers.get(id) as Answer;
        const order = answerTable(answer.dataset);
        const loser = comesFirst(order, held.rows[0]?.[0] ?? {}, answer.rows[0]?.[0] ?? {}) ? group : winner;
        loser.answers.delete(id);
        if (loser === winner) winners.set(id, group);
      } else winners.set(id, group);
    }
  }
  return new Set(winners.keys());
}

export function emptyGroup(partition: PartitionValues, stem: string): FileGroup {
  return { partition, stem, answers: new Map(), raw: [], rejected: [] };
}

/** Whether row `a` strictly comes before row `b` in the table's duplicate order. */
function comesFirst(table: TableSpec, a: object, b: object): boolean {
  for (const term of table.duplicateOrder) {
    const [column, direction] = term.split(' ') as [string, string | undefined];
    const x = comparable((a as Record<string, unknown>)[column]);
    const y = comparable((b as Record<string, unknown>)[column]);
    if (x === y) continue;
    return direction === 'DESC' ? x > y : x < y;
  }
  return false;
}

function comparable(value: unknown): number | string {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'string') return value;
  return String(value);
}

function partitionOf(decoded: DecodedRecord, arrivedAt: Date): PartitionValues {
  return partitionValuesFor(decoded.kind === 'envelope' ? new Date(decoded.envelope.collectedAt) : arrivedAt);
}

/** Topic names may hold characters that are awkward in file names; keep them readable but safe. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}
