import type { PartitionCatalog } from '../core/catalog/partition-catalog.js';
import type { Log } from '../core/logger.js';
import { METRIC, rowsWrittenMetric } from '../core/metric-names.js';
import type { MetricSink } from '../core/metric-sink.js';
import { decodeMskEvent } from '../core/msk-event.js';
import { requiredSetting, SETTINGS } from '../core/settings.js';
import type { ObjectStore } from '../core/storage/object-store.js';
import { type BatchWriteResult, writeBatch } from '../core/writers/lake-writer.js';

export interface MskBatchDeps {
  readonly store: ObjectStore;
  readonly catalog: PartitionCatalog;
  readonly log: Log;
  readonly metrics: MetricSink;
  readonly now?: () => Date;
}

export interface MskBatchResult extends BatchWriteResult {
  /** Seconds between now and the newest `population_time` written; absent when no row was written. */
  readonly freshnessSeconds?: number;
}

/** The writer's destinations, checked before anything is read. */
export function requireWriterTargets(env: NodeJS.ProcessEnv): void {
  requiredSetting(SETTINGS.lakeBucket, env);
  requiredSetting(SETTINGS.glueDatabase, env);
}

/**
 * One MSK-triggered invocation: decode the event, write the batch to the lake (bad records are
 * quarantined in `rejected/` by the writer), register partitions, report metrics. Storage and
 * catalog failures throw, so Lambda delivers the same batch again; the writer's deterministic
 * file names make that redelivery overwrite, not duplicate.
 */
export async function writeMskBatch(event: unknown, deps: MskBatchDeps): Promise<MskBatchResult> {
  const now = deps.now ?? (() => new Date());
  const records = decodeMskEvent(event);
  const result = await writeBatch(records, { store: deps.store, catalog: deps.catalog, log: deps.log, now });
  const newest = result.newestObservedAt;
  const freshnessSeconds = newest ? Math.max(0, (now().getTime() - newest.getTime()) / 1000) : undefined;
  const { metrics } = deps;
  for (const [table, rows] of Object.entries(result.rows))
    metrics.addMetric(rowsWrittenMetric(table), 'Count', rows);
  metrics.addMetric(METRIC.recordsRejected, 'Count', result.rejectedRecords);
  metrics.addMetric(METRIC.recordsFlagged, 'Count', result.flaggedRecords);
  metrics.addMetric(METRIC.partitionsRegistered, 'Count', result.partitions.length);
  if (freshnessSeconds !== undefined) metrics.addMetric(METRIC.dataFreshness, 'Seconds', freshnessSeconds);
  deps.log.info('batch written', {
    records: result.records,
    rows: result.rows,
    rejected: result.rejectedRecords,
    flagged: result.flaggedRecords,
    partitions: result.partitions,
    freshnessSeconds,
  });
  return { ...result, ...(freshnessSeconds === undefined ? {} : { freshnessSeconds }) };
}
