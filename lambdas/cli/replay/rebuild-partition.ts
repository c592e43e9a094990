import { gunzipSync } from 'node:zlib';
import type { Envelope } from '../../core/envelope.js';
import { encodeJsonLinesGzip } from '../../core/lake/jsonl.js';
import { encodeParquet } from '../../core/lake/parquet.js';
import { objectKey, partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import { normalizeEnvelope } from '../../core/normalizer.js';
import {
  type ForecastRow,
  type PartitionValues,
  POPULATION,
  POPULATION_FORECAST,
  type PopulationRow,
} from '../../core/schema.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import type { RejectedLine } from '../../core/writers/lake-writer.js';
import { outputStemOf, RAW_SUFFIX, readRawFile, type UnreadableLine } from './raw-archive.js';

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
  readonly populationRows: number;
  readonly forecastRows: number;
  readonly rejectedRecords: number;
  readonly flaggedRecords: number;
  /** Envelopes in this partition's raw folder whose `collectedAt` belongs to another partition. */
  readonly misfiled: { key: string; line: number; belongsTo: string }[];
  readonly unreadable: UnreadableLine[];
  /** Keys written (or, on a dry run, that would be): new, or with other bytes than before. */
  readonly written: string[];
  /** Keys rebuilt with the very bytes they already had, so not written again. */
  readonly unchanged: string[];
  /** Old keys removed (or that would be): not derived from raw/ and holding nothing raw/ lacks. */
  readonly removed: string[];
  /** Old keys left in place, with the reason (they hold rows that raw/ cannot rebuild). */
  readonly kept: { key: string; reason: string }[];
  /** Table files no raw file names: see {@link removeOldTableFiles}. */
  readonly oldTableFiles: string[];
  /** The (place, collection time) keys rebuilt, when there are old table files to weigh. */
  readonly rebuiltKeys: string[];
}

/** A line of `rejected/` written by replay: like the writer's, but a new rejection names its raw line. */
type ReplayedRejectedLine = Omit<RejectedLine, 'source'> & {
  readonly source: RejectedLine['source'] | { readonly raw: string; readonly line: number };
};

interface Output {
  readonly stem: string;
  readonly population: Map<string, PopulationRow>;
  readonly forecasts: Map<string, ForecastRow[]>;
  readonly rejected: ReplayedRejectedLine[];
}

const TABLE_AREAS = ['population', 'population_forecast'] as const;
const PARQUET_TYPE = 'application/vnd.apache.parquet';
const GZIP_TYPE = 'application/gzip';

/** `area_code|collected_at` with the instant in one canonical form, whatever the envelope's spelling. */
const rowKey = (areaCode: string, collectedAt: Date | string) =>
  `${areaCode}|${new Date(collectedAt).toISOString()}`;
const rejectionKey = (line: { runId?: string; placeCode?: string; collectedAt?: string }) =>
  `${line.runId}|${line.placeCode}|${line.collectedAt ? new Date(line.collectedAt).toISOString() : ''}`;

/**
 * Rebuilds one minute partition of `population`, `population_forecast` and `rejected/` from its
 * raw files with today's normalizer and encoder. Each raw file `X.jsonl.gz` gives `X.parquet` in
 * both tables and `X.jsonl.gz` in `rejected/`, so a replay of an untouched lake rewrites the very
 * files the writer wrote, with identical rows. One row per (place, collection time) is kept across
 * the partition (the latest answer wins, as in the warehouse's merge).
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
  const outputs = new Map<string, Output>();
  const winners = new Map<string, { output: Output; fetchedAt: number }>();
  const unreadable: UnreadableLine[] = [];
  const misfiled: PartitionResult['misfiled'] = [];
  let envelopes = 0;
  let flaggedRecords = 0;

  const previous = await readPreviousRejections(store, path);

  for (const key of [...job.rawKeys, ...job.looseKeys]) {
    const loose = !job.rawKeys.includes(key);
    const raw = readRawFile(key, await store.get(key));
    if (!loose) unreadable.push(...raw.unreadable);
    const stem = outputStemOf(key);
    const output: Output = { stem, population: new Map(), forecasts: new Map(), rejected: [] };
    for (const { envelope, line } of raw.envelopes) {
      const belongsTo = partitionPath(partitionValuesFor(new Date(envelope.collectedAt)));
      if (belongsTo !== path) {
        if (!loose) misfiled.push({ key, line, belongsTo });
        continue;
      }
      envelopes++;
      const normalized = normalizeEnvelope(envelope);
      if (!normalized.ok) {
        output.rejected.push(rejectedLine(envelope, normalized.reasons, key, line, previous, now));
        continue;
      }
      if (normalized.warnings.length > 0) flaggedRecords++;
      const id = rowKey(normalized.population.area_code, envelope.collectedAt);
      const fetchedAt = Date.parse(envelope.fetchedAt);
      const winner = winners.get(id);
      // Within a file the last line wins (as in the writer's batch); across files the latest answer.
      if (winner && winner.output !== output && winner.fetchedAt > fetchedAt) continue;
      if (winner && winner.output !== output) {
        winner.output.population.delete(id);
        winner.output.forecasts.delete(id);
      }
      output.population.set(id, normalized.population);
      output.forecasts.set(id, normalized.forecasts);
      winners.set(id, { output, fetchedAt });
    }
    outputs.set(stem, output);
  }

  if (job.places && ![...outputs.values()].some((o) => hasPlace(o, job.places as readonly string[])))
    return { ...emptyResult(path), unreadable, misfiled };

  // What to write, by key.
  const files = new Map<string, { encode: () => Promise<Buffer> | Buffer; contentType: string }>();
  let populationRows = 0;
  let forecastRows = 0;
  let rejectedRecords = 0;
  for (const output of outputs.values()) {
    const population = [...output.population.values()];
    const forecasts = [...output.forecasts.values()].flat();
    populationRows += population.length;
    forecastRows += forecasts.length;
    rejectedRecords += output.rejected.length;
    if (population.length > 0)
      files.set(objectKey('population', job.partition, `${output.stem}.parquet`), {
        encode: () => encodeParquet(POPULATION, population),
        contentType: PARQUET_TYPE,
      });
    if (forecasts.length > 0)
      files.set(objectKey('population_forecast', job.partition, `${output.stem}.parquet`), {
        encode: () => encodeParquet(POPULATION_FORECAST, forecasts),
        contentType: PARQUET_TYPE,
      });
  }

  // rejected/: new rejections per raw file, plus every old line that raw/ cannot rebuild.
  const rebuilt = new Set([...outputs.values()].flatMap((o) => o.rejected.map(rejectionKey)));
  for (const id of winners.keys()) rebuilt.add(id);
  const rejectedFiles = new Map<string, unknown[]>();
  for (const output of outputs.values())
    if (output.rejected.length > 0)
      rejectedFiles.set(objectKey('rejected', job.partition, `${output.stem}${RAW_SUFFIX}`), [
        ...output.rejected,
      ]);
  const kept: PartitionResult['kept'] = [];
  const removed: string[] = [];
  for (const [key, old] of previous.files) {
    const carried = old.lines.filter((line) => !isRebuilt(line, rebuilt));
    const target = rejectedFiles.get(key);
    if (target) target.push(...carried);
    else if (carried.length === old.lines.length && !old.unreadable)
      continue; // nothing in it is rebuilt: leave it
    else if (carried.length > 0) rejectedFiles.set(key, carried);
    else removed.push(key);
  }
  for (const [key, lines] of rejectedFiles)
    files.set(key, { encode: () => encodeJsonLinesGzip(lines), contentType: GZIP_TYPE });

  // Old table files that no raw file names: removed later, only if raw/ rebuilt every row they hold.
  const existing = new Set(previous.files.keys());
  const oldTableFiles: string[] = [];
  for (const area of TABLE_AREAS) {
    for (const key of await store.list(`${area}/${path}/`)) {
      existing.add(key);
      if (!files.has(key) && key.endsWith('.parquet')) oldTableFiles.push(key);
    }
  }

  // A file whose bytes would not change is not written again: a second replay changes nothing.
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [key, file] of files) {
    const body = await file.encode();
    if (existing.has(key) && body.equals(await store.get(key))) {
      unchanged.push(key);
      continue;
    }
    written.push(key);
    if (!job.dryRun) await store.put(key, body, file.contentType);
  }
  if (!job.dryRun) for (const key of removed) await store.delete(key);
  return {
    partition: path,
    selected: true,
    envelopes,
    populationRows,
    forecastRows,
    rejectedRecords,
    flaggedRecords,
    misfiled,
    unreadable,
    written,
    unchanged,
    removed,
    kept,
    oldTableFiles,
    rebuiltKeys: oldTableFiles.length > 0 ? [...winners.keys()] : [],
  };
}

function hasPlace(output: Output, places: readonly string[]): boolean {
  return (
    [...output.population.values()].some((row) => places.includes(row.area_code)) ||
    output.rejected.some((line) => line.placeCode !== undefined && places.includes(line.placeCode))
  );
}

function emptyResult(partition: string): PartitionResult {
  return {
    partition,
    selected: false,
    envelopes: 0,
    populationRows: 0,
    forecastRows: 0,
    rejectedRecords: 0,
    flaggedRecords: 0,
    misfiled: [],
    unreadable: [],
    written: [],
    unchanged: [],
    removed: [],
    kept: [],
    oldTableFiles: [],
    rebuiltKeys: [],
  };
}

function rejectedLine(
  envelope: Envelope,
  reasons: string[],
  rawKey: string,
  line: number,
  previous: PreviousRejections,
  now: () => Date,
): ReplayedRejectedLine {
  const identity = {
    runId: envelope.runId,
    collectedAt: envelope.collectedAt,
    placeCode: envelope.place.code,
  };
  // The same record rejected before keeps its time and Kafka source: a replay changes nothing.
  const before = previous.byEnvelope.get(rejectionKey(identity));
  return {
    reasons,
    rejectedAt: before?.rejectedAt ?? now().toISOString(),
    source: before?.source ?? { raw: rawKey, line },
    ...identity,
    record: envelope,
  };
}

interface OldRejectedLine {
  readonly runId?: string;
  readonly placeCode?: string;
  readonly collectedAt?: string;
  readonly rejectedAt?: string;
  readonly source?: ReplayedRejectedLine['source'];
}

interface PreviousRejections {
  readonly files: Map<string, { lines: OldRejectedLine[]; unreadable: boolean }>;
  readonly byEnvelope: Map<string, OldRejectedLine>;
}

async function readPreviousRejections(store: ObjectStore, path: string): Promise<PreviousRejections> {
  const files: PreviousRejections['files'] = new Map();
  const byEnvelope = new Map<string, OldRejectedLine>();
  for (const key of await store.list(`rejected/${path}/`)) {
    if (!key.endsWith(RAW_SUFFIX)) continue;
    const lines: OldRejectedLine[] = [];
    let unreadable = false;
    try {
      for (const text of gunzipSync(await store.get(key))
        .toString('utf8')
        .split('\n')) {
        if (text.trim() === '') continue;
        try {
          lines.push(JSON.parse(text) as OldRejectedLine);
        } catch {
          unreadable = true;
        }
      }
    } catch {
      unreadable = true;
    }
    files.set(key, { lines, unreadable });
    for (const line of lines) if (line.runId !== undefined) byEnvelope.set(rejectionKey(line), line);
  }
  return { files, byEnvelope };
}

/** A poison record (never an envelope) has no run id and can only come from its old line. */
function isRebuilt(line: OldRejectedLine, rebuilt: Set<string>): boolean {
  if (line.runId === undefined || line.placeCode === undefined || line.collectedAt === undefined)
    return false;
  return rebuilt.has(rejectionKey(line)) || rebuilt.has(rowKey(line.placeCode, line.collectedAt));
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
    const missing = keys.filter((id) => !rebuilt.has(id)).length;
    if (missing === 0) removed.push(key);
    else kept.push({ key, reason: `${missing} row(s) whose (place, collection time) is not in raw/` });
  }
  if (!dryRun) for (const key of removed.slice(result.removed.length)) await store.delete(key);
  return { ...result, removed, kept, oldTableFiles: [], rebuiltKeys: [] };
}
