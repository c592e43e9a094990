import type { PartitionCatalog } from '../catalog.js';
import type { Envelope } from '../envelope.js';
import { describeError, StorageError } from '../errors.js';
import type { Log } from '../logger.js';
import { normalizeEnvelope } from '../normalizer.js';
import {
  type ForecastRow,
  type PartitionValues,
  POPULATION,
  POPULATION_FORECAST,
  type PopulationRow,
  type TableName,
} from '../schema.js';
import { decodeSourceRecord, type SourceRecord } from '../source-record.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJsonLinesGzip } from './jsonl.js';
import { encodeParquet } from './parquet.js';
import { type LakeArea, objectKey, partitionPath, partitionValuesFor } from './partitions.js';

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
interface FileGroup {
  readonly partition: PartitionValues;
  readonly stem: string;
  readonly population: Map<string, PopulationRow>;
  readonly forecasts: Map<string, ForecastRow[]>;
  readonly raw: Envelope[];
  readonly rejected: RejectedLine[];
}

/**
 * Writes one batch of records to the lake: `population` and `population_forecast` Parquet, every
 * envelope to `raw/`, every unusable record to `rejected/` with its reasons. File names come from
 * the source (topic, Kafka partition, first offset), so a redelivered batch overwrites its own
 * files: at-least-once delivery, exactly-once rows. A bad record never fails the batch; a storage
 * or catalog failure throws, so the batch is delivered again.
 */
export async function writeBatch(
  records: readonly SourceRecord[],
  deps: LakeWriterDeps,
): Promise<BatchWriteResult> {
  const now = deps.now ?? (() => new Date());
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
      deps.log.warn('record rejected', {
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
      deps.log.warn('record rejected', {
        place: envelope.place.code,
        runId: envelope.runId,
        reasons: normalized.reasons,
      });
      continue;
    }
    if (normalized.warnings.length > 0) {
      flaggedRecords++;
      deps.log.warn('record flagged', {
        place: envelope.place.code,
        runId: envelope.runId,
        warnings: normalized.warnings,
      });
    }
    // One row per place and collection time, even if the fetcher published a place twice.
    const rowKey = `${normalized.population.area_code}|${envelope.collectedAt}`;
    group.population.set(rowKey, normalized.population);
    group.forecasts.set(rowKey, normalized.forecasts);
  }

  const files: string[] = [];
  const written = new Map<TableName, Map<string, PartitionValues>>([
    ['population', new Map()],
    ['population_forecast', new Map()],
  ]);
  let populationRows = 0;
  let forecastRows = 0;
  let newestPopulationTime: Date | undefined;
  type Output = {
    area: LakeArea;
    group: FileGroup;
    name: string;
    count: number;
    encode: () => Promise<Buffer> | Buffer;
  };
  const outputs: Output[] = [];
  for (const group of groups.values()) {
    const population = [...group.population.values()];
    for (const row of population) {
      if (!newestPopulationTime || row.population_time > newestPopulationTime)
        newestPopulationTime = row.population_time;
    }
    const forecasts = [...group.forecasts.values()].flat();
    const parquetName = `${group.stem}.parquet`;
    const linesName = `${group.stem}.jsonl.gz`;
    outputs.push(
      {
        area: 'raw',
        group,
        name: linesName,
        count: group.raw.length,
        encode: () => encodeJsonLinesGzip(group.raw),
      },
      {
        area: 'rejected',
        group,
        name: linesName,
        count: group.rejected.length,
        encode: () => encodeJsonLinesGzip(group.rejected),
      },
      {
        area: 'population',
        group,
        name: parquetName,
        count: population.length,
        encode: () => encodeParquet(POPULATION, population),
      },
      {
        area: 'population_forecast',
        group,
        name: parquetName,
        count: forecasts.length,
        encode: () => encodeParquet(POPULATION_FORECAST, forecasts),
      },
    );
    populationRows += population.length;
    forecastRows += forecasts.length;
  }
  // The archive first, then rejections, then the tables: a batch cut short (a crash, a full disk)
  // leaves at worst envelopes in raw/ whose rows are missing, which replay from raw/ restores —
  // never a row whose answer is not archived. Each file is written whole or not at all (the
  // store's temp + rename, or one S3 PUT); an area with nothing to hold gets no file.
  const order: readonly LakeArea[] = ['raw', 'rejected', 'population', 'population_forecast'];
  outputs.sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area));
  for (const output of outputs) {
    if (output.count === 0) continue;
    files.push(
      await put(
        deps.store,
        objectKey(output.area, output.group.partition, output.name),
        await output.encode(),
      ),
    );
    written.get(output.area as TableName)?.set(partitionPath(output.group.partition), output.group.partition);
  }

  for (const [table, partitions] of written) {
    if (partitions.size === 0) continue;
    try {
      await deps.catalog.registerPartitions(table, [...partitions.values()]);
    } catch (error) {
      throw new StorageError(
        `cannot register ${partitions.size} partition(s) of ${table}: ${describeError(error)}`,
        { cause: error },
      );
    }
  }

  const groupList = [...groups.values()];
  return {
    records: records.length,
    populationRows,
    forecastRows,
    rawRecords: groupList.reduce((total, group) => total + group.raw.length, 0),
    rejectedRecords: groupList.reduce((total, group) => total + group.rejected.length, 0),
    flaggedRecords,
    files,
    partitions: [...new Set([...written.values()].flatMap((partitions) => [...partitions.keys()]))].sort(),
    ...(newestPopulationTime ? { newestPopulationTime } : {}),
  };
}

async function put(store: ObjectStore, key: string, body: Buffer): Promise<string> {
  const contentType = key.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip';
  await store.put(key, body, contentType);
  return key;
}

/** Topic names may hold characters that are awkward in file names; keep them readable but safe. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}
