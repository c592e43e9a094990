import { type CollectOptions, type CollectResult, collectRun } from './collector.js';
import type { Envelope } from './envelope.js';
import { writeRunOutcomes } from './lake/outcomes-writer.js';
import type { ObjectStore } from './storage/object-store.js';

export interface CollectAndPublishOptions extends CollectOptions {
  /** Hands the run's envelopes to the topic; resolves with how many were acknowledged. */
  readonly publish: (envelopes: readonly Envelope[]) => Promise<number>;
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
 * A collection run up to the topic, as the Lambda fetcher and the local runner both do it: fetch
 * every place, publish the envelopes, then record every place's outcome in the lake. Outcomes
 * are written only once the envelopes are acknowledged, so a run that could not publish leaves
 * no outcome claiming its places were collected.
 */
export async function collectAndPublish(options: CollectAndPublishOptions): Promise<CollectAndPublishResult> {
  const collect = await collectRun(options);
  const published = await options.publish(collect.envelopes);
  const outcomes = await writeRunOutcomes(collect, options.store);
  return { collect, published, outcomes };
}
