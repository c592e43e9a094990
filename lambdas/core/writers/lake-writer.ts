import type { PartitionCatalog } from '../catalog/partition-catalog.js';
import type { Envelope } from '../envelope.js';
import { describeError, StorageError } from '../errors.js';
import { encodeJsonLinesGzip } from '../lake/jsonl.js';
import { encodeParquet } from '../lake/parquet.js';
import { type LakeArea, objectKey, partitionPath, partitionValuesFor } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import { normalizeEnvelope } from '../normalizer.js';
import {
  type ForecastRow,
  type PartitionValues,
  POPULATION,
  POPULATION_FORECAST,
  type PopulationRow,
  TABLES,
  type TableName,
} from '../schema.js';
import { decodeSourceRecord, type SourceRecord } from '../source-record.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface LakeWriterDeps {
  readonly store: ObjectStore;
  readonly catalog: PartitionCatalog;
  readonly log: Log;
  readonly now?: () => Date;
}

export interface BatchWriteResult {
  readonly records: number;
  readonly populationRows: number;
  readonly forecastRows: number;
  readonly rawRecords: number;
  readonly rejectedRecords: number;
  /** Records kept in the tables with a warning (e.g. an unknown congestion label). */
  readonly flaggedRecords: number;
  readonly files: string[];
  /** Partitions of `population` / `population_forecast` written to, as `year=…/…/minute=…`. */
  readonly partitions: string[];
  /** The newest `population_time` among the rows written: how fresh the data is. */
  readonly newestPopulationTime?: Date;
}

/** A line of `rejected/`: what arrived, where from, and every reason it could not be used. */
export interface RejectedLine {
  readonly reasons: string[];
  readonly rejectedAt: string;
  readonly source: { topic: string; partition: number; offset: number };
  readonly runId?: string;
  readonly collectedAt?: string;
  readonly placeCode?: string;
  readonly record: unknown;
}

/** Everything one file group holds: one minute partition × one source (topic and Kafka partition). */
export interface FileGroup {
  readonly partition: PartitionValues;
  /** The file name without extension: `<topic>-<Kafka partition>-<first offset>`. */
  readonly stem: string;
  readonly population: Map<string, PopulationRow>;
  readonly forecasts: Map<string, ForecastRow[]>;
  readonly raw: Envelope[];
  readonly rejected: RejectedLine[];
}

/** One file for the lake, encoded and named, ready to be committed. */
export interface LakeFile {
  readonly area: LakeArea;
  readonly partition: PartitionValues;
  readonly key: string;
  readonly body: Buffer;
}

/**
 * Writes one batch of records to the lake: `population` and `population_forecast` Parquet, every
 * envelope to `raw/`, every unusable record to `rejected/` with its reasons. File names come from
 * the source (topic, Kafka partition, first offset), so a redelivered batch overwrites its own
 * files: at-least-once delivery, exactly-once rows. A bad record never fails the batch; a storage
 * or catalog failure throws, so the batch is delivered again.
 *
 * Three stages: route the records into file groups (no I/O), encode each group into its files,
 * commit them (put every file, then register the partitions written).
 */
export async function writeBatch(
  records: readonly SourceRecord[],
  deps: LakeWriterDeps,
): Promise<BatchWriteResult> {
  const now = deps.now ?? (() => new Date());
  const routed = routeRecords(records, now, deps.log);
  const committed = await commitFiles(encodeGroups(routed.groups), deps);
  return tally(records.length, routed, committed);
}

/**
 * Stage 1: decodes, normalizes and routes every record into its file group. One row per place and
 * collection time per group, even if the fetcher published a place twice.
 */
export function routeRecords(
  records: readonly SourceRecord[],
  now: () => Date,
  log: Log,
): { groups: FileGroup[]; flaggedRecords: number } {
  const groups = new Map<string, FileGroup>();
  let flaggedRecords = 0;

  const groupFor = (record: SourceRecord, partition: PartitionValues): FileGroup => {
    const id = `${partitionPath(partition)}|${record.topic}|${record.partition}`;
    let group = groups.get(id);
    if (!group) {
      // Records arrive in offset order per Kafka partition, so the first one seen names the files.
      const stem = `${safeName(record.topic)}-${record.partition}-${record.offset}`;
      group = { partition, stem, population: new Map(), forecasts: new Map(), raw: [], rejected: [] };
      groups.set(id, group);
    }
    return group;
  };
  const rejectedLine = (
    record: SourceRecord,
    reasons: string[],
    value: unknown,
    envelope?: Envelope,
  ): RejectedLine => ({
    reasons,
    rejectedAt: now().toISOString(),
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    runId: envelope?.runId,
    collectedAt: envelope?.collectedAt,
    placeCode: envelope?.place.code,
    record: value,
  });

  for (const record of records) {
    const decoded = decodeSourceRecord(record);
    if (decoded.kind === 'poison') {
      // No trustworthy collectedAt: file it under the time the message was produced.
      const group = groupFor(record, partitionValuesFor(new Date(record.timestamp ?? now().getTime())));
      group.rejected.push(rejectedLine(record, [decoded.reason], decoded.value));
      log.warn('record rejected', {
        offset: record.offset,
        partition: record.partition,
        reason: decoded.reason,
      });
      continue;
    }
    const { envelope } = decoded;
    const group = groupFor(record, partitionValuesFor(new Date(envelope.collectedAt)));
    group.raw.push(envelope);
    const normalized = normalizeEnvelope(envelope);
    if (!normalized.ok) {
      group.rejected.push(rejectedLine(record, normalized.reasons, envelope, envelope));
      log.warn('record rejected', {
        place: envelope.place.code,
        runId: envelope.runId,
        reasons: normalized.reasons,
      });
      continue;
    }
    if (normalized.warnings.length > 0) {
      flaggedRecords++;
      log.warn('record flagged', {
        place: envelope.place.code,
        runId: envelope.runId,
        warnings: normalized.warnings,
      });
    }
    const rowKey = `${normalized.population.area_code}|${envelope.collectedAt}`;
    group.population.set(rowKey, normalized.population);
    group.forecasts.set(rowKey, normalized.forecasts);
  }
  return { groups: [...groups.values()], flaggedRecords };
}

/**
 * Stage 2: the batch's files, encoded one at a time as they are committed. The archive first, then
 * rejections, then the tables: a batch cut short (a crash, a full disk) leaves at worst envelopes
 * in raw/ whose rows are missing, which replay from raw/ restores — never a row whose answer is
 * not archived. An area with nothing to hold gets no file.
 */
export async function* encodeGroups(groups: readonly FileGroup[]): AsyncGenerator<LakeFile> {
  const areas: readonly {
    area: LakeArea;
    ext: string;
    count: (group: FileGroup) => number;
    encode: (group: FileGroup) => Promise<Buffer> | Buffer;
  }[] = [
    { area: 'raw', ext: 'jsonl.gz', count: (g) => g.raw.length, encode: (g) => encodeJsonLinesGzip(g.raw) },
    {
      area: 'rejected',
      ext: 'jsonl.gz',
      count: (g) => g.rejected.length,
      encode: (g) => encodeJsonLinesGzip(g.rejected),
    },
    {
      area: 'population',
      ext: 'parquet',
      count: (g) => g.population.size,
      encode: (g) => encodeParquet(POPULATION, [...g.population.values()]),
    },
    {
      area: 'population_forecast',
      ext: 'parquet',
      count: (g) => [...g.forecasts.values()].reduce((total, rows) => total + rows.length, 0),
      encode: (g) => encodeParquet(POPULATION_FORECAST, [...g.forecasts.values()].flat()),
    },
  ];
  for (const output of areas) {
    for (const group of groups) {
      if (output.count(group) === 0) continue;
      yield {
        area: output.area,
        partition: group.partition,
        key: objectKey(output.area, group.partition, `${group.stem}.${output.ext}`),
        body: await output.encode(group),
      };
    }
  }
}

/** What a commit wrote: every key, and the partitions of each table it wrote to. */
export interface CommitResult {
  readonly keys: string[];
  readonly tablePartitions: ReadonlyMap<TableName, ReadonlyMap<string, PartitionValues>>;
}

const TABLE_AREAS = new Set<LakeArea>(TABLES.map((table) => table.name));

/**
 * Stage 3: puts every file in the store (each whole or not at all: the store's temp + rename, or
 * one S3 PUT), then registers the table partitions written in the
 * catalog (the writer's Glue catalog; `NO_CATALOG` for the fetcher and locally). The files of a
 * batch and the outcomes file of a run are committed the same way.
 */
export async function commitFiles(
  files: Iterable<LakeFile> | AsyncIterable<LakeFile>,
  deps: Pick<LakeWriterDeps, 'store' | 'catalog'>,
): Promise<CommitResult> {
  const keys: string[] = [];
  const tablePartitions = new Map<TableName, Map<string, PartitionValues>>();
  for await (const file of files) {
    await deps.store.put(file.key, file.body, contentTypeOf(file.key));
    keys.push(file.key);
    if (!TABLE_AREAS.has(file.area)) continue;
    const table = file.area as TableName;
    if (!tablePartitions.has(table)) tablePartitions.set(table, new Map());
    tablePartitions.get(table)?.set(partitionPath(file.partition), file.partition);
  }
  for (const [table, partitions] of tablePartitions) {
    try {
      await deps.catalog.registerPartitions(table, [...partitions.values()]);
    } catch (error) {
      throw new StorageError(
        `cannot register ${partitions.size} partition(s) of ${table}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  return { keys, tablePartitions };
}

/** Stage 4: the batch's counts, from its groups and what was committed. */
function tally(
  records: number,
  routed: { groups: readonly FileGroup[]; flaggedRecords: number },
  committed: CommitResult,
): BatchWriteResult {
  let newestPopulationTime: Date | undefined;
  let populationRows = 0;
  let forecastRows = 0;
  for (const group of routed.groups) {
    populationRows += group.population.size;
    for (const row of group.population.values()) {
      if (!newestPopulationTime || row.population_time > newestPopulationTime)
        newestPopulationTime = row.population_time;
    }
    for (const rows of group.forecasts.values()) forecastRows += rows.length;
  }
  const partitions = [...committed.tablePartitions.values()].flatMap((written) => [...written.keys()]);
  return {
    records,
    populationRows,
    forecastRows,
    rawRecords: routed.groups.reduce((total, group) => total + group.raw.length, 0),
    rejectedRecords: routed.groups.reduce((total, group) => total + group.rejected.length, 0),
    flaggedRecords: routed.flaggedRecords,
    files: committed.keys,
    partitions: [...new Set(partitions)].sort(),
    ...(newestPopulationTime ? { newestPopulationTime } : {}),
  };
}

function contentTypeOf(key: string): string {
  return key.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip';
}

/** Topic names may hold characters that are awkward in file names; keep them readable but safe. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}
