import { NO_CATALOG } from '../catalog/partition-catalog.js';
import type { CollectResult } from '../collector.js';
import { encodeParquet } from '../lake/parquet.js';
import { objectKey, partitionPath, partitionValuesFor } from '../lake/partitions.js';
import { COLLECTION_OUTCOMES, type CollectionOutcomeRow } from '../schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { commitFiles, type LakeFile } from './lake-writer.js';

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

/** The run's `collection_outcomes` file, named after the run (writing the same run again replaces it). */
export async function outcomesFile(collect: CollectResult): Promise<LakeFile> {
  const partition = partitionValuesFor(collect.collectedAt);
  return {
    area: 'collection_outcomes',
    partition,
    key: objectKey('collection_outcomes', partition, `${collect.runId}.parquet`),
    body: await encodeParquet(COLLECTION_OUTCOMES, outcomeRows(collect)),
  };
}

/**
 * Writes what happened to every place of a run, after its envelopes are published, through the
 * same commit as the writer's files. Returns the key and partition written.
 */
export async function writeRunOutcomes(
  collect: CollectResult,
  store: ObjectStore,
): Promise<{ key: string; partition: string }> {
  const file = await outcomesFile(collect);
  // Registered apart by the fetcher (registerOutcomesPartition), where a failure must not fail the run.
  await commitFiles([file], { store, catalog: NO_CATALOG });
  return { key: file.key, partition: partitionPath(file.partition) };
}
