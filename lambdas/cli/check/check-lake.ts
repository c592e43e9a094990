import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describeError } from '../../core/errors.js';
import { parsePartitionPath, partitionPath } from '../../core/lake/partitions.js';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import { LAKE_LOCK } from '../lake-files.js';
import { liveHolder } from '../pipeline/lake-lock.js';
import { type LakeLocation, openStore } from '../replay/lake-location.js';
import { folderPartitionOf, RAW_SUFFIX } from '../replay/raw-archive.js';
import { type ReplaySummary, replay } from '../replay/replay.js';
import {
  type CheckContext,
  type CheckSettings,
  checkCatalogue,
  checkDuplicates,
  checkFilesAndCreateViews,
  checkIncompleteRuns,
  checkLabels,
  checkLayout,
  checkMissingRuns,
  checkOutcomesHaveRows,
  checkPartitions,
  checkRawAccounted,
  checkStale,
  checkStrays,
  checkTimeWindow,
  rejectedFindings,
} from './checks.js';
import { FieldSightings, type UnreadField } from './field-sightings.js';
import { takeInventory } from './lake-inventory.js';
import type { Finding, Problem } from './problems.js';

export interface CheckReport {
  readonly problems: Problem[];
  /** Accounted for, not problems: the records of rejected/, by reason. */
  readonly findings: Finding[];
  /**
   * Fields the archived answers carry that no table holds (API drift): not problems, since raw/
   * keeps them; a column added for one and a replay fill its history.
   */
  readonly unreadFields: { readonly fields: UnreadField[]; readonly notCounted: number };
  readonly files: number;
}

/**
 * DuckDB's memory for a check: it spills to a temporary folder beyond this, so a large lake is
 * checked within a bounded footprint (the default would be 80 % of the machine's memory).
 */
const CHECK_DUCKDB_MEMORY = '512MB';

/** Runs every check over a lake (local folder, or S3 copied to a temporary folder) with DuckDB. */
export async function checkLake(location: LakeLocation, settings: CheckSettings): Promise<CheckReport> {
  const inventory = await takeInventory(location);
  const writer = location.kind === 'folder' ? await liveHolder(location.path) : undefined;
  const spill = await mkdtemp(join(tmpdir(), 'lake-check-spill-'));
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: CHECK_DUCKDB_MEMORY,
    temp_directory: spill,
    preserve_insertion_order: 'false',
  });
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
    const sightings = new FieldSightings();
    const ctx: CheckContext = {
      connection,
      sightings,
      folder: inventory.folder,
      files: new LocalFolderStore(inventory.folder),
      keys: inventory.keys,
      folders: inventory.folders,
      foreign: inventory.foreign,
      ...(writer ? { writer } : {}),
      rawPartitions,
      settings,
      ageOf: async (key) => {
        if (location.kind !== 'folder') return undefined;
        try {
          return Date.now() - (await lstat(join(location.path, ...key.split('/')))).mtimeMs;
        } catch {
          return undefined;
        }
      },
    };
    const problems: Problem[] = inventory.uncopied.map((u) => ({
      check: u.key.startsWith('raw/') ? ('raw-unreadable' as const) : ('unreadable' as const),
      text: `${u.key}: ${u.reason}`,
    }));
    // The first check creates the views the others query; raw accounting fills raw_envelopes and
    // rejected_lines. A check that cannot run to its end is a problem of its own, named with its
    // error, and the others still run: check never stops at the first thing it cannot read.
    for (const check of [
      checkFilesAndCreateViews,
      checkPartitions,
      checkDuplicates,
      checkRawAccounted,
      checkOutcomesHaveRows,
      checkIncompleteRuns,
      checkStale,
      checkTimeWindow,
      checkLabels,
      checkStrays,
      checkLayout,
      checkMissingRuns,
      checkCatalogue,
    ]) {
      try {
        problems.push(...(await check(ctx)));
      } catch (error) {
        problems.push({ check: 'check-failed', text: `${check.name}: ${describeError(error)}` });
      }
    }
    let findings: Finding[] = [];
    try {
      findings = await rejectedFindings(ctx);
    } catch (error) {
      problems.push({ check: 'check-failed', text: `rejectedFindings: ${describeError(error)}` });
    }
    // The lock is not lake data: a folder holding only it holds no files.
    return {
      problems,
      findings,
      unreadFields: sightings.list(),
      files: inventory.keys.filter((key) => key !== LAKE_LOCK).length,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await inventory.close();
    await rm(spill, { recursive: true, force: true });
  }
}

export interface FixOutcome {
  readonly replayed?: ReplaySummary;
  readonly removed: string[];
  /** Leftover files that could not be removed, with the reason. */
  readonly notRemoved: { key: string; reason: string }[];
  readonly unrepairable: Problem[];
}

/**
 * Repairs what raw/ can repair: the affected partitions are replayed (which rewrites their
 * tables and removes files raw/ fully covers), and temporary files left behind long ago are
 * removed. Everything else is returned as unrepairable; what the replay or a removal could not do
 * is in the outcome, named, and the next check finds it again.
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
  const removed: string[] = [];
  const notRemoved: FixOutcome['notRemoved'] = [];
  for (const key of leftovers) {
    try {
      await store.delete(key);
      removed.push(key);
    } catch (error) {
      notRemoved.push({ key, reason: describeError(error) });
    }
  }
  return {
    ...(replayed ? { replayed } : {}),
    removed,
    notRemoved,
    unrepairable: problems.filter((p) => !p.repair),
  };
}
