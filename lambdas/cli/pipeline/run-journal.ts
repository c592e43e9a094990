import { readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { CollectResult, PlaceOutcome } from '../../core/collector.js';
import { describeError } from '../../core/errors.js';
import { partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import type { Log } from '../../core/logger.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { writeRunOutcomes } from '../../core/writers/outcomes-writer.js';
import { RAW_SUFFIX, readRawFile } from '../replay/raw-archive.js';
import { rebuildPartition } from '../replay/rebuild-partition.js';

/**
 * Runs in progress, one small JSON file each, under this folder of the lake. A run is noted before
 * it asks the API and forgotten once its `collection_outcomes` file is written; a note still there
 * at the next start is a run that a crash, a kill or a full disk cut short.
 */
export const PENDING_RUNS = '_pending_runs/';

interface PendingRun {
  readonly runId: string;
  readonly collectedAt: string;
  readonly places: readonly string[];
  /** Known once the places were asked. */
  readonly outcomes?: readonly PlaceOutcome[];
  /** Why the run could not finish, when it was known (e.g. the lake was not writable). */
  readonly note?: string;
}

const keyOf = (runId: string) => `${PENDING_RUNS}${runId}.json`;

/** Notes a run as started (places only) or as collected (with every place's outcome). */
export async function notePendingRun(store: ObjectStore, run: PendingRun): Promise<void> {
  await store.put(keyOf(run.runId), Buffer.from(JSON.stringify(run)), 'application/json');
}

/** The run's outcomes are written: forget it. */
export async function forgetPendingRun(store: ObjectStore, runId: string): Promise<void> {
  await store.delete(keyOf(runId));
}

export interface SettledRun {
  readonly runId: string;
  readonly ok: number;
  readonly failed: number;
}

/**
 * Finishes what unfinished runs left: rebuilds their partitions' tables from raw/ (a batch cut
 * short after its archive was written has its rows restored, with the very file names the writer
 * uses), then writes each run's `collection_outcomes`: a place whose answer is in raw/ is ok (its
 * row or its rejection now exists); a place collected but never archived failed, with the reason;
 * so does a place never asked. Only then is the note removed, so a crash here is repaired next time.
 */
export async function settlePendingRuns(
  store: ObjectStore,
  log: Log,
  options: { note?: string; except?: string } = {},
): Promise<SettledRun[]> {
  const settled: SettledRun[] = [];
  for (const key of await store.list(PENDING_RUNS)) {
    if (!key.endsWith('.json')) continue;
    let run: PendingRun;
    try {
      run = JSON.parse((await store.get(key)).toString('utf8')) as PendingRun;
    } catch (error) {
      log.error('unreadable pending-run note left as it is', { key, error: describeError(error) });
      continue;
    }
    if (run.runId === options.except) continue;
    const collectedAt = new Date(run.collectedAt);
    const partition = partitionValuesFor(collectedAt);
    const path = partitionPath(partition);
    const rawKeys = (await store.list(`raw/${path}/`)).filter((k) => k.endsWith(RAW_SUFFIX));
    if (rawKeys.length > 0)
      await rebuildPartition({ partition, rawKeys, looseKeys: [], dryRun: false }, store);
    const archived = new Set<string>();
    for (const rawKey of rawKeys) {
      for (const { envelope } of readRawFile(rawKey, await store.get(rawKey)).envelopes)
        if (envelope.runId === run.runId) archived.add(envelope.place.code);
    }
    const cause = run.note ?? options.note ?? 'the process ended before the run finished';
    const known = new Map((run.outcomes ?? []).map((o) => [o.code, o]));
    const outcomes = run.places.map((code): PlaceOutcome => {
      const outcome = known.get(code);
      if (archived.has(code))
        return { code, status: 'ok', attempts: outcome?.attempts ?? 1, durationMs: outcome?.durationMs ?? 0 };
      if (outcome && outcome.status !== 'ok') return outcome;
      return {
        code,
        status: 'failed',
        reason: outcome ? `answer not written to the lake: ${cause}` : `not collected: ${cause}`,
        attempts: outcome?.attempts ?? 0,
        durationMs: outcome?.durationMs ?? 0,
      };
    });
    const collect: CollectResult = { runId: run.runId, collectedAt, envelopes: [], outcomes, durationMs: 0 };
    await writeRunOutcomes(collect, store);
    await forgetPendingRun(store, run.runId);
    const ok = outcomes.filter((o) => o.status === 'ok').length;
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    log.warn('unfinished run settled', { runId: run.runId, ok, failed, cause });
    settled.push({ runId: run.runId, ok, failed });
  }
  return settled;
}

/**
 * Removes temporary files that a killed writer left in a lake folder. Only files whose writer
 * process is gone (the PID in the name, see LocalFolderStore) are removed: a live process may be
 * about to rename its file.
 */
export async function removeDeadTemporaryFiles(lake: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(lake, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = /\.(\d+)-[0-9a-f]+\.tmp$/.exec(entry);
    if (!match || processAlive(Number(match[1]))) continue;
    await rm(join(lake, entry), { force: true });
    removed.push(relative(lake, join(lake, entry)).split(sep).join('/'));
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
