import type { CollectResult, PlaceOutcome } from './collector.js';
import type { Envelope } from './envelope.js';
import { describeError } from './errors.js';

/** What the topic took: how many envelopes, and which places it refused and why. */
export interface PublishOutcome {
  readonly published: number;
  readonly refused: readonly { readonly code: string; readonly reason: string }[];
}

/** A run after its publish: refused places failed; when the publish failed as a whole, every place and the error. */
export interface PublishedRun {
  readonly collect: CollectResult;
  readonly count: number;
  readonly error?: unknown;
}

/**
 * Publishes a run's envelopes and folds what the topic refused into the outcomes. When the publish
 * fails as a whole, every place that had an answer fails with the reason and the error is
 * returned, for the run to record its outcomes before it throws.
 */
export async function publishCollected(
  collect: CollectResult,
  publish: (envelopes: readonly Envelope[]) => Promise<PublishOutcome>,
): Promise<PublishedRun> {
  let outcome: PublishOutcome;
  try {
    outcome = await publish(collect.envelopes);
  } catch (error) {
    // Sent and never confirmed (a broker that stopped answering) is not the same as refused: the
    // broker may still take them, and the reason says so rather than claim they were not published.
    const reason = isUnconfirmed(error)
      ? `not confirmed: ${describeError(error)}; Kafka may still take them, then the writer writes their rows`
      : `not published: ${describeError(error)}`;
    const failed = failPlaces(collect, new Map(collect.envelopes.map((e) => [e.place.code, reason])));
    return { collect: failed, count: 0, error };
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

/** A publish that ran out of time with its records sent: their fate is the broker's, unknown here. */
function isUnconfirmed(error: unknown): boolean {
  return (error as { unconfirmed?: unknown } | null)?.unconfirmed === true;
}
