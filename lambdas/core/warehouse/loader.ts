import { describeError } from '../errors.js';
import { kstParts, parseKstWallClock } from '../kst-time.js';
import { parsePartitionPath } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import { TABLES, type TableName, type TableSpec } from '../schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Warehouse } from './data-api.js';
import { WarehouseStatementError } from './errors.js';
import { LOAD_LOG_QUERY, mergePartitionStatements, timestampParameter } from './loader-sql.js';
import { partitionPathOf } from './sql-values.js';
import type { StagingFill } from './staging-fill.js';

export interface LoaderOptions {
  readonly warehouse: Warehouse;
  /** The lake, to list partitions and count their files (S3 on AWS). */
  readonly store: Pick<ObjectStore, 'list'>;
  /** How a partition's files reach the staging table: COPY on Redshift. */
  readonly fill: StagingFill;
  readonly log: Log;
  readonly now: Date;
  /** Look for partitions from this instant on. @default 48 hours before `now` */
  readonly since?: Date;
  /** Leave partitions younger than this alone: their run may still be writing. @default 5 */
  readonly settleMinutes?: number;
  /** Load at most this many partitions per call (bounded Lambda time); the rest wait. @default 150 */
  readonly maxPartitions?: number;
  /** Tables to load. @default every table of the schema */
  readonly tables?: readonly TableSpec[];
}

/** One table's lake partition and how many Parquet files it holds now. */
export interface LakePartition {
  readonly table: TableName;
  /** `year=…/month=…/day=…/hour=…/minute=…` */
  readonly path: string;
  readonly files: number;
}

export interface LoadResult {
  readonly loaded: (LakePartition & { readonly batchId: string })[];
  readonly failed: (LakePartition & { readonly error: string; readonly statementId?: string })[];
  /** New or changed partitions left for the next call (over `maxPartitions`). */
  readonly deferred: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LOOKBACK_MS = 48 * 60 * 60 * 1000;

/**
 * Loads every lake partition that is new, or holds another number of files than when it was
 * last loaded, into the native tables: one transaction per partition (stage, merge, log). A
 * partition that fails is reported and the others go on; the merge makes every retry safe.
 */
export async function loadNewPartitions(options: LoaderOptions): Promise<LoadResult> {
  const since = options.since ?? new Date(options.now.getTime() - DEFAULT_LOOKBACK_MS);
  const settledBefore = options.now.getTime() - (options.settleMinutes ?? 5) * 60_000;
  const tables = options.tables ?? TABLES;

  const inLake = (await listPartitions(options.store, tables, since, options.now)).filter(
    (partition) => partitionInstant(partition.path) <= settledBefore,
  );
  const sincePath = partitionPathOf(kstParts(kstMidnight(since)));
  const logged = new Map(
    (await options.warehouse.query(LOAD_LOG_QUERY, { since_partition: sincePath })).map((row) => [
      `${row.table_name}|${row.partition_path}`,
      Number(row.file_count),
    ]),
  );
  const pending = inLake.filter((p) => logged.get(`${p.table}|${p.path}`) !== p.files);
  const limit = options.maxPartitions ?? 150;
  const batch = pending.slice(0, limit);
  options.log.info('partitions to load', {
    inLake: inLake.length,
    pending: pending.length,
    loadingNow: batch.length,
    since: since.toISOString(),
  });

  const byName = new Map(tables.map((table) => [table.name, table]));
  const loaded: LoadResult['loaded'] = [];
  const failed: LoadResult['failed'] = [];
  for (const partition of batch) {
    const table = byName.get(partition.table) as TableSpec;
    try {
      const batchId = await options.warehouse.batch(
        mergePartitionStatements(table, options.fill(table, partition.path)),
        {
          table_name: table.name,
          partition_path: partition.path,
          file_count: partition.files,
          loaded_at: timestampParameter(options.now),
        },
      );
      loaded.push({ ...partition, batchId });
      options.log.info('partition loaded', { ...partition, batchId });
    } catch (error) {
      const statementId = error instanceof WarehouseStatementError ? error.statementId : undefined;
      failed.push({ ...partition, error: describeError(error), ...(statementId ? { statementId } : {}) });
      options.log.error('partition load failed', { ...partition, statementId, error: describeError(error) });
    }
  }
  return { loaded, failed, deferred: pending.length - batch.length };
}

/**
 * The partitions of the lake from `since` to `now`, with their Parquet file counts, oldest first
 * (and, within one partition, in the schema's table order). Listed day by day (KST), so the
 * cost follows the window, not the size of the whole lake.
 */
export async function listPartitions(
  store: Pick<ObjectStore, 'list'>,
  tables: readonly TableSpec[],
  since: Date,
  now: Date,
): Promise<LakePartition[]> {
  const counts = new Map<string, LakePartition>();
  for (let day = kstMidnight(since).getTime(); day <= now.getTime(); day += DAY_MS) {
    const { year, month, day: dd } = kstParts(new Date(day));
    for (const table of tables) {
      for (const key of await store.list(`${table.name}/year=${year}/month=${month}/day=${dd}/`)) {
        if (!key.endsWith('.parquet')) continue;
        const values = parsePartitionPath(key);
        if (!values) continue;
        const path = partitionPathOf(values);
        const id = `${table.name}|${path}`;
        const seen = counts.get(id);
        counts.set(id, { table: table.name, path, files: (seen?.files ?? 0) + 1 });
      }
    }
  }
  const order = new Map(tables.map((table, index) => [table.name, index]));
  return [...counts.values()].sort(
    (a, b) => a.path.localeCompare(b.path) || (order.get(a.table) ?? 0) - (order.get(b.table) ?? 0),
  );
}

/** The UTC instant a partition stands for (its KST wall-clock minute). */
function partitionInstant(path: string): number {
  const v = parsePartitionPath(path);
  const instant = v && parseKstWallClock(`${v.year}-${v.month}-${v.day} ${v.hour}:${v.minute}`);
  return instant ? instant.getTime() : Number.NaN;
}

/** 00:00 KST of the instant's day in Korea, as a UTC instant. */
function kstMidnight(instant: Date): Date {
  const { year, month, day } = kstParts(instant);
  return parseKstWallClock(`${year}-${month}-${day} 00:00`) as Date;
}
