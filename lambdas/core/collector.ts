import pLimit from 'p-limit';
import type { Dataset } from './datasets/dataset.js';
import { COLLECTED } from './datasets/registry.js';
import { buildEnvelope, type Envelope } from './envelope.js';
import { ConfigError, describeError, InvalidApiKeyError } from './errors.js';
import type { Log } from './logger.js';
import { ALL_PLACES, findPlace, type Place } from './places.js';
import { SAMPLE_API_KEY, SAMPLE_KEY_PLACE, type SeoulApiClient } from './seoul-api/client.js';
import { SETTINGS } from './settings.js';

export type PlaceStatus = 'ok' | 'no-data' | 'failed';

export interface PlaceOutcome {
  readonly code: string;
  readonly status: PlaceStatus;
  /** Why a place has no data or failed; absent for ok. */
  readonly reason?: string;
  readonly attempts: number;
  readonly durationMs: number;
}

export interface CollectOptions {
  readonly client: Pick<SeoulApiClient, 'fetchPlace'>;
  /** The dataset asked for: the client's service, and every envelope's `dataset`. @default COLLECTED */
  readonly dataset?: Dataset;
  readonly places: readonly Place[];
  readonly runId: string;
  /** The run's scheduled time; becomes every envelope's `collectedAt`. */
  readonly collectedAt: Date;
  /** Places fetched at the same time. @default SETTINGS.concurrency.default */
  readonly concurrency?: number;
  /** The whole run is bounded: places not done by then fail with a reason. @default SETTINGS.runTimeoutMs.default */
  readonly runTimeoutMs?: number;
  readonly log: Log;
  /**
   * Aborted when the user stops the command (Ctrl-C): places not fetched yet, and those in flight,
   * end as failed with the reason "interrupted", and the run goes on to publish what it has.
   */
  readonly stop?: AbortSignal;
  /** Told each place's outcome as soon as it is known (live progress on a terminal). */
  readonly onPlaceDone?: (outcome: PlaceOutcome) => void;
}

export interface CollectResult {
  readonly runId: string;
  readonly collectedAt: Date;
  /** One envelope per place that answered, in the order the places were given. */
  readonly envelopes: Envelope[];
  /** One outcome per place asked, in the same order. */
  readonly outcomes: PlaceOutcome[];
  readonly durationMs: number;
  /**
   * Set when the API refused the key (INFO-100) for some place: places not yet asked were not
   * asked, but what had been collected is kept. The caller must say so loudly.
   */
  readonly keyRefused?: InvalidApiKeyError;
}

/**
 * Fetches every place of a run with bounded concurrency and turns each answer into an envelope.
 * A failing place never sinks the run. An invalid key (INFO-100) stops asking further places,
 * since none can succeed with that key, but keeps every answer already collected: the result
 * carries `keyRefused` and the refused places fail with the reason.
 */
export async function collectRun(options: CollectOptions): Promise<CollectResult> {
  const started = Date.now();
  const limit = pLimit(options.concurrency ?? SETTINGS.concurrency.default);
  const runTimeoutMs = options.runTimeoutMs ?? SETTINGS.runTimeoutMs.default;
  const run = new AbortController();
  const deadline = setTimeout(
    () => run.abort(new RunTimeoutError(`run time limit of ${runTimeoutMs / 1000} s reached`)),
    runTimeoutMs,
  );
  const interrupt = () =>
    run.abort(new RunInterruptedError(`interrupted: the run was stopped (${String(options.stop?.reason)})`));
  if (options.stop?.aborted) interrupt();
  options.stop?.addEventListener('abort', interrupt);
  const envelopes = new Map<string, Envelope>();
  const state: RunState = { signal: run.signal };
  try {
    const outcomes = await Promise.all(
      options.places.map((place) =>
        limit(async () => {
          const outcome = await collectPlace(place, options, state, envelopes);
          options.onPlaceDone?.(outcome);
          return outcome;
        }),
      ),
    );
    if (state.keyRefused) {
      options.log.error('the API refused the key (INFO-100)', {
        runId: options.runId,
        collected: envelopes.size,
        message: state.keyRefused.message,
      });
    }
    return {
      runId: options.runId,
      collectedAt: options.collectedAt,
      envelopes: options.places.flatMap((place) => envelopes.get(place.code) ?? []),
      outcomes,
      durationMs: Date.now() - started,
      ...(state.keyRefused ? { keyRefused: state.keyRefused } : {}),
    };
  } finally {
    clearTimeout(deadline);
    options.stop?.removeEventListener('abort', interrupt);
    limit.clearQueue();
  }
}

class RunTimeoutError extends Error {}
class RunInterruptedError extends Error {}

interface RunState {
  readonly signal: AbortSignal;
  keyRefused?: InvalidApiKeyError;
}

const KEY_REFUSED_REASON = 'the API refused the key (INFO-100)';

async function collectPlace(
  place: Place,
  options: CollectOptions,
  state: RunState,
  envelopes: Map<string, Envelope>,
): Promise<PlaceOutcome> {
  const { signal } = state;
  const started = Date.now();
  const took = () => Date.now() - started;
  if (state.keyRefused)
    return {
      code: place.code,
      status: 'failed',
      reason: `not asked: ${KEY_REFUSED_REASON}`,
      attempts: 0,
      durationMs: 0,
    };
  if (signal.aborted) return abortedOutcome(place.code, signal, 0, took());
  try {
    const result = await options.client.fetchPlace(place.code, signal);
    if (result.status === 'ok') {
      envelopes.set(
        place.code,
        buildEnvelope({
          dataset: (options.dataset ?? COLLECTED).service,
          runId: options.runId,
          collectedAt: options.collectedAt,
          fetchedAt: result.fetchedAt,
          place,
          payload: result.record,
          ...(result.answer ? { answer: result.answer } : {}),
        }),
      );
      return { code: place.code, status: 'ok', attempts: result.attempts, durationMs: took() };
    }
    // One line per place at info: the run's summary says what failed, grouped by reason, so an
    // unreachable API is one line for a person, not 121 (the per-place list stays in the log).
    options.log.info(`place ${result.status}`, {
      place: place.code,
      reason: result.reason,
      attempts: result.attempts,
    });
    return {
      code: place.code,
      status: result.status,
      reason: result.reason,
      attempts: result.attempts,
      durationMs: took(),
    };
  } catch (error) {
    if (error instanceof InvalidApiKeyError) {
      state.keyRefused ??= error;
      return {
        code: place.code,
        status: 'failed',
        reason: KEY_REFUSED_REASON,
        attempts: 1,
        durationMs: took(),
      };
    }
    if (signal.aborted) return abortedOutcome(place.code, signal, 1, took());
    const reason = `unexpected error: ${describeError(error)}`;
    options.log.error('place failed', { place: place.code, reason });
    return { code: place.code, status: 'failed', reason, attempts: 1, durationMs: took() };
  }
}

function abortedOutcome(
  code: string,
  signal: AbortSignal,
  attempts: number,
  durationMs: number,
): PlaceOutcome {
  return { code, status: 'failed', reason: describeError(signal.reason), attempts, durationMs };
}

/**
 * The public `sample` key answers POI009 for every place, so with it only POI009 can be collected
 * truthfully. Returns the places to collect and, when the list had to shrink, a notice saying so.
 */
export function placesForKey(
  apiKey: string,
  places: readonly Place[],
  /** Whether `places` is every place of the catalogue (no choice was made), not a list someone chose. */
  allPlaces = places.length === ALL_PLACES.length,
): { places: Place[]; notice?: string } {
  if (apiKey !== SAMPLE_API_KEY) return { places: [...places] };
  const poi009 = findPlace(SAMPLE_KEY_PLACE) as Place;
  const getAKey = 'For all 121 places, get a free key at https://data.seoul.go.kr and set SEOUL_API_KEY.';
  const others = places.filter((place) => place.code !== SAMPLE_KEY_PLACE);
  // Every place (the default) shrinks to POI009 with a notice; an explicit other place is refused,
  // since its rows would be POI009's answer under another name.
  if (!allPlaces && others.length > 0) {
    throw new ConfigError(
      `the public "sample" key only answers ${poi009.name} (${SAMPLE_KEY_PLACE}), whatever place is asked, ` +
        `so ${others.map((place) => place.code).join(', ')} cannot be collected with it. ${getAKey}`,
    );
  }
  const notice = `Using the public "sample" key: it only answers ${poi009.name} (${SAMPLE_KEY_PLACE}), so only ${SAMPLE_KEY_PLACE} is collected. ${getAKey}`;
  return { places: [poi009], notice };
}
