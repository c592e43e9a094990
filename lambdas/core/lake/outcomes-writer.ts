import type { CollectResult } from '../collector.js';
import { COLLECTION_OUTCOMES, type CollectionOutcomeRow } from '../schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeParquet } from './parquet.js';
import { objectKey, partitionPath, partitionValuesFor } from './partitions.js';

/** The `collection_outcomes` rows of a run: one per place asked. */
export function outcomeRows(collect: CollectResult): CollectionOutcomeRow[] {
  return collect.outcomes.map((outcome) => ({
    collected_at: collect.collectedAt,
    run_id: collect.runId,
    area_code: outcome.code,
    status: outcome.status,
    reason: outcome.reason ?? null,
    attempts: outcome.attempts,
    duration_ms: Math.min(outcome.durationMs, 2_147_483_647),
  }));
}

/**
 * Writes what happened to every place of a run, after its envelopes are published. The file is
 * named after the run, so writing the same run again replaces it. Returns the key and partition written.
 */
export async function writeRunOutcomes(
  collect: CollectResult,
  store: ObjectStore,
): Promise<{ key: string; partition: string }> {
  const partition = partitionValuesFor(collect.collectedAt);
  const key = objectKey('collection_outcomes', partition, `${collect.runId}.parquet`);
  await store.put(
    key,
    await encodeParquet(COLLECTION_OUTCOMES, outcomeRows(collect)),
    'application/vnd.apache.parquet',
  );
  return { key, partition: partitionPath(partition) };
}
