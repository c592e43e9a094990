import { type CollectOptions, type CollectResult, collectRun, type PlaceOutcome } from './collector.js';
import type { Envelope } from './envelope.js';
import { describeError } from './errors.js';
import type { ObjectStore } from './storage/object-store.js';
import { writeRunOutcomes } from './writers/outcomes-writer.js';

/** What the topic took: how many envelopes, and which places it refused and why. */
export interface PublishOutcome {
  readonly published: number;
  readonly refused: readonly { readonly code: string; readonly reason: string }[];
}

export interface CollectAndPublishOptions extends CollectOptions {
  /** Hands the run's envelopes to the topic; resolves with what was acknowledged. */
  readonly publish: (envelopes: readonly Envelope[]) => Promise<PublishOutcome>;
  /** The lake, for the run's `collection_outcomes` file. */
  readonly store: ObjectStore;
}

export interface CollectAndPublishResult {
  readonly collect: CollectResult;
  readonly published: number;
  /** The `collection_outcomes` file written, and its partition path. */
  readonly outcomes: { readonly key: string; readonly partition: string };
}

/**
 * A collection run up to the topic, as the Lambda fetcher does it: fetch every place, publish the
 * envelopes, then record every place's outcome in the lake. Outcomes are written only once the
 * envelopes are acknowledged; a place whose envelope the topic refused fails with the reason, and
 * a run that could not publish at all records its places as failed before it throws, so no place
 * is left without an outcome and none claims to be collected.
 */
export async function collectAndPublish(options: CollectAndPublishOptions): Promise<CollectAndPublishResult> {
  const collect = await collectRun(options);
  const { collect: published, count } = await publishCollected(collect, options.publish, (failed) =>
    writeRunOutcomes(failed, options.store).catch((error: unknown) =>
      options.log.error('cannot record the failed run', {
        runId: collect.runId,
        error: describeError(error),
      }),
    ),
  );
  const outcomes = await writeRunOutcomes(published, options.store);
  return { collect: published, published: count, outcomes };
}

/**
 * Publishes a run's envelopes and folds what the topic refused into the outcomes. When the publish
 * fails as a whole, `onFailure` sees the run with its places failed (to record them) before the
 * error is thrown again.
 */
export async function publishCollected(
  collect: CollectResult,
  publish: (envelopes: readonly Envelope[]) => Promise<PublishOutcome>,
  onFailure?: (failed: CollectResult) => Promise<unknown>,
): Promise<{ collect: CollectResult; count: number }> {
  let outcome: PublishOutcome;
  try {
    outcome = await publish(collect.envelopes);
  } catch (error) {
    const reason = `not published: ${describeError(error)}`;
    const failed = failPlaces(collect, new Map(collect.envelopes.map((e) => [e.place.code, reason])));
    await onFailure?.(failed);
    throw error;
  }
  const refused = new Map(outcome.refused.map((r) => [r.code, `not published: ${r.reason}`]));
  return { collect: failPlaces(collect, refused), count: outcome.published };
}

/** The run with the given places failed for the given reasons, and their envelopes removed. */
export function failPlaces(collect: CollectResult, reasons: ReadonlyMap<string, string>): CollectResult {
  if (reasons.size === 0) return collect;
  const outcomes = collect.outcomes.map(
    (o): PlaceOutcome => (reasons.has(o.code) ? { ...o, status: 'failed', reason: reasons.get(o.code) } : o),
  );
  const envelopes = collect.envelopes.filter((e) => !reasons.has(e.place.code));
  return { ...collect, outcomes, envelopes };
}
