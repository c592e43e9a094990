import { NO_CATALOG, type PartitionCatalog } from '../core/catalog/partition-catalog.js';
import { placesForKey } from '../core/collector.js';
import { type Envelope, newRunId } from '../core/envelope.js';
import { ConfigError, describeError, RunFailedError } from '../core/errors.js';
import type { KafkaLocation } from '../core/kafka/connection.js';
import { floorToMinute } from '../core/kst-time.js';
import { partitionPath, partitionValuesFor } from '../core/lake/partitions.js';
import type { Log } from '../core/logger.js';
import { METRIC } from '../core/metric-names.js';
import type { MetricSink } from '../core/metric-sink.js';
import { type Place, parsePlaceList, selectPlaces } from '../core/places.js';
import { collectAndPublish, type PublishOutcome } from '../core/publish-run.js';
import type { RetryPolicy } from '../core/retry.js';
import { type RunSummary, runFailed, summarizeRun } from '../core/run-summary.js';
import { SeoulApiClient } from '../core/seoul-api/client.js';
import { maxAnswerBytes, runLimits, SETTINGS, settingFromEnv } from '../core/settings.js';
import type { ObjectStore } from '../core/storage/object-store.js';

/** The fetcher's settings, from its environment (docs/deploy-aws.md, "The functions"). */
export interface FetcherSettings {
  readonly topic: string;
  readonly places: readonly Place[];
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
    places: selectPlaces(parsePlaceList(env.PLACES)),
    baseUrl: settingFromEnv(SETTINGS.apiBaseUrl, env),
    concurrency: settingFromEnv(SETTINGS.concurrency, env),
    ...runLimits({ raw: env.REQUEST_TIMEOUT_MS }, { raw: env.RUN_TIMEOUT_MS }),
    maxAnswerBytes: maxAnswerBytes(env),
  };
}

/** The fetcher's destinations, checked before any API call so a misconfigured function fails at once. */
export function requireFetcherTargets(env: NodeJS.ProcessEnv, location: KafkaLocation): void {
  if (!env.LAKE_BUCKET?.trim())
    throw new ConfigError('LAKE_BUCKET is not set: the fetcher writes collection_outcomes/ there');
  if (!location.brokers && !location.clusterArn)
    throw new ConfigError('MSK_CLUSTER_ARN is not set: the fetcher has nowhere to publish');
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
  /** Publishes the run's envelopes to Kafka; resolves with what was acknowledged and refused. */
  readonly publish: (envelopes: readonly Envelope[]) => Promise<PublishOutcome>;
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
}

/**
 * One scheduled collection on AWS: fetch every place, publish the envelopes, record every
 * place's outcome, report metrics, and return the run summary. The outcomes file is written only
 * after Kafka acknowledged the envelopes, and a run that published nothing throws, so a failure is
 * never reported as a success (the schedule's retry policy and dead-letter queue take over).
 */
export async function runScheduledCollection(event: unknown, deps: FetcherDeps): Promise<RunSummary> {
  const started = Date.now();
  const { settings, log, metrics } = deps;
  const collectedAt = collectedAtOf(event);
  const runId = newRunId(collectedAt);
  try {
    const apiKey = await deps.apiKey();
    const forKey = placesForKey(apiKey, settings.places);
    if (forKey.notice) log.warn('sample key in use', { notice: forKey.notice });
    log.info('run started', { runId, collectedAt: collectedAt.toISOString(), places: forKey.places.length });
    const client = new SeoulApiClient({
      baseUrl: settings.baseUrl,
      apiKey,
      timeoutMs: settings.requestTimeoutMs,
      maxAnswerBytes: settings.maxAnswerBytes,
      log,
      ...(deps.retry ? { retry: deps.retry } : {}),
    });
    const { collect, published, outcomes } = await collectAndPublish({
      client,
      places: forKey.places,
      runId,
      collectedAt,
      concurrency: settings.concurrency,
      runTimeoutMs: settings.runTimeoutMs,
      log,
      publish: deps.publish,
      store: deps.store,
    });
    await registerOutcomesPartition(deps.catalog ?? NO_CATALOG, collectedAt, log);
    const summary = summarizeRun({ collect, published, simulated: false, durationMs: Date.now() - started });
    metrics.addMetric(METRIC.placesOk, 'Count', summary.places.ok);
    metrics.addMetric(METRIC.placesNoData, 'Count', summary.places.noData);
    metrics.addMetric(METRIC.placesFailed, 'Count', summary.places.failed);
    metrics.addMetric(METRIC.recordsPublished, 'Count', published);
    metrics.addMetric(METRIC.runDuration, 'Milliseconds', summary.durationMs);
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
    log.info('run finished', {
      runId,
      places: summary.places,
      published,
      outcomes: outcomes.key,
      durationMs: summary.durationMs,
    });
    return summary;
  } catch (error) {
    metrics.addMetric(METRIC.runsFailed, 'Count', 1);
    log.error('run failed', { runId, collectedAt: collectedAt.toISOString(), error: describeError(error) });
    throw error;
  }
}

/**
 * Registers the run's `collection_outcomes` partition. A failure is logged and does not fail the
 * run: the file is written and the envelopes published, and retrying the run would collect a new,
 * different snapshot of every place; the daily crawler adds the partition in the worst case.
 */
export async function registerOutcomesPartition(
  catalog: PartitionCatalog,
  collectedAt: Date,
  log: Log,
): Promise<boolean> {
  const partition = partitionValuesFor(collectedAt);
  try {
    await catalog.registerPartitions('collection_outcomes', [partition]);
    return true;
  } catch (error) {
    log.error('cannot register the collection_outcomes partition; the crawler will add it', {
      partition: partitionPath(partition),
      error: describeError(error),
    });
    return false;
  }
}
