import { ConfigError, PipelineError } from '../core/errors.js';
import type { Log } from '../core/logger.js';
import { METRIC } from '../core/metric-names.js';
import type { MetricSink } from '../core/metric-sink.js';
import { requiredSetting, SETTINGS, settingFromEnv } from '../core/settings.js';
import type { ObjectStore } from '../core/storage/object-store.js';
import { type LoadResult, loadNewPartitions } from '../core/warehouse/loader.js';
import { redshiftCopy, redshiftCopyFiles } from '../core/warehouse/staging-fill.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';

/**
 * What starts a load: the schedule (an EventBridge event, whose fields are ignored), or a manual
 * invocation `{"since": "2026-07-01T00:00:00Z"}` to load an older backlog (first deployment over
 * an existing lake). A load that runs out of time stops starting partitions and returns; the next
 * one (scheduled or by hand) goes on from the newest partition loaded, so nothing is skipped.
 */
export interface LoaderEvent {
  readonly since?: string;
}

export interface LoaderDeps {
  readonly warehouse: Warehouse;
  readonly store: Pick<ObjectStore, 'list'>;
  readonly env: NodeJS.ProcessEnv;
  readonly metrics: MetricSink;
  readonly log: Log;
  readonly now: Date;
  /** Milliseconds left of the invocation (Lambda's context). @default - no limit */
  readonly remainingMs?: () => number;
}

/** A load that left partitions unloaded: the invocation fails so it shows in errors and alarms. */
export class LoaderFailedError extends PipelineError {
  constructor(message: string) {
    super('LOADER_FAILED', message);
  }
}

function parseSince(event: LoaderEvent | undefined): Date | undefined {
  const since = event?.since;
  if (since === undefined) return undefined;
  const instant = new Date(since);
  if (typeof since !== 'string' || Number.isNaN(instant.getTime())) {
    throw new ConfigError(
      `"since" must be an ISO-8601 time such as 2026-07-01T00:00:00Z, got ${JSON.stringify(since)}`,
    );
  }
  return instant;
}

/**
 * One scheduled load: COPY every new or changed lake partition into the native tables, report
 * `PartitionsLoaded` and `LoaderFailures`, and fail the invocation if any partition failed (the
 * next run, or the retry, loads it again; the merge makes that safe).
 */
export async function runLoader(event: LoaderEvent | undefined, deps: LoaderDeps): Promise<LoadResult> {
  const since = parseSince(event);
  const lake = {
    bucket: settingFromEnv(SETTINGS.lakeBucket, deps.env) ?? '',
    prefix: '',
    roleArn: settingFromEnv(SETTINGS.spectrumRoleArn, deps.env) ?? '',
  };
  const fill = redshiftCopy(lake);
  let result: LoadResult;
  try {
    result = await loadNewPartitions({
      warehouse: deps.warehouse,
      store: deps.store,
      fill,
      // Partitions with files of an older version of their table: one COPY per file.
      fillFiles: redshiftCopyFiles(lake),
      log: deps.log,
      now: deps.now,
      ...(since ? { since } : {}),
      ...(deps.remainingMs ? { remainingMs: deps.remainingMs } : {}),
    });
  } catch (error) {
    // Nothing could be compared or listed (warehouse or S3 unreachable): one failure, no loads.
    deps.metrics.addMetric(METRIC.partitionsLoaded, 'Count', 0);
    deps.metrics.addMetric(METRIC.loaderFailures, 'Count', 1);
    throw error;
  }
  deps.metrics.addMetric(METRIC.partitionsLoaded, 'Count', result.loaded.length);
  deps.metrics.addMetric(METRIC.loaderFailures, 'Count', result.failed.length);
  deps.log.info('load finished', {
    loaded: result.loaded.length,
    failed: result.failed.length,
    deferred: result.deferred,
    outOfTime: result.outOfTime,
    since: result.since,
  });
  if (result.failed.length > 0) {
    const first = result.failed[0];
    throw new LoaderFailedError(
      `${result.failed.length} partition(s) failed to load; first: ${first?.table} ${first?.path}: ${first?.error}`,
    );
  }
  return result;
}

/** The loader's lake, checked before anything is listed. */
export function requireLoaderTargets(env: NodeJS.ProcessEnv): string {
  return requiredSetting(SETTINGS.lakeBucket, env);
}
