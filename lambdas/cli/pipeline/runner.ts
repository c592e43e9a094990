import { type RunHooks, runCollection, runFinishLine } from '../../core/collection-run.js';
import type { CollectResult, PlaceOutcome } from '../../core/collector.js';
import { deadlineSignal } from '../../core/deadline.js';
import { describeError, StorageError } from '../../core/errors.js';
import { KafkaTimeoutError } from '../../core/kafka/kafka-error.js';
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

/** How long the command's last drain waits for a Kafka that did not answer (the run already waited). */
export const FINISH_WAIT_MS = 1_500;

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
  // Publishing and writing end by the run's finish line, however long Kafka stays silent.
  // Past it, the answers sent wait in Kafka with their run noted; the next drain or start writes
  // them and settles the run.
  const finish = runFinishLine(deps.runTimeoutMs);
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
        return { writes: await transport.drain({ signal: finish }) };
      } catch (error) {
        const reason = transport.keepsRecords
          ? `${lakeFailureReason(error)}; they stay in Kafka, the next start writes them`
          : lakeFailureReason(error);
        log.error('answers not yet in the lake; outcomes wait for them', { runId, reason });
        await notePendingRun(store, { ...note(collect), note: reason }).catch(() => undefined);
        return { waiting: reason };
      }
    },
    recorded: (collect) => forgetPendingRun(store, collect.runId),
    publishFailed: async (collected, error) => {
      if (!(error instanceof KafkaTimeoutError && error.unconfirmed)) return undefined;
      const reason = `${describeError(error)}; the next start writes what Kafka took and records the rest as failed`;
      await notePendingRun(store, { ...note(collected), note: reason }).catch(() => undefined);
      return reason;
    },
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
      publish: (envelopes) => transport.publish(envelopes, { signal: finish }),
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
  const { transport } = deps;
  // Kafka keeps what it took, and runs of this process that wait for it stay noted: with nothing
  // of ours unwritten, there is nothing to wait for (and a silent broker is not waited on).
  if (transport.keepsRecords && transport.unwritten === 0) return undefined;
  let reason: string | undefined;
  try {
    await transport.drain(
      transport.keepsRecords
        ? {
            signal: deadlineSignal(
              FINISH_WAIT_MS,
              () => new KafkaTimeoutError(`Kafka did not answer within ${FINISH_WAIT_MS / 1000} s`, false),
            ),
          }
        : {},
    );
  } catch (error) {
    reason = lakeFailureReason(error);
  }
  if (reason && transport.keepsRecords) {
    // The run's own words again: answers never confirmed are not said to be in Kafka.
    if (transport.unconfirmed > 0)
      return `${transport.unwritten} answer(s) not yet in the lake (${reason}); ${transport.unconfirmed} of them sent, not confirmed: the next start writes what Kafka took and records the rest as failed`;
    return `${transport.unwritten} answer(s) sent to Kafka are not yet in the lake (${reason}); they stay in Kafka: the next start writes what Kafka holds and records every place's outcome`;
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
