import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CollectResult, PlaceOutcome } from '../../core/collector.js';
import { describeError, StorageError } from '../../core/errors.js';
import { partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import type { Log } from '../../core/logger.js';
import { walkFolder } from '../../core/storage/folder-walk.js';
import { SAFE_NAME } from '../../core/storage/lake-keys.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { writeRunOutcomes } from '../../core/writers/outcomes-writer.js';
import { PENDING_RUNS } from '../lake-files.js';
import { RAW_SUFFIX, readRawKey } from '../replay/raw-archive.js';
import { rebuildPartition } from '../replay/rebuild-partition.js';

interface PendingRun {
  readonly runId: string;
  readonly collectedAt: string;
  readonly places: readonly string[];
  /** Known once the places were asked. */
  readonly outcomes?: readonly PlaceOutcome[];
  /** Why the run could not finish, when it was known (e.g. the lake was not writable). */
  readonly note?: string;
}

/** A note lists at most the 121 places with their outcomes: a few tens of KB. */
const MAX_NOTE_BYTES = 1_048_576;

/** The note's key: the run id is checked to be a plain name, never a path. */
function keyOf(runId: string): string {
  if (!SAFE_NAME.test(runId))
    throw new StorageError(`run id ${JSON.stringify(runId.slice(0, 80))} is not a plain name`);
  return `${PENDING_RUNS}${runId}.json`;
}

/** A note read back from the lake, checked: its run id becomes file names, its time a partition. */
function parseNote(value: unknown): PendingRun {
  const note = value as Partial<PendingRun> | null;
  if (typeof note?.runId !== 'string' || !SAFE_NAME.test(note.runId))
    throw new Error('its runId is not a plain name');
  if (typeof note.collectedAt !== 'string' || Number.isNaN(Date.parse(note.collectedAt)))
    throw new Error('its collectedAt is not a time');
  if (!Array.isArray(note.places) || !note.places.every((code) => typeof code === 'string'))
    throw new Error('its places are not a list of codes');
  return note as PendingRun;
}

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
      run = parseNote(JSON.parse((await store.get(key, { maxBytes: MAX_NOTE_BYTES })).toString('utf8')));
    } catch (error) {
      log.error('unreadable pending-run note left as it is', { key, error: describeError(error) });
      continue;
    }
    if (run.runId === options.except) continue;
    const collectedAt = new Date(run.collectedAt);
    const partition = partitionValuesFor(collectedAt);
    const path = partitionPath(partition);
    const rawKeys = (await store.list(`raw/${path}/`)).filter((k) => k.endsWith(RAW_SUFFIX));
    if (rawKeys.length > 0) {
      try {
        await rebuildPartition({ partition, rawKeys, looseKeys: [], dryRun: false }, store);
      } catch (error) {
        // The run is still settled; its missing rows are what `npm run check` then names.
        log.error('partition of an unfinished run not rebuilt', {
          runId: run.runId,
          error: describeError(error),
        });
      }
    }
    const archived = new Set<string>();
    for (const rawKey of rawKeys) {
      const inFile = new Set<string>();
      const file = await readRawKey(store, rawKey, (envelope) => {
        if (envelope.runId === run.runId) inFile.add(envelope.place.code);
        return false;
      });
      // A file that could not be read to its end proves nothing.
      if (file.whole) for (const code of inFile) archived.add(code);
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
  // Walked without following a link: a temporary-looking file behind one is not the lake's.
  const { files } = await walkFolder(lake);
  const removed: string[] = [];
  for (const key of files) {
    const match = /\.(\d+)-[0-9a-f]+\.tmp$/.exec(key);
    if (!match || processAlive(Number(match[1]))) continue;
    await rm(join(lake, ...key.split('/')), { force: true });
    removed.push(key);
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
