import type { CollectResult, PlaceOutcome } from './collector.js';
import { fieldsOf } from './datasets/dataset.js';
import { datasetOf } from './datasets/registry.js';
import { addDrift, answerDrift, NO_DRIFT, type RunDrift } from './field-drift.js';
import type { BatchWriteResult } from './writers/lake-writer.js';

/** What a run did, printed by the command line and returned by the fetcher function. */
export interface RunSummary {
  readonly runId: string;
  readonly collectedAt: string;
  readonly simulated: boolean;
  readonly places: {
    readonly asked: number;
    readonly ok: number;
    readonly noData: number;
    readonly failed: number;
  };
  readonly noData: { readonly code: string; readonly reason: string }[];
  readonly failures: { readonly code: string; readonly reason: string }[];
  readonly published: number;
  /** Answers collected but not yet in the lake (it could not be written): outcomes follow once they are. */
  readonly waiting?: { readonly places: number; readonly reason: string };
  /** Set when the API refused the key (INFO-100): said loudly, since no later run can succeed either. */
  readonly keyRefused?: string;
  /** Present when the writer ran in the same process (local runs). */
  readonly written?: {
    /** Rows written to each table of the datasets, by table name. */
    readonly rows: Readonly<Record<string, number>>;
    readonly rawRecords: number;
    readonly rejectedRecords: number;
    readonly flaggedRecords: number;
    readonly files: string[];
    readonly partitions: string[];
  };
  readonly durationMs: number;
  /**
   * API drift: the answers' fields against what the schema reads (field-drift.ts). Fields the
   * tables do not hold stay in raw/; the fetcher counts them as metrics, the command line prints them.
   */
  readonly drift?: RunDrift;
}

/** The drift of a run's answers, each compared with the fields its dataset reads. */
export function runDrift(collect: Pick<CollectResult, 'envelopes'>): RunDrift {
  let drift = NO_DRIFT;
  for (const envelope of collect.envelopes) {
    const dataset = datasetOf(envelope.dataset);
    if (dataset) drift = addDrift(drift, answerDrift(envelope.payload, fieldsOf(dataset)));
  }
  return drift;
}

/**
 * The one verdict on a run, for the fetcher (which then throws, so the schedule retries it and
 * the dead-letter queue keeps it) and for the command line (exit 1): a run failed when no place
 * could be collected and at least one place failed. A run where every place answered "no data"
 * (INFO-200) completed: the API answered, and each outcome is recorded.
 */
export function runFailed(summary: Pick<RunSummary, 'places'>): boolean {
  return summary.places.ok === 0 && summary.places.failed > 0;
}

const reasonsOf = (outcomes: PlaceOutcome[], status: PlaceOutcome['status']) =>
  outcomes.filter((o) => o.status === status).map((o) => ({ code: o.code, reason: o.reason ?? '' }));

export function summarizeRun(input: {
  collect: CollectResult;
  published: number;
  writes?: readonly BatchWriteResult[];
  /** The run's `collection_outcomes` file, counted with the files written when `writes` is given. */
  outcomes?: { readonly key: string; readonly partition: string };
  simulated: boolean;
  durationMs: number;
  waiting?: RunSummary['waiting'];
}): RunSummary {
  const { collect, writes } = input;
  const count = (status: PlaceOutcome['status']) =>
    collect.outcomes.filter((o) => o.status === status).length;
  const sum = (pick: (w: BatchWriteResult) => number) =>
    (writes ?? []).reduce((total, w) => total + pick(w), 0);
  return {
    runId: collect.runId,
    collectedAt: collect.collectedAt.toISOString(),
    simulated: input.simulated,
    places: {
      asked: collect.outcomes.length,
      ok: count('ok'),
      noData: count('no-data'),
      failed: count('failed'),
    },
    noData: reasonsOf(collect.outcomes, 'no-data'),
    failures: reasonsOf(collect.outcomes, 'failed'),
    published: input.published,
    ...(collect.keyRefused ? { keyRefused: collect.keyRefused.message } : {}),
    ...(input.waiting ? { waiting: input.waiting } : {}),
    written: writes
      ? {
          rows: Object.fromEntries(
            [...new Set(writes.flatMap((w) => Object.keys(w.rows)))].map((table) => [
              table,
              sum((w) => w.rows[table] ?? 0),
            ]),
          ),
          rawRecords: sum((w) => w.rawRecords),
          rejectedRecords: sum((w) => w.rejectedRecords),
          flaggedRecords: sum((w) => w.flaggedRecords),
          files: [...writes.flatMap((w) => w.files), ...(input.outcomes ? [input.outcomes.key] : [])],
          partitions: [
            ...new Set([
              ...writes.flatMap((w) => w.partitions),
              ...(input.outcomes ? [input.outcomes.partition] : []),
            ]),
          ].sort(),
        }
      : undefined,
    durationMs: input.durationMs,
    drift: runDrift(collect),
  };
}
