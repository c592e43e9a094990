import type { PartitionCatalog } from '../catalog/partition-catalog.js';
import { describeError, StorageError } from '../errors.js';
import { encodeJsonLinesGzip } from '../lake/jsonl.js';
import { encodeParquet } from '../lake/parquet.js';
import { type LakeArea, objectKey, partitionPath } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import { type PartitionValues, POPULATION, POPULATION_FORECAST, TABLES, type TableName } from '../schema.js';
import type { SourceRecord } from '../source-record.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type FileGroup, type Routed, routeRecords } from './route.js';

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

/** What each file of a group holds, in the order a group's files are committed. */
interface GroupOutput {
  readonly area: LakeArea;
  readonly ext: string;
  readonly count: (group: FileGroup) => number;
  readonly encode: (group: FileGroup) => Promise<Buffer> | Buffer;
}

const TABLE_OUTPUTS: readonly (GroupOutput & { area: TableName })[] = [
  {
    area: POPULATION.name,
    ext: 'parquet',
    count: (g) => g.population.size,
    encode: (g) => encodeParquet(POPULATION, [...g.population.values()]),
  },
  {
    area: POPULATION_FORECAST.name,
    ext: 'parquet',
    count: (g) => [...g.forecasts.values()].reduce((total, rows) => total + rows.length, 0),
    encode: (g) => encodeParquet(POPULATION_FORECAST, [...g.forecasts.values()].flat()),
  },
];

/** The tables a file group's answers fill (replay lists their old files). */
export const GROUP_TABLES: readonly TableName[] = TABLE_OUTPUTS.map((output) => output.area);

const GROUP_OUTPUTS: readonly GroupOutput[] = [
  { area: 'raw', ext: 'jsonl.gz', count: (g) => g.raw.length, encode: (g) => encodeJsonLinesGzip(g.raw) },
  {
    area: 'rejected',
    ext: 'jsonl.gz',
    count: (g) => g.rejected.length,
    encode: (g) => encodeJsonLinesGzip(g.rejected),
  },
  ...TABLE_OUTPUTS,
];

/**
 * Stage 2: the groups' files, encoded one at a time as they are committed. The archive first, then
 * rejections, then the tables: a batch cut short (a crash, a full disk) leaves at worst envelopes
 * in raw/ whose rows are missing, which replay from raw/ restores — never a row whose answer is
 * not archived. An area with nothing to hold gets no file.
 */
export async function* encodeGroups(groups: readonly FileGroup[]): AsyncGenerator<LakeFile> {
  for (const output of GROUP_OUTPUTS) {
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

/** What a commit wrote: every key, and the partitions of each table that hold a file of it. */
export interface CommitResult {
  /** Keys put (or, on a dry run, that would be). */
  readonly keys: string[];
  /** Keys that already held these very bytes, so were not put again. */
  readonly unchanged: string[];
  readonly tablePartitions: ReadonlyMap<TableName, ReadonlyMap<string, PartitionValues>>;
}

export interface CommitOptions {
  /**
   * Keys that may already hold a file: each is read and compared, and not put again when its bytes
   * are the same (a replay of an untouched lake writes nothing). @default none
   */
  readonly existing?: ReadonlySet<string>;
  /** Encode and compare, put nothing, register nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Told when the catalog refuses a registration, which then does not fail the commit (the
   * fetcher's outcomes: the crawler adds the partition later). @default a refusal throws, so a
   * writer's batch is delivered again
   */
  readonly onRegisterFailure?: (error: StorageError) => void;
}

const TABLE_AREAS = new Set<LakeArea>(TABLES.map((table) => table.name));

/**
 * Stage 3: puts every file in the store (each whole or not at all: the store's temp + rename, or
 * one S3 PUT), then registers the table partitions written in the
 * catalog (the writer's Glue catalog; `NO_CATALOG` for the fetcher, replay and locally). The files
 * of a batch, the outcomes file of a run and the files replay rebuilds are committed the same way.
 */
export async function commitFiles(
  files: Iterable<LakeFile> | AsyncIterable<LakeFile>,
  deps: Pick<LakeWriterDeps, 'store' | 'catalog'>,
  options: CommitOptions = {},
): Promise<CommitResult> {
  const keys: string[] = [];
  const unchanged: string[] = [];
  const tablePartitions = new Map<TableName, Map<string, PartitionValues>>();
  for await (const file of files) {
    if (options.existing?.has(file.key) && file.body.equals(await deps.store.get(file.key))) {
      unchanged.push(file.key);
    } else {
      if (!options.dryRun) await deps.store.put(file.key, file.body, contentTypeOf(file.key));
      keys.push(file.key);
    }
    if (!TABLE_AREAS.has(file.area)) continue;
    const table = file.area as TableName;
    if (!tablePartitions.has(table)) tablePartitions.set(table, new Map());
    tablePartitions.get(table)?.set(partitionPath(file.partition), file.partition);
  }
  if (options.dryRun) return { keys, unchanged, tablePartitions };
  for (const [table, partitions] of tablePartitions) {
    try {
      await deps.catalog.registerPartitions(table, [...partitions.values()]);
    } catch (error) {
      const failure = new StorageError(
        `cannot register ${partitions.size} partition(s) of ${table}: ${describeError(error)}`,
        { cause: error },
      );
      if (!options.onRegisterFailure) throw failure;
      options.onRegisterFailure(failure);
    }
  }
  return { keys, unchanged, tablePartitions };
}

/** Stage 4: the batch's counts, from its groups and what was committed. */
function tally(records: number, routed: Routed, committed: CommitResult): BatchWriteResult {
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
