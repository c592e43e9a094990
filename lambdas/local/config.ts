import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { placesForKey } from '../core/collector.js';
import { ConfigError } from '../core/errors.js';
import type { LogLevel } from '../core/logger.js';
import { type Place, parsePlaceList, selectPlaces } from '../core/places.js';
import {
  kafkaBrokers,
  maxAnswerBytes,
  readSetting,
  runIntervalMinutes,
  runLimits,
  runMinutesText,
  SETTINGS,
  settingFromEnv,
} from '../core/settings.js';

/** Everything a local run needs, resolved from command-line options and environment variables. */
export interface LocalConfig {
  readonly once: boolean;
  readonly places: Place[];
  readonly lake: string;
  readonly apiKey: string;
  readonly baseUrl: string;
  /** Unset: the in-process queue. */
  readonly kafkaBrokers?: string[];
  readonly topic: string;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly runTimeoutMs: number;
  /** Minutes between scheduled runs (without `--once`). */
  readonly runIntervalMinutes: number;
  /** Ceiling of one API answer, in bytes. */
  readonly maxAnswerBytes: number;
  readonly logLevel: LogLevel;
  /** Things the user should be told before the run (e.g. the sample key's limits). */
  readonly notices: string[];
}

export const RUN_OPTIONS = {
  once: { type: 'boolean', default: false },
  places: { type: 'string' },
  lake: { type: 'string' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const RUN_USAGE = `Options:
  --once               collect one run and exit (default: run now, then at every ${runMinutesText(SETTINGS.runIntervalMinutes.default)} Asia/Seoul)
  --places CODES       comma-separated place codes, e.g. POI001,POI072 (default: all 121)
  --lake DIR           lake folder (default: LAKE_DIR or ./lake)
  --concurrency N      places fetched at the same time (default: ${SETTINGS.concurrency.default}, ${SETTINGS.concurrency.min}–${SETTINGS.concurrency.max})

Environment:
  SEOUL_API_KEY        your key for the Seoul open data portal (never printed); unset: the public "${SETTINGS.apiKey.default}" key
  SEOUL_API_BASE_URL   default ${SETTINGS.apiBaseUrl.default}
  KAFKA_BROKERS        host:port,… of a Kafka cluster (unset: in-process queue)
  KAFKA_TOPIC          default ${SETTINGS.kafkaTopic.default}
  REQUEST_TIMEOUT_MS   per-request limit (default ${SETTINGS.requestTimeoutMs.default}, ${SETTINGS.requestTimeoutMs.min}–${SETTINGS.requestTimeoutMs.max})
  RUN_TIMEOUT_MS       whole-run limit (default ${SETTINGS.runTimeoutMs.default}, ${SETTINGS.runTimeoutMs.min}–${SETTINGS.runTimeoutMs.max})
  RUN_INTERVAL_MINUTES minutes between runs (default ${SETTINGS.runIntervalMinutes.default}, a divisor of 60)
  API_MAX_ANSWER_BYTES ceiling of one API answer (default ${SETTINGS.apiMaxAnswerBytes.default})
  LOG_LEVEL            ${SETTINGS.logLevel.choices.join(' | ')} (default ${SETTINGS.logLevel.default})`;

/** The lake folder of `npm start`, `npm run query` and `npm run report` when `--lake` is not given. */
export function defaultLakeDir(env: NodeJS.ProcessEnv): string {
  return env.LAKE_DIR?.trim() || './lake';
}

export interface ParsedRunArgs {
  readonly help: boolean;
  readonly values: { once: boolean; places?: string; lake?: string; concurrency?: string };
}

export function parseRunArgs(argv: readonly string[]): ParsedRunArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: RUN_OPTIONS,
      strict: true,
      allowPositionals: false,
    });
    return { help: values.help, values };
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${RUN_USAGE}`);
  }
}

/**
 * Resolves the configuration of `npm start`. With no SEOUL_API_KEY it falls back to the public
 * `sample` key, which only answers POI009, and says so.
 */
export function resolveLocalConfig(
  args: ParsedRunArgs['values'],
  env: NodeJS.ProcessEnv,
  defaults: { lake: string },
): LocalConfig {
  const notices: string[] = [];
  const apiKey = settingFromEnv(SETTINGS.apiKey, env);
  const requested = selectPlaces(parsePlaceList(args.places));
  const forKey = placesForKey(apiKey, requested);
  if (forKey.notice) notices.push(forKey.notice);
  return {
    once: args.once,
    places: forKey.places,
    lake: resolve(args.lake ?? defaults.lake),
    apiKey,
    baseUrl: settingFromEnv(SETTINGS.apiBaseUrl, env),
    kafkaBrokers: kafkaBrokers(env.KAFKA_BROKERS),
    topic: settingFromEnv(SETTINGS.kafkaTopic, env),
    concurrency: readSetting(SETTINGS.concurrency, args.concurrency, '--concurrency'),
    ...runLimits({ raw: env.REQUEST_TIMEOUT_MS }, { raw: env.RUN_TIMEOUT_MS }),
    runIntervalMinutes: runIntervalMinutes(env.RUN_INTERVAL_MINUTES),
    maxAnswerBytes: maxAnswerBytes(env),
    logLevel: settingFromEnv(SETTINGS.logLevel, env),
    notices,
  };
}
