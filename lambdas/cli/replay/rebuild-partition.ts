import { NO_CATALOG } from '../../core/catalog/partition-catalog.js';
import { datasetOfTable } from '../../core/datasets/registry.js';
import { StorageError } from '../../core/errors.js';
import { objectKey, partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import { ConsoleLog } from '../../core/logger.js';
import type { PartitionValues } from '../../core/schema.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { DATASET_TABLES } from '../../core/tables.js';
import { commitFiles, countRows, encodeGroups } from '../../core/writers/lake-writer.js';
import {
  answerId,
  emptyGroup,
  type FileGroup,
  keepLatestAnswers,
  type RejectedLine,
  type RouteInput,
  routeInputs,
} from '../../core/writers/route.js';
import { outputStemOf, RAW_SUFFIX, readRawKey, type UnreadableLine } from './raw-archive.js';
import { MAX_PARTITION_TEXT_BYTES } from './read-limits.js';
import { readRejectedKey } from './rejected-archive.js';

/** One partition to rebuild, and the raw files that hold its envelopes. */
export interface PartitionJob {
  readonly partition: PartitionValues;
  /** Raw files in the partition's own folder, `raw/<partition>/…`. */
  readonly rawKeys: readonly string[];
  /** Raw files elsewhere under `raw/` (restored archives) holding envelopes of this partition. */
  readonly looseKeys: readonly string[];
  /** Say what would change; write and remove nothing. */
  readonly dryRun: boolean;
  /** Only partitions holding an envelope of one of these place codes are rebuilt (whole). */
  readonly places?: readonly string[];
}

export interface PartitionResult {
  readonly partition: string;
  /** False when `places` was given and no envelope of those places is in the partition. */
  readonly selected: boolean;
  readonly envelopes: number;
  /** Rows rebuilt in each table of the datasets, by table name. */
  readonly rows: Readonly<Record<string, number>>;
  readonly rejectedRecords: number;
  readonly flaggedRecords: number;
  /** Envelopes in this partition's raw folder whose `collectedAt` belongs to another partition. */
  readonly misfiled: { key: string; line: number; belongsTo: string }[];
  readonly unreadable: UnreadableLine[];
  /** Keys written (or, on a dry run, that would be): new, or with other bytes than before. */
  readonly written: string[];
  /** Keys rebuilt with the very bytes they already had, so not written again. */
  readonly unchanged: string[];
  /** Tables that hold a rebuilt file in this partition (to register it in the catalog). */
  readonly tables: string[];
  /** Old keys removed (or that would be): not derived from raw/ and holding nothing raw/ lacks. */
  readonly removed: string[];
  /** Old keys left in place, with the reason (they hold rows that raw/ cannot rebuild). */
  readonly kept: { key: string; reason: string }[];
  /** Table files no raw file names: see {@link removeOldTableFiles}. */
  readonly oldTableFiles: string[];
  /** The answers rebuilt (`service|place|collection time`), when there are old table files to weigh. */
  readonly rebuiltKeys: string[];
}

/** Replay reports in its summary; a line per record would drown a year's replay. */
const QUIET = new ConsoleLog('silent');

const rejectionKey = (line: { runId?: string; placeCode?: string; collectedAt?: string }) =>
  `${line.runId}|${line.placeCode}|${line.collectedAt ? new Date(line.collectedAt).toISOString() : ''}`;

/**
 * Rebuilds one minute partition of the tables and `rejected/` from its raw files, through the
 * writer's own stages (route, encode, commit) with today's normalizer and encoder. Each raw file
 * `X.jsonl.gz` is one file group named `X`, so a replay of an untouched lake rebuilds the very
 * files the writer wrote, byte for byte, and writes none of them again. One answer per (place,
 * collection time) is kept across the partition (the writer's optional step: the latest answer
 * wins, in the warehouse merge's order).
 *
 * Order: every new file is written (each one atomically: temp + rename, or one S3 PUT) before any
 * old file is removed, so at every moment a reader finds each row in an old or a new file. Old
 * table files are weighed afterwards by {@link removeOldTableFiles}. Lines of `rejected/` that raw/
 * cannot rebuild (records that were never envelopes) are carried over.
 */
export async function rebuildPartition(
  job: PartitionJob,
  store: ObjectStore,
  now: () => Date = () => new Date(),
): Promise<PartitionResult> {
  const path = partitionPath(job.partition);
  const previous = await readPreviousRejections(store, path);
  const read = await readPartitionInputs(job, store, path);
  const { groups, flaggedRecords } = routeInputs(read.inputs, now, QUIET);
  const answers = keepLatestAnswers(groups);
  const places = job.places;
  if (places && !groups.some((group) => hasPlace(group, places)))
    return { ...emptyResult(path), unreadable: read.unreadable, misfiled: read.misfiled };

  // The same record rejected before keeps its time and source: a replay changes nothing.
  for (const group of groups)
    group.rejected.forEach((line, index) => {
      const before = previous.byEnvelope.get(rejectionKey(line));
      if (before) group.rejected[index] = { ...line, ...pick(before, 'rejectedAt', 'source') };
    });
  const rejectedRecords = groups.reduce((total, group) => total + group.rejected.length, 0);
  const rebuilt = new Set([...answers, ...groups.flatMap((g) => g.rejected.map(rejectionKey))]);
  const removed = carryOldRejections(groups, previous, rebuilt, job.partition);

  const tableFiles: string[] = [];
  for (const table of DATASET_TABLES) tableFiles.push(...(await store.list(`${table.name}/${path}/`)));
  const committed = await commitFiles(
    encodeGroups(groups),
    { store, catalog: NO_CATALOG },
    { existing: new Set([...previous.files.keys(), ...tableFiles]), dryRun: job.dryRun },
  );
  const rebuiltFiles = new Set([...committed.keys, ...committed.unchanged]);
  // Old table files that no raw file names: removed later, only if raw/ rebuilt every row they hold.
  const oldTableFiles = tableFiles.filter((key) => !rebuiltFiles.has(key) && key.endsWith('.parquet'));
  if (!job.dryRun) for (const key of removed) await store.delete(key);
  return {
    partition: path,
    selected: true,
    envelopes: read.inputs.length,
    rows: countRows(groups),
    rejectedRecords,
    flaggedRecords,
    misfiled: read.misfiled,
    unreadable: read.unreadable,
    written: committed.keys,
    unchanged: committed.unchanged,
    tables: [...committed.tablePartitions.keys()],
    removed,
    kept: [],
    oldTableFiles,
    rebuiltKeys: oldTableFiles.length > 0 ? [...answers] : [],
  };
}

/**
 * The partition's envelopes as route inputs, each named after its raw file. An envelope in the
 * partition's folder that belongs to another partition is reported (and replayed there, from its
 * own raw folder or as a loose file); a loose file's envelopes of other partitions are theirs.
 */
async function readPartitionInputs(
  job: PartitionJob,
  store: ObjectStore,
  path: string,
): Promise<{ inputs: RouteInput[]; misfiled: PartitionResult['misfiled']; unreadable: UnreadableLine[] }> {
  const inputs: RouteInput[] = [];
  const misfiled: PartitionResult['misfiled'] = [];
  const unreadable: UnreadableLine[] = [];
  let textBytes = 0;
  for (const key of [...job.rawKeys, ...job.looseKeys]) {
    const loose = !job.rawKeys.includes(key);
    // A loose file's envelopes of other partitions are let go as they are read.
    const raw = await readRawKey(
      store,
      key,
      loose
        ? (envelope) => partitionPath(partitionValuesFor(new Date(envelope.collectedAt))) === path
        : undefined,
    );
    // Memory: a partition's envelopes are held together while it is rebuilt.
    textBytes += raw.keptBytes;
    if (textBytes > MAX_PARTITION_TEXT_BYTES)
      throw new StorageError(
        `its raw files decompress to more than ${MAX_PARTITION_TEXT_BYTES / 1_048_576} MiB together (the limit of one partition's rebuild): not rebuilt`,
      );
    if (!loose) unreadable.push(...raw.unreadable);
    const stem = outputStemOf(key);
    for (const { envelope, line } of raw.envelopes) {
      const arrivedAt = new Date(envelope.collectedAt);
      const belongsTo = partitionPath(partitionValuesFor(arrivedAt));
      if (belongsTo !== path) {
        if (!loose) misfiled.push({ key, line, belongsTo });
        continue;
      }
      inputs.push({
        stem,
        decoded: { kind: 'envelope', envelope },
        source: { raw: key, line },
        arrivedAt,
        archived: true,
      });
    }
  }
  return { inputs, misfiled, unreadable };
}

/**
 * Lines of the partition's old `rejected/` files that raw/ cannot rebuild (poison records, never
 * envelopes) go on into the file of the same name. An old file none of whose lines is rebuilt is
 * left as it is; one whose every line is rebuilt elsewhere is returned, to be removed.
 */
function carryOldRejections(
  groups: FileGroup[],
  previous: PreviousRejections,
  rebuilt: ReadonlySet<string>,
  partition: PartitionValues,
): string[] {
  const removed: string[] = [];
  const prefix = objectKey('rejected', partition, '');
  const groupOf = new Map(groups.map((g) => [`${prefix}${g.stem}${RAW_SUFFIX}`, g]));
  for (const [key, old] of previous.files) {
    if (!old.whole) {
      // Its lines are unknown: it is left as it is, and may not be overwritten by a new file.
      if (groupOf.get(key)?.rejected.length)
        throw new StorageError(
          `${key} cannot be read (${old.reason}) and would be replaced by the rebuilt rejections: partition left as it is`,
        );
      continue;
    }
    const carried = old.lines.filter((line) => !isRebuilt(line, rebuilt)) as RejectedLine[];
    const group = groupOf.get(key);
    if (group && group.rejected.length > 0) group.rejected.push(...carried);
    else if (carried.length === old.lines.length && !old.unreadable)
      continue; // nothing in it is rebuilt: leave it
    else if (carried.length === 0) removed.push(key);
    else if (group) group.rejected.push(...carried);
    else {
      const rest = emptyGroup(partition, key.slice(prefix.length, -RAW_SUFFIX.length));
      rest.rejected.push(...carried);
      groups.push(rest);
    }
  }
  return removed;
}

function hasPlace(group: FileGroup, places: readonly string[]): boolean {
  return (
    [...group.answers.values()].some((answer) => places.includes(answer.place)) ||
    group.rejected.some((line) => line.placeCode !== undefined && places.includes(line.placeCode))
  );
}

/** The old line's rejection time and source, where it has them. */
function pick(line: OldRejectedLine, ...fields: ('rejectedAt' | 'source')[]): Partial<RejectedLine> {
  return Object.fromEntries(fields.filter((f) => line[f] !== undefined).map((f) => [f, line[f]]));
}

function emptyResult(partition: string): PartitionResult {
  return {
    partition,
    selected: false,
    envelopes: 0,
    rows: {},
    rejectedRecords: 0,
    flaggedRecords: 0,
    misfiled: [],
    unreadable: [],
    written: [],
    unchanged: [],
    tables: [],
    removed: [],
    kept: [],
    oldTableFiles: [],
    rebuiltKeys: [],
  };
}

interface OldRejectedLine {
  readonly runId?: string;
  readonly placeCode?: string;
  readonly collectedAt?: string;
  readonly rejectedAt?: string;
  readonly source?: RejectedLine['source'];
  readonly record?: unknown;
}

interface PreviousRejections {
  /** `whole` false: the file could not be read to its end, so it is never replaced nor removed. */
  readonly files: Map<
    string,
    { lines: OldRejectedLine[]; unreadable: boolean; whole: boolean; reason?: string }
  >;
  readonly byEnvelope: Map<string, OldRejectedLine>;
}

async function readPreviousRejections(store: ObjectStore, path: string): Promise<PreviousRejections> {
  const files: PreviousRejections['files'] = new Map();
  const byEnvelope = new Map<string, OldRejectedLine>();
  for (const key of await store.list(`rejected/${path}/`)) {
    if (!key.endsWith(RAW_SUFFIX)) continue;
    const file = await readRejectedKey(store, key);
    const lines = file.lines.map((record) => record.value as OldRejectedLine);
    files.set(key, {
      lines,
      unreadable: file.unreadable.length > 0,
      whole: file.whole,
      ...(file.whole ? {} : { reason: file.unreadable[0]?.reason ?? 'cannot be read' }),
    });
    for (const line of lines) if (line.runId !== undefined) byEnvelope.set(rejectionKey(line), line);
  }
  return { files, byEnvelope };
}

/** A poison record (never an envelope) has no run id and can only come from its old line. */
function isRebuilt(line: OldRejectedLine, rebuilt: ReadonlySet<string>): boolean {
  if (line.runId === undefined || line.placeCode === undefined || line.collectedAt === undefined)
    return false;
  const service = (line.record as { dataset?: unknown } | undefined)?.dataset;
  return (
    rebuilt.has(rejectionKey(line)) ||
    (typeof service === 'string' && rebuilt.has(answerId(service, line.placeCode, line.collectedAt)))
  );
}

/**
 * Removes the partition's old table files that no raw file names (a planted copy, a file left by
 * another writer) once the new files are in place — but only a file whose every (place, collection
 * time) was rebuilt, or that no reader can open. A file holding rows raw/ lacks is the only copy
 * of them: it is kept and reported. Runs on the main thread, where DuckDB reads the keys.
 */
export async function removeOldTableFiles(
  result: PartitionResult,
  store: ObjectStore,
  readKeys: (key: string) => Promise<string[]>,
  dryRun: boolean,
): Promise<PartitionResult> {
  if (result.oldTableFiles.length === 0) return result;
  const rebuilt = new Set(result.rebuiltKeys);
  const removed = [...result.removed];
  const kept = [...result.kept];
  for (const key of result.oldTableFiles) {
    let keys: string[];
    try {
      keys = await readKeys(key);
    } catch {
      // No reader can use it; raw/ is the source of whatever it was meant to hold.
      removed.push(key);
      continue;
    }
    // The file's rows are answers of the dataset its table belongs to.
    const service = datasetOfTable(key.slice(0, key.indexOf('/')))?.service;
    const missing = keys.filter((id) => !rebuilt.has(`${service}|${id}`)).length;
    if (missing === 0) removed.push(key);
    else kept.push({ key, reason: `${missing} row(s) whose (place, collection time) is not in raw/` });
  }
  if (!dryRun) for (const key of removed.slice(result.removed.length)) await store.delete(key);
  return { ...result, removed, kept, oldTableFiles: [], rebuiltKeys: [] };
}
