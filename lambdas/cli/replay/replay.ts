import type { PartitionCatalog } from '../../core/catalog/partition-catalog.js';
import { describeError } from '../../core/errors.js';
import { parsePartitionPath, partitionPath } from '../../core/lake/partitions.js';
import type { PartitionValues } from '../../core/schema.js';
import type { TableName } from '../../core/tables.js';
import { type LakeLocation, openStore } from './lake-location.js';
import { ParquetKeyReader } from './parquet-keys.js';
import {
  type PartitionJob,
  type PartitionResult,
  rebuildPartition,
  removeOldTableFiles,
} from './rebuild-partition.js';
import { planReplay, type ReplayRange } from './replay-plan.js';
import { type FailedPartition, runOnWorkers } from './worker-pool.js';

export interface ReplayOptions extends ReplayRange {
  readonly location: LakeLocation;
  readonly dryRun?: boolean;
  readonly places?: readonly string[];
  /** Worker threads; 0 rebuilds on the calling thread. */
  readonly workers: number;
  /** Glue (or none): partitions that hold rows are registered again after they are rebuilt. */
  readonly catalog?: PartitionCatalog;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayProgress {
  readonly partitionsDone: number;
  readonly partitionsTotal: number;
  readonly envelopes: number;
  readonly elapsedMs: number;
}

export interface ReplaySummary {
  readonly partitions: number;
  readonly partitionsRebuilt: number;
  readonly envelopes: number;
  /** Rows rebuilt in each table of the datasets, by table name. */
  readonly rows: Readonly<Record<string, number>>;
  readonly rejectedRecords: number;
  readonly flaggedRecords: number;
  readonly written: number;
  readonly unchanged: number;
  /** Partitions where a file was written or removed, oldest first. */
  readonly changedPartitions: string[];
  readonly removed: string[];
  readonly kept: { key: string; reason: string }[];
  readonly misfiled: PartitionResult['misfiled'];
  readonly unreadable: { key: string; line: number; reason: string }[];
  readonly ignored: string[];
  /** Partitions that could not be rebuilt (or only in part), each with the reason. */
  readonly failed: FailedPartition[];
  readonly registered: number;
  readonly elapsedMs: number;
  readonly dryRun: boolean;
}

/**
 * Rebuilds the tables and `rejected/` from `raw/` with today's code (the writer's own stages),
 * partition by partition, on worker threads. Everything outside the range, and every partition
 * that has no raw file, is left as it is.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const store = openStore(options.location);
  const plan = await planReplay(store, options);
  const dryRun = options.dryRun ?? false;
  const jobs: PartitionJob[] = plan.partitions.map((p) => ({
    ...p,
    dryRun,
    ...(options.places ? { places: options.places } : {}),
  }));

  const results: PartitionResult[] = [];
  const failed: FailedPartition[] = [];
  let envelopes = 0;
  let keyReader: Promise<ParquetKeyReader> | undefined;
  const progress = () =>
    options.onProgress?.({
      partitionsDone: results.length + failed.length,
      partitionsTotal: jobs.length,
      envelopes,
      elapsedMs: performance.now() - started,
    });
  const fail = (failure: FailedPartition) => {
    failed.push(failure);
    progress();
  };
  // Removals of old table files run one at a time on this thread, after the partition's writes.
  let removals = Promise.resolve();
  const finish = (rebuilt: PartitionResult) => {
    removals = removals.then(async () => {
      let result = rebuilt;
      if (rebuilt.oldTableFiles.length > 0) {
        try {
          keyReader ??= ParquetKeyReader.open();
          const reader = await keyReader;
          result = await removeOldTableFiles(rebuilt, store, (key) => reader.keysOf(store, key), dryRun);
        } catch (error) {
          // The new files are in place; the old ones stay until a replay can weigh them.
          fail({
            partition: rebuilt.partition,
            reason: `new files written, old table files not removed: ${describeError(error)}`,
          });
          return;
        }
      }
      results.push(result);
      envelopes += result.envelopes;
      progress();
    });
  };
  try {
    if (options.workers > 0 && jobs.length > 1) {
      await runOnWorkers(options.location, jobs, options.workers, finish, fail);
    } else {
      for (const job of jobs) {
        let rebuilt: PartitionResult;
        try {
          rebuilt = await rebuildPartition(job, store);
        } catch (error) {
          fail({ partition: partitionPath(job.partition), reason: describeError(error) });
          continue;
        }
        finish(rebuilt);
      }
    }
    await removals;
  } finally {
    if (keyReader) await (await keyReader).close();
  }

  let registered = 0;
  if (options.catalog && !dryRun) {
    // Each table with a rebuilt file in a partition (written or unchanged) has it registered again.
    const byTable = new Map<TableName, PartitionValues[]>();
    for (const result of results)
      for (const table of result.tables as TableName[])
        byTable.set(table, [
          ...(byTable.get(table) ?? []),
          parsePartitionPath(result.partition) as PartitionValues,
        ]);
    for (const [table, partitions] of byTable) {
      await options.catalog.registerPartitions(table, partitions);
      registered += partitions.length;
    }
  }

  const sum = (pick: (r: PartitionResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    partitions: jobs.length,
    partitionsRebuilt: results.filter((r) => r.selected).length,
    envelopes,
    rows: sumRows(results.map((r) => r.rows)),
    rejectedRecords: sum((r) => r.rejectedRecords),
    flaggedRecords: sum((r) => r.flaggedRecords),
    written: sum((r) => r.written.length),
    unchanged: sum((r) => r.unchanged.length),
    changedPartitions: results
      .filter((r) => r.written.length + r.removed.length > 0)
      .map((r) => r.partition)
      .sort(),
    removed: results.flatMap((r) => r.removed).sort(),
    kept: results.flatMap((r) => r.kept),
    misfiled: results.flatMap((r) => r.misfiled),
    unreadable: [...plan.unreadable, ...results.flatMap((r) => r.unreadable)],
    ignored: plan.ignored,
    failed: failed.sort((a, b) => (a.partition < b.partition ? -1 : 1)),
    registered,
    elapsedMs: performance.now() - started,
    dryRun,
  };
}

/**
 * What the replay left out, each named in its summary: partitions it could not rebuild, raw files
 * or lines it could not read, envelopes filed in another partition's folder, and files under raw/
 * that are not archives. None of them is in the rebuilt tables, so the command cannot say "done".
 */
export function leftOut(summary: ReplaySummary): number {
  return summary.failed.length + summary.unreadable.length + summary.misfiled.length + summary.ignored.length;
}

/** Row counts by table, added up. */
function sumRows(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const count of counts)
    for (const [table, rows] of Object.entries(count)) total[table] = (total[table] ?? 0) + rows;
  return total;
}
