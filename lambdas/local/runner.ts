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
  const { collect, published, outcomes } = await collectAndPublish({
    client: deps.client,
    places: deps.places,
    runId,
    collectedAt,
    concurrency: deps.concurrency,
    runTimeoutMs: deps.runTimeoutMs,
    log: deps.log,
    publish: (envelopes) => deps.transport.publish(envelopes),
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
