import type { PartitionCatalog } from '../catalog/partition-catalog.js';
import type { Dataset } from '../datasets/dataset.js';
import { DATASETS } from '../datasets/registry.js';
import { describeError, StorageError } from '../errors.js';
import { encodeJsonLinesGzip } from '../lake/jsonl.js';
import { encodeParquet } from '../lake/parquet.js';
import { objectKey, partitionPath } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import type { PartitionValues } from '../schema.js';
import type { SourceRecord } from '../source-record.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type LakeArea, TABLES, type TableName } from '../tables.js';
import { versionedFileName } from '../warehouse/file-versions.js';
import { writtenVersion } from '../warehouse/migrations/history.js';
import { type FileGroup, type Routed, routeRecords } from './route.js';

export interface LakeWriterDeps {
  readonly store: ObjectStore;
  readonly catalog: PartitionCatalog;
  readonly log: Log;
  readonly now?: () => Date;
}

export interface BatchWriteResult {
  readonly records: number;
  /** Rows written to each table of the datasets, by table name (0 for a table with none). */
  readonly rows: Readonly<Record<string, number>>;
  readonly rawRecords: number;
  readonly rejectedRecords: number;
  /** Records kept in the tables with a warning (e.g. an unknown congestion label). */
  readonly flaggedRecords: number;
  readonly files: string[];
  /** Partitions of the tables written to, as `year=…/…/minute=…`. */
  readonly partitions: string[];
  /** The newest time of the data written (each dataset's `observedAt` column): how fresh it is. */
  readonly newestObservedAt?: Date;
}

/** One file for the lake, encoded and named, ready to be committed. */
export interface LakeFile {
  readonly area: LakeArea;
  readonly partition: PartitionValues;
  readonly key: string;
  readonly body: Buffer;
}

/**
 * Writes one batch of records to the lake: each answer's rows as Parquet in its dataset's tables,
 * every envelope to `raw/`, every unusable record to `rejected/` with its reasons. File names come from
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
  /** The file name of a group's file: `<stem>.jsonl.gz`, or a table's versioned `<stem>.v2.parquet`. */
  readonly name: (stem: string) => string;
  readonly items: (group: FileGroup) => readonly unknown[];
  readonly encode: (items: readonly unknown[]) => Promise<Buffer> | Buffer;
}

/** The rows a group's answers give one table of a dataset (its `index` in the dataset's tables). */
function rowsFor(group: FileGroup, dataset: Dataset, index: number): object[] {
  const rows: object[] = [];
  for (const answer of group.answers.values())
    if (answer.dataset === dataset) rows.push(...(answer.rows[index] ?? []));
  return rows;
}

/** A Parquet file per table of every registered dataset. */
const TABLE_OUTPUTS: readonly (GroupOutput & { readonly area: TableName })[] = DATASETS.flatMap((dataset) =>
  dataset.tables.map((table, index) => ({
    area: table.name,
    // The version of the table's columns the file holds (file-versions.ts): 1 until its first migration.
    name: (stem: string) => versionedFileName(stem, writtenVersion(table.name)),
    items: (group: FileGroup) => rowsFor(group, dataset, index),
    encode: (rows: readonly unknown[]) => encodeParquet(table, rows as object[]),
  })),
);

const GROUP_OUTPUTS: readonly GroupOutput[] = [
  { area: 'raw', name: (stem) => `${stem}.jsonl.gz`, items: (g) => g.raw, encode: encodeJsonLinesGzip },
  {
    area: 'rejected',
    name: (stem) => `${stem}.jsonl.gz`,
    items: (g) => g.rejected,
    encode: encodeJsonLinesGzip,
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
      const items = output.items(group);
      if (items.length === 0) continue;
      yield {
        area: output.area,
        partition: group.partition,
        key: objectKey(output.area, group.partition, output.name(group.stem)),
        body: await output.encode(items),
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
  const { groups } = routed;
  let newestObservedAt: Date | undefined;
  for (const group of groups)
    for (const answer of group.answers.values()) {
      const observed = (answer.rows[0]?.[0] as Record<string, unknown> | undefined)?.[
        answer.dataset.observedAt
      ];
      if (observed instanceof Date && (!newestObservedAt || observed > newestObservedAt))
        newestObservedAt = observed;
    }
  const partitions = [...committed.tablePartitions.values()].flatMap((written) => [...written.keys()]);
  return {
    records,
    rows: countRows(groups),
    rawRecords: groups.reduce((total, group) => total + group.raw.length, 0),
    rejectedRecords: groups.reduce((total, group) => total + group.rejected.length, 0),
    flaggedRecords: routed.flaggedRecords,
    files: committed.keys,
    partitions: [...new Set(partitions)].sort(),
    ...(newestObservedAt ? { newestObservedAt } : {}),
  };
}

/** The rows the groups' answers give each table of the datasets, by table name. */
export function countRows(groups: readonly FileGroup[]): Record<string, number> {
  return Object.fromEntries(
    TABLE_OUTPUTS.map((output) => [
      output.area,
      groups.reduce((total, group) => total + output.items(group).length, 0),
    ]),
  );
}

function contentTypeOf(key: string): string {
  return key.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip';
}
