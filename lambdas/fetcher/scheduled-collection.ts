import type { PartitionCatalog } from '../core/catalog/partition-catalog.js';
import { runCollection, runFinishLine } from '../core/collection-run.js';
import { placesForKey } from '../core/collector.js';
import { COLLECTED } from '../core/datasets/registry.js';
import type { Envelope } from '../core/envelope.js';
import { ConfigError, describeError, RunFailedError } from '../core/errors.js';
import { topFields } from '../core/field-drift.js';
import type { KafkaLocation } from '../core/kafka/connection.js';
import { floorToMinute } from '../core/kst-time.js';
import type { Log } from '../core/logger.js';
import { METRIC } from '../core/metric-names.js';
import type { MetricSink } from '../core/metric-sink.js';
import { activePlaces, type CatalogueRead, CatalogueSource } from '../core/place-catalogue.js';
import type { Place } from '../core/places.js';
import type { PublishOutcome } from '../core/publish-run.js';
import type { RetryPolicy } from '../core/retry.js';
import { type RunSummary, runFailed } from '../core/run-summary.js';
import { SeoulApiClient } from '../core/seoul-api/client.js';
import {
  maxAnswerBytes,
  requiredSetting,
  runLimitsFromEnv,
  SETTINGS,
  settingFromEnv,
} from '../core/settings.js';
import type { ObjectStore } from '../core/storage/object-store.js';

/** The fetcher's settings, from its environment (docs/deploy-aws.md, "The functions"). */
export interface FetcherSettings {
  readonly topic: string;
  /**
   * `PLACES`: the codes the deployment narrows collection to (empty: every place of the catalogue).
   * Checked against the place catalogue at each run, since the catalogue is data that changes.
   */
  readonly placeCodes: readonly string[];
  readonly baseUrl: string;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly maxAnswerBytes: number;
}

/** Reads and validates the fetcher's environment; a bad value fails before any API call. */
export function fetcherSettingsFromEnv(env: NodeJS.ProcessEnv): FetcherSettings {
  return {
    topic: settingFromEnv(SETTINGS.kafkaTopic, env),
    placeCodes: settingFromEnv(SETTINGS.places, env).map((code) => code.toUpperCase()),
    baseUrl: settingFromEnv(SETTINGS.apiBaseUrl, env),
    concurrency: settingFromEnv(SETTINGS.concurrency, env),
    ...runLimitsFromEnv(env),
    maxAnswerBytes: maxAnswerBytes(env),
  };
}

/** The fetcher's destinations, checked before any API call so a misconfigured function fails at once. */
export function requireFetcherTargets(env: NodeJS.ProcessEnv, location: KafkaLocation): void {
  requiredSetting(SETTINGS.lakeBucket, env);
  if (!location.brokers && !location.clusterArn)
    throw new ConfigError(`${SETTINGS.mskClusterArn.env} is not set: the fetcher has nowhere to publish`);
}

/**
 * The run's scheduled time: the EventBridge event's `time`, to the minute. Using the event's time
 * (not the clock) keeps a retried invocation of the same tick in the same partition and run slot.
 */
export function collectedAtOf(event: unknown): Date {
  const time = (event as { time?: unknown } | null)?.time;
  const instant = typeof time === 'string' ? new Date(time) : undefined;
  if (!instant || Number.isNaN(instant.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(time as string)) {
    throw new ConfigError(
      `the fetcher expects an EventBridge scheduled event with an ISO-8601 "time", got time=${JSON.stringify(time)}`,
    );
  }
  return floorToMinute(instant);
}

export interface FetcherDeps {
  readonly settings: FetcherSettings;
  /** The API key (Secrets Manager, cached per container). */
  readonly apiKey: () => Promise<string>;
  /**
   * Publishes the run's envelopes to Kafka; resolves with what was acknowledged and refused, and
   * gives up when `signal` (the run's finish line) aborts.
   */
  readonly publish: (
    envelopes: readonly Envelope[],
    wait?: { readonly signal?: AbortSignal },
  ) => Promise<PublishOutcome>;
  /** The lake, for the run's `collection_outcomes` file. */
  readonly store: ObjectStore;
  /**
   * Where the outcomes partition is registered once written (Glue on AWS), so Spectrum sees a run's
   * outcomes within a minute, like the writer's tables. @default NO_CATALOG
   */
  readonly catalog?: PartitionCatalog;
  readonly log: Log;
  readonly metrics: MetricSink;
  /** API retry policy (tests shorten it). */
  readonly retry?: RetryPolicy;
  /**
   * The place catalogue of each run (`catalogue/places.json` in the lake bucket, read at every run).
   * @default a CatalogueSource over `store`
   */
  readonly catalogue?: Pick<CatalogueSource, 'current'>;
}

/**
 * The places of this run: the catalogue's active places, narrowed to `PLACES` when it is set. A
 * code of `PLACES` the catalogue no longer holds is left out with a warning; when none is left the
 * deployment is wrong, and the run fails loudly rather than collect nothing quietly.
 */
export function runPlaces(read: CatalogueRead, codes: readonly string[], log: Log): Place[] {
  const active = activePlaces(read.catalogue);
  if (codes.length === 0) return active;
  const byCode = new Map(active.map((place) => [place.code, place]));
  const missing = codes.filter((code) => !byCode.has(code));
  const chosen = [...new Set(codes)]
    .filter((code) => byCode.has(code))
    .map((code) => byCode.get(code) as Place);
  if (missing.length > 0) log.warn('PLACES names places the catalogue does not collect', { missing });
  if (chosen.length === 0)
    throw new ConfigError(
      `${SETTINGS.places.env} names no place of the place catalogue (${missing.join(', ')}); see npm run places`,
    );
  return chosen;
}

/**
 * One scheduled collection on AWS: the core's run (fetch every place, publish the envelopes, record
 * every place's outcome and register its partition), then metrics and the verdict. A run that
 * published nothing throws, so a failure is never reported as a success (the schedule's retry
 * policy and dead-letter queue take over).
 */
export async function runScheduledCollection(event: unknown, deps: FetcherDeps): Promise<RunSummary> {
  const { settings, log, metrics } = deps;
  const collectedAt = collectedAtOf(event);
  let runId: string | undefined;
  const stamp = runMetricsTimestamp(collectedAt, Date.now());
  if (stamp) metrics.setTimestamp?.(stamp);
  // A broker that stops answering cannot hold the run past RUN_TIMEOUT_MS + RUN_FINISH_MARGIN_MS.
  const finish = runFinishLine(settings.runTimeoutMs);
  try {
    const apiKey = await deps.apiKey();
    // Read at every run: a catalogue imported since the last run is collected from this one on.
    const read = await (deps.catalogue ?? new CatalogueSource(deps.store, log)).current();
    const chosen = runPlaces(read, settings.placeCodes, log);
    log.info('place catalogue', {
      origin: read.origin,
      places: chosen.length,
      source: read.catalogue.source,
    });
    const forKey = placesForKey(apiKey, chosen, settings.placeCodes.length === 0);
    if (forKey.notice) log.warn('sample key in use', { notice: forKey.notice });
    const { collect, summary } = await runCollection({
      dataset: COLLECTED,
      client: new SeoulApiClient({
        baseUrl: settings.baseUrl,
        apiKey,
        service: COLLECTED.service,
        timeoutMs: settings.requestTimeoutMs,
        maxAnswerBytes: settings.maxAnswerBytes,
        log,
        ...(deps.retry ? { retry: deps.retry } : {}),
      }),
      places: forKey.places,
      collectedAt,
      concurrency: settings.concurrency,
      runTimeoutMs: settings.runTimeoutMs,
      log,
      simulated: false,
      publish: (envelopes) => deps.publish(envelopes, { signal: finish }),
      store: deps.store,
      ...(deps.catalog ? { catalog: deps.catalog } : {}),
      hooks: {
        started: async (run) => {
          runId = run.runId;
        },
      },
    });
    metrics.addMetric(METRIC.placesOk, 'Count', summary.places.ok);
    metrics.addMetric(METRIC.placesNoData, 'Count', summary.places.noData);
    metrics.addMetric(METRIC.placesFailed, 'Count', summary.places.failed);
    metrics.addMetric(METRIC.recordsPublished, 'Count', summary.published);
    metrics.addMetric(METRIC.runDuration, 'Milliseconds', summary.durationMs);
    // API drift: answers carrying a field no table holds (alarmed), or lacking one a column reads.
    metrics.addMetric(METRIC.apiFieldsUnknown, 'Count', summary.drift?.answersWithUnknown ?? 0);
    metrics.addMetric(METRIC.apiFieldsMissing, 'Count', summary.drift?.answersWithMissing ?? 0);
    if (summary.drift && summary.drift.answersWithUnknown > 0)
      log.warn('the API sends fields no table holds (they stay in raw/)', {
        runId,
        fields: topFields(summary.drift.unknown),
        answers: summary.drift.answers,
      });
    if (collect.keyRefused) {
      // Loud, whatever else happened: no later run can succeed until the key is fixed.
      log.error('the API refused the key (INFO-100)', { runId, message: collect.keyRefused.message });
      if (summary.places.ok === 0) throw collect.keyRefused;
    }
    if (runFailed(summary)) {
      throw new RunFailedError(
        `no place of run ${runId} could be collected (${summary.places.failed} failed, ${summary.places.noData} no data); ` +
          `first failure: ${summary.failures[0]?.code} ${summary.failures[0]?.reason}`,
      );
    }
    metrics.addMetric(METRIC.runs, 'Count', 1);
    return summary;
  } catch (error) {
    metrics.addMetric(METRIC.runsFailed, 'Count', 1);
    log.error('run failed', { runId, collectedAt: collectedAt.toISOString(), error: describeError(error) });
    throw error;
  }
}

/** How far a run's slot may lie from the clock for its metrics to be stamped with it. */
const SLOT_STAMP_PAST_MS = 60 * 60_000;
const SLOT_STAMP_FUTURE_MS = 5 * 60_000;

/**
 * A scheduled run's metrics are recorded at its slot (the event's time), not when it ended: the
 * missed-run alarm compares each slot with the runs of the same period, and a run that ended
 * after a period boundary would otherwise count in the next one. Only a recent slot qualifies (a
 * retry or a late delivery, within the hour); any other time (a manual run for an old slot) is
 * recorded when it ends.
 */
export function runMetricsTimestamp(collectedAt: Date, nowMs: number): Date | undefined {
  const age = nowMs - collectedAt.getTime();
  return age <= SLOT_STAMP_PAST_MS && age >= -SLOT_STAMP_FUTURE_MS ? collectedAt : undefined;
}
