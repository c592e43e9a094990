import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePartitionPath, partitionPath } from '../../core/lake/partitions.js';
import { type LakeLocation, openStore } from '../replay/lake-location.js';
import { folderPartitionOf, RAW_SUFFIX } from '../replay/raw-archive.js';
import { type ReplaySummary, replay } from '../replay/replay.js';
import {
  type CheckContext,
  type CheckSettings,
  checkDuplicates,
  checkFilesAndCreateViews,
  checkIncompleteRuns,
  checkLabels,
  checkMissingRuns,
  checkOutcomesHaveRows,
  checkPartitions,
  checkRawAccounted,
  checkStale,
  checkStrays,
} from './checks.js';
import { takeInventory } from './lake-inventory.js';
import type { Problem } from './problems.js';

export interface CheckReport {
  readonly problems: Problem[];
  readonly files: number;
}

/** Runs every check over a lake (local folder, or S3 copied to a temporary folder) with DuckDB. */
export async function checkLake(location: LakeLocation, settings: CheckSettings): Promise<CheckReport> {
  const inventory = await takeInventory(location);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const rawPartitions = new Set(
      inventory.keys
        .filter((key) => key.startsWith('raw/') && key.endsWith(RAW_SUFFIX))
        .map((key) => {
          const folder = folderPartitionOf(key);
          return folder ? partitionPath(folder) : '';
        }),
    );
    const ctx: CheckContext = {
      connection,
      folder: inventory.folder,
      keys: inventory.keys,
      rawPartitions,
      settings,
      ageOf: async (key) => {
        if (location.kind !== 'folder') return undefined;
        try {
          return Date.now() - (await stat(join(location.path, ...key.split('/')))).mtimeMs;
        } catch {
          return undefined;
        }
      },
    };
    const problems: Problem[] = [];
    // The first check creates the views the others query; raw accounting fills raw_envelopes.
    for (const check of [
      checkFilesAndCreateViews,
      checkPartitions,
      checkDuplicates,
      checkRawAccounted,
      checkOutcomesHaveRows,
      checkIncompleteRuns,
      checkStale,
      checkLabels,
      checkStrays,
      checkMissingRuns,
    ])
      problems.push(...(await check(ctx)));
    return { problems, files: inventory.keys.length };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await inventory.close();
  }
}

export interface FixOutcome {
  readonly replayed?: ReplaySummary;
  readonly removed: string[];
  readonly unrepairable: Problem[];
}

/**
 * Repairs what raw/ can repair: the affected partitions are replayed (which rewrites their
 * tables and removes files raw/ fully covers), and temporary files left behind long ago are
 * removed. Everything else is returned as unrepairable.
 */
export async function fixLake(
  location: LakeLocation,
  problems: readonly Problem[],
  workers: number,
): Promise<FixOutcome> {
  const partitions = new Set<string>();
  const leftovers: string[] = [];
  for (const problem of problems) {
    if (!problem.repair) continue;
    if ('replay' in problem.repair) partitions.add(problem.repair.replay);
    else leftovers.push(problem.repair.remove);
  }
  const valid = new Set([...partitions].filter((p) => parsePartitionPath(p) !== undefined));
  const replayed = valid.size > 0 ? await replay({ location, workers, only: valid }) : undefined;
  const store = openStore(location);
  for (const key of leftovers) await store.delete(key);
  return {
    ...(replayed ? { replayed } : {}),
    removed: leftovers,
    unrepairable: problems.filter((p) => !p.repair),
  };
}
