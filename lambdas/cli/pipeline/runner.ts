import { type RunHooks, runCollection } from '../../core/collection-run.js';
import type { CollectResult, PlaceOutcome } from '../../core/collector.js';
import { describeError, StorageError } from '../../core/errors.js';
import type { Log } from '../../core/logger.js';
import type { Place } from '../../core/places.js';
import type { RunSummary } from '../../core/run-summary.js';
import type { SeoulApiClient } from '../../core/seoul-api/client.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import type { Transport } from '../transport/transport.js';
import {
  forgetPendingRun,
  notePendingRun,
  removeDeadTemporaryFiles,
  type SettledRun,
  settlePendingRuns,
} from './run-journal.js';

export interface LocalRunDeps {
  readonly client: Pick<SeoulApiClient, 'fetchPlace'>;
  readonly places: readonly Place[];
  readonly transport: Transport;
  /** Where the run's `collection_outcomes` file goes (the lake). */
  readonly store: ObjectStore;
  readonly log: Log;
  readonly concurrency: number;
  readonly runTimeoutMs: number;
  readonly simulated: boolean;
  /** Aborted by Ctrl-C: the run abandons the places not fetched yet, and still writes what it has. */
  readonly stop?: AbortSignal;
  /** Told each place's outcome as it is known (live progress). */
  readonly onPlaceDone?: (outcome: PlaceOutcome) => void;
  /** Tells the user what a stop request does to this run (finish or abandon). */
  readonly notify?: (text: string) => void;
}

/**
 * One collection on the embedded default: the core's run (the same as the Lambda fetcher's) with
 * the local hooks, in the order that keeps every place accounted for: the run is noted in the lake
 * before any place is asked; the envelopes are published; the writer puts them in the lake (archive
 * first, tables next); only then are the outcomes written, and the note removed. If the writer
 * cannot finish (a full disk), the run stays noted and its outcomes wait until its answers are in
 * the lake (the next run's drain, or the next start) or are known lost.
 */
export async function runOnce(deps: LocalRunDeps, collectedAt: Date): Promise<RunSummary> {
  const { store, log, transport } = deps;
  const places = deps.places.map((p) => p.code);
  let runId = '';
  let fetching = true;
  let done = 0;
  const sayWhatStopDoes = () =>
    deps.notify?.(
      fetching
        ? `abandoning run ${runId}: ${done} of ${deps.places.length} places done, the rest are recorded as interrupted; writing what was collected`
        : `finishing run ${runId}: writing its files`,
    );
  const note = (collect: CollectResult) => ({
    runId,
    collectedAt: collectedAt.toISOString(),
    places,
    outcomes: collect.outcomes,
  });
  const hooks: RunHooks = {
    started: async (run) => {
      runId = run.runId;
      if (deps.stop?.aborted) sayWhatStopDoes();
      deps.stop?.addEventListener('abort', sayWhatStopDoes, { once: true });
      try {
        await notePendingRun(store, { runId, collectedAt: collectedAt.toISOString(), places });
      } catch (error) {
        // Nothing was asked yet, so nothing is lost: say why no run took place.
        throw new StorageError(`run not started: ${lakeFailureReason(error)}`, { cause: error });
      }
    },
    collected: async (collect) => {
      fetching = false;
      await notePendingRun(store, note(collect)).catch((error: unknown) =>
        log.warn('cannot note the run as collected', { runId, error: describeError(error) }),
      );
    },
    published: async (collect) => {
      try {
        return { writes: await transport.drain() };
      } catch (error) {
        const reason = lakeFailureReason(error);
        log.error('answers not yet in the lake; outcomes wait for them', { runId, reason });
        await notePendingRun(store, { ...note(collect), note: reason }).catch(() => undefined);
        return { waiting: reason };
      }
    },
    recorded: (collect) => forgetPendingRun(store, collect.runId),
  };
  try {
    const { summary } = await runCollection({
      client: deps.client,
      places: deps.places,
      collectedAt,
      concurrency: deps.concurrency,
      runTimeoutMs: deps.runTimeoutMs,
      log,
      simulated: deps.simulated,
      store,
      ...(deps.stop ? { stop: deps.stop } : {}),
      publish: (envelopes) => transport.publish(envelopes),
      onPlaceDone: (outcome) => {
        done += 1;
        deps.onPlaceDone?.(outcome);
      },
      hooks,
    });
    // Earlier runs whose answers were waiting for the lake are in it now.
    if (!summary.waiting) await settlePendingRuns(store, log);
    return summary;
  } finally {
    deps.stop?.removeEventListener('abort', sayWhatStopDoes);
  }
}

/** What the first start on a lake found and repaired. */
export interface Recovery {
  readonly removedTemporaryFiles: string[];
  readonly settledRuns: SettledRun[];
}

/**
 * Before the first run: removes temporary files of killed writers, lets the writer take what a
 * previous process left in the topic (Kafka), and settles runs that a crash or a full disk cut short.
 */
export async function recoverUnfinishedRuns(
  deps: Pick<LocalRunDeps, 'store' | 'transport' | 'log'>,
): Promise<Recovery> {
  const folder = deps.store.location.startsWith('s3://') ? undefined : deps.store.location;
  const removedTemporaryFiles = folder ? await removeDeadTemporaryFiles(folder) : [];
  await deps.transport.drain();
  const settledRuns = await settlePendingRuns(deps.store, deps.log);
  return { removedTemporaryFiles, settledRuns };
}

/**
 * Before the process ends: a last try to write what is queued. Records of the in-process queue
 * that still cannot be written are dropped with the process, so their places are recorded failed
 * with the reason and a notice says so. Kafka keeps its records: their runs stay noted and the
 * next start writes and settles them. Returns the notice, if there is one to give.
 */
export async function finishLocalRuns(
  deps: Pick<LocalRunDeps, 'store' | 'transport' | 'log'>,
): Promise<string | undefined> {
  let reason: string | undefined;
  try {
    await deps.transport.drain();
  } catch (error) {
    reason = lakeFailureReason(error);
  }
  if (reason && deps.transport.keepsRecords) {
    return `answers not yet in the lake stay in Kafka (${reason}); the next start writes them and records their outcomes`;
  }
  try {
    const settled = await settlePendingRuns(deps.store, deps.log, {
      ...(reason ? { note: `${reason}; the answers were dropped when the process ended` } : {}),
    });
    const failed = settled.reduce((total, run) => total + run.failed, 0);
    if (reason && failed > 0)
      return `${failed} answer(s) could not be written (${reason}) and were dropped: their places are recorded as failed`;
  } catch (error) {
    return `unfinished runs could not be recorded (${describeError(error)}): the next start records them`;
  }
  return undefined;
}

/** `lake not writable: ENOSPC` when the file system refused, the error's own words otherwise. */
function lakeFailureReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) return `lake not writable: ${code}`;
    current = (current as { cause?: unknown }).cause;
  }
  return `not written to the lake: ${describeError(error)}`;
}
