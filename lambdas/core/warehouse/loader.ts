import { ConfigError, describeError } from '../errors.js';
import { kstParts, parseKstWallClock } from '../kst-time.js';
import { parsePartitionPath } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import type { TableSpec } from '../schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { TABLES, type TableName } from '../tables.js';
import { WarehouseStatementError } from './errors.js';
import {
  failedLoadStatements,
  LOAD_LOG_BOUNDS_QUERY,
  LOAD_LOG_QUERY,
  mergePartitionStatements,
  timestampParameter,
} from './loader-sql.js';
import { JOURNAL } from './migrations/history.js';
import type { Journal } from './migrations/journal.js';
import { partitionPathOf } from './sql-values.js';
import { type FileFill, type StagingFill, stagePartition } from './staging-fill.js';
import type { Warehouse } from './warehouse.js';

export interface LoaderOptions {
  readonly warehouse: Warehouse;
  /** The lake, to list partitions and count their files (S3 on AWS). */
  readonly store: Pick<ObjectStore, 'list' | 'listFolders'>;
  /** How a partition's files reach the staging table: COPY on Redshift. */
  readonly fill: StagingFill;
  /**
   * How single files reach a table (COPY of one file): used for a partition holding files of an
   * older version of its table (`file-versions.ts`). @default none: such a partition fails, named
   */
  readonly fillFiles?: FileFill;
  /** The migration journal: every version of each table's files. @default this build's */
  readonly journal?: Journal;
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
  /**
   * Milliseconds left before the invocation is stopped (Lambda's `getRemainingTimeInMillis`).
   * No partition is started with less than {@link budgetMarginMs} left; the rest are deferred.
   * @default - no time limit
   */
  readonly remainingMs?: () => number;
  /** @default LOADER_BUDGET_MARGIN_MS */
  readonly budgetMarginMs?: number;
}

/**
 * The longest one partition's load may take on Redshift: the loader's Data API statements are
 * cancelled after this long (the batch rolls back and the partition is loaded again next time).
 */
export const PARTITION_TIMEOUT_MS = 120_000;

/**
 * No partition is started with less than this left of the invocation. The worst a partition can
 * take: its batch runs until PARTITION_TIMEOUT_MS and is cancelled, then the note of its failure
 * in the load log (another batch) does the same; each adds a cancellation and a last status poll
 * (at most 2 s), and the final log line and metrics need a few seconds: 30 s covers those.
 */
export const LOADER_BUDGET_MARGIN_MS = 2 * PARTITION_TIMEOUT_MS + 30_000;

/** One table's lake partition and how many Parquet files it holds now. */
export interface LakePartition {
  readonly table: TableName;
  /** `year=…/month=…/day=…/hour=…/minute=…` */
  readonly path: string;
  readonly files: number;
  /** The Parquet files' names: each says its version of the table (`file-versions.ts`). */
  readonly names: readonly string[];
}

export interface LoadResult {
  readonly loaded: (LakePartition & { readonly batchId: string })[];
  readonly failed: (LakePartition & { readonly error: string; readonly statementId?: string })[];
  /** New or changed partitions left for the next call (over `maxPartitions`, or out of time). */
  readonly deferred: number;
  /** The load stopped starting partitions because the invocation's time was running out. */
  readonly outOfTime: boolean;
  /** The lake was searched from here on. */
  readonly since: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LOOKBACK_MS = 48 * 60 * 60 * 1000;

/**
 * Loads every lake partition that is new, or holds another number of files than when it was
 * last loaded, into the native tables: one transaction per partition (stage, merge, log). A
 * partition that fails is reported and the others go on; the merge makes every retry safe.
 */
export async function loadNewPartitions(options: LoaderOptions): Promise<LoadResult> {
  const since = options.since ?? (await defaultSince(options.warehouse, options.now));
  const settledBefore = options.now.getTime() - (options.settleMinutes ?? 5) * 60_000;
  const tables = options.tables ?? TABLES;

  checkSince(since, options.now);
  const inLake = (await listPartitions(options.store, tables, since, options.now, options.log)).filter(
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
  const margin = options.budgetMarginMs ?? LOADER_BUDGET_MARGIN_MS;
  let started = 0;
  let outOfTime = false;
  for (const partition of batch) {
    if (options.remainingMs && options.remainingMs() < margin) {
      outOfTime = true;
      options.log.warn('stopping before the time budget runs out; the next load goes on from here', {
        remainingMs: options.remainingMs(),
        marginMs: margin,
        next: `${partition.table}/${partition.path}`,
      });
      break;
    }
    started++;
    const table = byName.get(partition.table) as TableSpec;
    try {
      const staged = stagePartition(table, partition.path, partition.names, options.journal ?? JOURNAL, {
        folder: options.fill,
        files:
          options.fillFiles ??
          (() => {
            throw new Error('files of an older version of the table, and no per-file COPY was given');
          }),
      });
      const batchId = await options.warehouse.batch(mergePartitionStatements(table, staged), {
        table_name: table.name,
        partition_path: partition.path,
        file_count: partition.files,
        loaded_at: timestampParameter(options.now),
      });
      loaded.push({ ...partition, batchId });
      options.log.info('partition loaded', {
        table: partition.table,
        path: partition.path,
        files: partition.files,
        batchId,
      });
    } catch (error) {
      const statementId = error instanceof WarehouseStatementError ? error.statementId : undefined;
      failed.push({ ...partition, error: describeError(error), ...(statementId ? { statementId } : {}) });
      options.log.error('partition load failed', {
        table: partition.table,
        path: partition.path,
        files: partition.files,
        statementId,
        error: describeError(error),
      });
      await noteFailedLoad(options, partition);
    }
  }
  return { loaded, failed, deferred: pending.length - started, outOfTime, since: since.toISOString() };
}

/**
 * Where a scheduled load starts looking: 48 hours back, or further back when the load log says
 * so: at the newest partition loaded (partitions are loaded oldest first, so a load that stopped
 * for time, or a warehouse that was down for days, is taken up where it stopped) or at the oldest
 * partition whose load failed (it is tried again, however old). An empty load log (a first
 * deployment over an existing lake) starts 48 hours back; older data is loaded with `since`.
 */
async function defaultSince(warehouse: Warehouse, now: Date): Promise<Date> {
  const lookback = new Date(now.getTime() - DEFAULT_LOOKBACK_MS);
  const [bounds] = await warehouse.query(LOAD_LOG_BOUNDS_QUERY);
  const instants = [bounds?.newest_loaded, bounds?.oldest_failed].flatMap((path) => {
    const values = typeof path === 'string' ? parsePartitionPath(path) : undefined;
    const instant =
      values &&
      parseKstWallClock(`${values.year}-${values.month}-${values.day} ${values.hour}:${values.minute}`);
    return instant && instant >= EARLIEST_SINCE ? [instant] : [];
  });
  return new Date(Math.min(lookback.getTime(), ...instants.map((instant) => instant.getTime())));
}

/**
 * Notes a failed load in the load log so that no later load starts past it. If even that fails
 * (the warehouse is unreachable), the failure is already reported; the partition is tried again
 * by every load whose look-back still reaches it.
 */
async function noteFailedLoad(options: LoaderOptions, partition: LakePartition): Promise<void> {
  try {
    await options.warehouse.batch(failedLoadStatements(), {
      table_name: partition.table,
      partition_path: partition.path,
      loaded_at: timestampParameter(options.now),
    });
  } catch (error) {
    options.log.warn('could not note the failed load in the load log', {
      table: partition.table,
      path: partition.path,
      error: describeError(error),
    });
  }
}

/** No lake can hold data older than the API's real-time city data (published since late 2022). */
export const EARLIEST_SINCE = new Date('2022-01-01T00:00:00Z');

/** Refuses a `since` the loader cannot honour, with what is allowed. */
export function checkSince(since: Date, now: Date): void {
  if (Number.isNaN(since.getTime()) || since < EARLIEST_SINCE || since > now) {
    throw new ConfigError(
      `"since" must be a time from ${EARLIEST_SINCE.toISOString()} to now (${now.toISOString()}), got ${Number.isNaN(since.getTime()) ? 'an invalid date' : since.toISOString()}`,
    );
  }
}

/** A table's Parquet key as the writer names it; anything else under the table is a stray. */
const TABLE_KEY = /^[a-z_]+\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/minute=\d{2}\/[^/]+\.parquet$/;

/**
 * The partitions of the lake from `since` to `now`, with their Parquet file counts, oldest first
 * (and, within one partition, in the schema's table order). The `year=`, `month=` and `day=`
 * folders that exist are found by listing with a delimiter, so the cost follows the data, not the
 * width of the window; only days that hold data are listed key by key. A key that is not a
 * partition's Parquet file (e.g. `…/minute=40.bak/x.parquet`) is skipped and logged, never fatal.
 */
export async function listPartitions(
  store: Pick<ObjectStore, 'list' | 'listFolders'>,
  tables: readonly TableSpec[],
  since: Date,
  now: Date,
  log?: Log,
): Promise<LakePartition[]> {
  const counts = new Map<string, LakePartition>();
  for (const table of tables) {
    for (const dayPrefix of await dayPrefixes(store, table.name, since, now)) {
      for (const key of await store.list(dayPrefix)) {
        if (!key.endsWith('.parquet')) continue;
        const values = TABLE_KEY.test(key) ? parsePartitionPath(key) : undefined;
        if (!values) {
          log?.warn('stray key skipped', { key });
          continue;
        }
        const path = partitionPathOf(values);
        const id = `${table.name}|${path}`;
        const seen = counts.get(id);
        const name = key.slice(key.lastIndexOf('/') + 1);
        counts.set(id, {
          table: table.name,
          path,
          files: (seen?.files ?? 0) + 1,
          names: [...(seen?.names ?? []), name],
        });
      }
    }
  }
  const order = new Map(tables.map((table, index) => [table.name, index]));
  return [...counts.values()].sort(
    (a, b) => a.path.localeCompare(b.path) || (order.get(a.table) ?? 0) - (order.get(b.table) ?? 0),
  );
}

/** `table/year=…/month=…/day=…/` for every KST day from `since` to `now` that may hold data. */
async function dayPrefixes(
  store: Pick<ObjectStore, 'list' | 'listFolders'>,
  table: string,
  since: Date,
  now: Date,
): Promise<string[]> {
  const first = kstParts(kstMidnight(since));
  const last = kstParts(now);
  const from = `${first.year}${first.month}${first.day}`;
  const to = `${last.year}${last.month}${last.day}`;
  if (!store.listFolders) {
    const prefixes: string[] = [];
    for (let day = kstMidnight(since).getTime(); day <= now.getTime(); day += DAY_MS) {
      const { year, month, day: dd } = kstParts(new Date(day));
      prefixes.push(`${table}/year=${year}/month=${month}/day=${dd}/`);
    }
    return prefixes;
  }
  const listFolders = store.listFolders.bind(store);
  const values = (folders: string[], name: string) =>
    folders.flatMap((folder) => (new RegExp(`^${name}=(\\d+)$`).exec(folder)?.[1] ?? []) as string[]);
  const prefixes: string[] = [];
  for (const year of values(await listFolders(`${table}/`), 'year')) {
    if (year < from.slice(0, 4) || year > to.slice(0, 4)) continue;
    for (const month of values(await listFolders(`${table}/year=${year}/`), 'month')) {
      if (`${year}${month}` < from.slice(0, 6) || `${year}${month}` > to.slice(0, 6)) continue;
      for (const day of values(await listFolders(`${table}/year=${year}/month=${month}/`), 'day')) {
        const date = `${year}${month}${day}`;
        if (date >= from && date <= to) prefixes.push(`${table}/year=${year}/month=${month}/day=${day}/`);
      }
    }
  }
  return prefixes;
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
