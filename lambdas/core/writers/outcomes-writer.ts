import { NO_CATALOG, type PartitionCatalog } from '../catalog/partition-catalog.js';
import type { CollectResult } from '../collector.js';
import { describeError, StorageError } from '../errors.js';
import { encodeParquet } from '../lake/parquet.js';
import { objectKey, partitionPath, partitionValuesFor } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import { COLLECTION_OUTCOMES, type CollectionOutcomeRow } from '../schema.js';
import { SAFE_NAME } from '../storage/lake-keys.js';
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
  // The run id names the file: a plain name only, never a path (lake-keys.ts).
  if (!SAFE_NAME.test(collect.runId))
    throw new StorageError(`run id ${JSON.stringify(collect.runId.slice(0, 80))} is not a plain name`);
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
 * same commit as the writer's files, and registers its partition in the catalog. A refused
 * registration is logged and does not fail the run: the file is written and the envelopes
 * published, retrying the run would collect a new, different snapshot of every place, and the
 * daily crawler adds the partition in the worst case. Returns the key and partition written.
 */
export async function writeRunOutcomes(
  collect: CollectResult,
  store: ObjectStore,
  catalog: PartitionCatalog = NO_CATALOG,
  log?: Log,
): Promise<{ key: string; partition: string }> {
  const file = await outcomesFile(collect);
  const partition = partitionPath(file.partition);
  await commitFiles(
    [file],
    { store, catalog },
    {
      onRegisterFailure: (error) =>
        log?.error('cannot register the collection_outcomes partition; the crawler will add it', {
          partition,
          error: describeError(error),
        }),
    },
  );
  return { key: file.key, partition };
}
