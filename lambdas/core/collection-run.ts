import { randomBytes } from 'node:crypto';
import type { PartitionCatalog } from './catalog/partition-catalog.js';
import { type CollectOptions, type CollectResult, collectRun } from './collector.js';
import { deadlineSignal } from './deadline.js';
import type { Envelope } from './envelope.js';
import { describeError } from './errors.js';
import { KafkaTimeoutError } from './kafka/kafka-error.js';
import { type PublishOutcome, publishCollected } from './publish-run.js';
import { type RunSummary, summarizeRun } from './run-summary.js';
import type { ObjectStore } from './storage/object-store.js';
import type { BatchWriteResult } from './writers/lake-writer.js';
import { writeRunOutcomes } from './writers/outcomes-writer.js';

/**
 * A run id that sorts by time and is unique per execution, e.g. `20260716T1420Z-3f9a2c`.
 * Simulated runs are prefixed `sim-` so their rows can never pass for real ones.
 */
export function newRunId(collectedAt: Date, options: { simulated?: boolean } = {}): string {
  const stamp = collectedAt.toISOString().replace(/[-:]/g, '').slice(0, 13);
  return `${options.simulated ? 'sim-' : ''}${stamp}Z-${randomBytes(3).toString('hex')}`;
}

/**
 * What a run may take beyond `RUN_TIMEOUT_MS` to publish its answers (and, on one machine, see
 * them written), however long Kafka stays silent (a paused broker, a network that drops traffic).
 * The command line adds its last drain and its bounded goodbye to Kafka, so `start --once` ends at
 * most 10 s after `RUN_TIMEOUT_MS` (docs/how-a-run-works.md, "A broker that stops answering").
 */
export const RUN_FINISH_MARGIN_MS = 4_000;

/**
 * The run's finish line: aborts `RUN_TIMEOUT_MS` + {@link RUN_FINISH_MARGIN_MS} after now (call it
 * when the run starts) with a {@link KafkaTimeoutError} that says so.
 */
export function runFinishLine(runTimeoutMs: number): AbortSignal {
  return deadlineSignal(
    runTimeoutMs + RUN_FINISH_MARGIN_MS,
    () =>
      new KafkaTimeoutError(
        `Kafka did not answer before the run's end (RUN_TIMEOUT_MS + ${RUN_FINISH_MARGIN_MS / 1000} s)`,
        false,
      ),
  );
}

/** What the publish step says the lake holds of a run: what the writer wrote, or why not yet. */
export type Landing = { readonly writes: readonly BatchWriteResult[] } | { readonly waiting: string };

/**
 * Where the two sides differ. On AWS the writer is another function, so the fetcher needs none of
 * these; the command line keeps a journal of pending runs and runs the writer in process.
 */
export interface RunHooks {
  /** Before any place is asked (the journal notes the run). Throwing refuses the run: nothing was asked. */
  readonly started?: (run: { readonly runId: string; readonly collectedAt: Date }) => Promise<void>;
  /** Every place asked (the journal notes their outcomes). */
  readonly collected?: (collect: CollectResult) => Promise<void>;
  /**
   * The envelopes are published (the local writer writes them now). A `waiting` landing holds the
   * outcomes back: a place is recorded ok only once its answer is in the lake.
   */
  readonly published?: (collect: CollectResult) => Promise<Landing>;
  /** The run's outcomes are written (the journal forgets the run). */
  readonly recorded?: (collect: CollectResult) => Promise<void>;
  /**
   * The publish failed as a whole. A reason returned holds the outcomes back, as a `waiting`
   * landing does: for envelopes sent but not confirmed (a broker that stopped answering), which the
   * broker may still take, so their places are neither collected nor failed yet.
   */
  readonly publishFailed?: (collected: CollectResult, error: unknown) => Promise<string | undefined>;
}

export interface CollectionRunOptions extends Omit<CollectOptions, 'runId'> {
  /** Simulated runs get `sim-` run ids. */
  readonly simulated: boolean;
  /** Hands the run's envelopes to the topic; resolves with what was acknowledged and refused. */
  readonly publish: (envelopes: readonly Envelope[]) => Promise<PublishOutcome>;
  /** The lake, for the run's `collection_outcomes` file. */
  readonly store: ObjectStore;
  /**
   * Where the outcomes partition is registered once written (Glue on AWS), so a run's outcomes are
   * queryable within a minute. A refusal is logged, never fails the run. @default NO_CATALOG
   */
  readonly catalog?: PartitionCatalog;
  readonly hooks?: RunHooks;
}

export interface CollectionRun {
  /** The run as recorded: places the topic refused are failed, with the reason. */
  readonly collect: CollectResult;
  readonly summary: RunSummary;
}

/**
 * One collection run, the same on AWS and on one machine: collect every place, publish the
 * envelopes, record every place's outcome, summarize. Outcomes come last, once the envelopes are
 * acknowledged (and, with a `published` hook, written): a place the topic refused fails with the
 * reason, and a run that could not publish at all records its places as failed and then throws,
 * so no place is left without an outcome and none claims to be collected.
 */
export async function runCollection(options: CollectionRunOptions): Promise<CollectionRun> {
  const started = Date.now();
  const { hooks = {}, log } = options;
  const runId = newRunId(options.collectedAt, { simulated: options.simulated });
  log.info('run started', {
    runId,
    collectedAt: options.collectedAt.toISOString(),
    places: options.places.length,
  });
  await hooks.started?.({ runId, collectedAt: options.collectedAt });
  const collected = await collectRun({ ...options, runId });
  await hooks.collected?.(collected);
  const { collect, count, error } = await publishCollected(collected, options.publish);
  const held = error ? await hooks.publishFailed?.(collected, error) : undefined;
  if (held !== undefined) {
    log.error('answers sent, not confirmed; outcomes wait for them', { runId, reason: held });
    const summary = summarizeRun({
      collect: collected,
      published: 0,
      simulated: options.simulated,
      durationMs: Date.now() - started,
      waiting: { places: collected.envelopes.length, reason: held },
    });
    return { collect: collected, summary };
  }
  const landing = error ? undefined : await hooks.published?.(collect);
  const summary = (extra: Partial<Parameters<typeof summarizeRun>[0]>) =>
    summarizeRun({
      collect,
      published: count,
      simulated: options.simulated,
      durationMs: Date.now() - started,
      ...extra,
    });
  if (landing && 'waiting' in landing) {
    return {
      collect,
      summary: summary({ waiting: { places: collect.envelopes.length, reason: landing.waiting } }),
    };
  }
  let outcomes: { key: string; partition: string } | undefined;
  try {
    outcomes = await writeRunOutcomes(collect, options.store, options.catalog, log);
    await hooks.recorded?.(collect);
  } catch (writeError) {
    if (!error) throw writeError;
    log.error('cannot record the failed run', { runId, error: describeError(writeError) });
  }
  if (error) throw error;
  const done = summary(landing ? { writes: landing.writes, outcomes } : {});
  log.info('run finished', {
    runId,
    places: done.places,
    published: count,
    outcomes: outcomes?.key,
    durationMs: done.durationMs,
  });
  return { collect, summary: done };
}
