import type { PlaceOutcome } from '../core/collector.js';
import { newRunId } from '../core/envelope.js';
import type { Log } from '../core/logger.js';
import type { Place } from '../core/places.js';
import { collectAndPublish } from '../core/publish-run.js';
import { type RunSummary, summarizeRun } from '../core/run-summary.js';
import type { SeoulApiClient } from '../core/seoul-api/client.js';
import type { ObjectStore } from '../core/storage/object-store.js';
import type { Transport } from './transport.js';

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
 * One collection on the embedded default: fetch every place, publish the envelopes, let the
 * writer put them in the lake, and say what happened. The same core modules run in the Lambda
 * fetcher and writer; here they are joined by the local transport.
 */
export async function runOnce(deps: LocalRunDeps, collectedAt: Date): Promise<RunSummary> {
  const started = Date.now();
  const runId = newRunId(collectedAt, { simulated: deps.simulated });
  deps.log.info('run started', { runId, collectedAt: collectedAt.toISOString(), places: deps.places.length });
  let fetching = true;
  let done = 0;
  const sayWhatStopDoes = () =>
    deps.notify?.(
      fetching
        ? `abandoning run ${runId}: ${done} of ${deps.places.length} places done, the rest are recorded as interrupted; writing what was collected`
        : `finishing run ${runId}: writing its files`,
    );
  if (deps.stop?.aborted) sayWhatStopDoes();
  deps.stop?.addEventListener('abort', sayWhatStopDoes, { once: true });
  try {
    return await collectPublishAndWrite(deps, collectedAt, runId, started, {
      onPlaceDone: (outcome) => {
        done += 1;
        deps.onPlaceDone?.(outcome);
      },
      onFetched: () => {
        fetching = false;
      },
    });
  } finally {
    deps.stop?.removeEventListener('abort', sayWhatStopDoes);
  }
}

async function collectPublishAndWrite(
  deps: LocalRunDeps,
  collectedAt: Date,
  runId: string,
  started: number,
  hooks: { onPlaceDone: (outcome: PlaceOutcome) => void; onFetched: () => void },
): Promise<RunSummary> {
  const { collect, published, outcomes } = await collectAndPublish({
    client: deps.client,
    places: deps.places,
    runId,
    collectedAt,
    concurrency: deps.concurrency,
    runTimeoutMs: deps.runTimeoutMs,
    log: deps.log,
    stop: deps.stop,
    onPlaceDone: hooks.onPlaceDone,
    publish: (envelopes) => {
      hooks.onFetched();
      return deps.transport.publish(envelopes);
    },
    store: deps.store,
  });
  const writes = await deps.transport.drain();
  const summary = summarizeRun({
    collect,
    published,
    writes,
    outcomes,
    simulated: deps.simulated,
    durationMs: Date.now() - started,
  });
  deps.log.info('run finished', { runId, places: summary.places, durationMs: summary.durationMs });
  return summary;
}
