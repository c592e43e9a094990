import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { placesForKey } from '../core/collector.js';
import { DEFAULT_TOPIC } from '../core/envelope.js';
import { ConfigError } from '../core/errors.js';
import { type LogLevel, parseLogLevel } from '../core/logger.js';
import { type Place, parsePlaceList, selectPlaces } from '../core/places.js';
import { DEFAULT_API_BASE_URL, SAMPLE_API_KEY } from '../core/seoul-api/client.js';
import { apiBaseUrl, maxAnswerBytes, positiveInteger } from '../core/settings.js';

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
  --once               collect one run and exit (default: run now, then at every :00, :20, :40 Asia/Seoul)
  --places CODES       comma-separated place codes, e.g. POI001,POI072 (default: all 121)
  --lake DIR           lake folder (default: LAKE_DIR or ./lake)
  --concurrency N      places fetched at the same time (default: 8)

Environment:
  SEOUL_API_KEY        your key for the Seoul open data portal (never printed); unset: the public "sample" key
  SEOUL_API_BASE_URL   default ${DEFAULT_API_BASE_URL}
  KAFKA_BROKERS        host:port,… of a Kafka cluster (unset: in-process queue)
  KAFKA_TOPIC          default ${DEFAULT_TOPIC}
  REQUEST_TIMEOUT_MS   per-request limit (default 10000); RUN_TIMEOUT_MS whole-run limit (default 120000)
  API_MAX_ANSWER_BYTES ceiling of one API answer (default 1048576)
  LOG_LEVEL            debug | info | warn | error | silent (default warn)`;

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
  const key = env.SEOUL_API_KEY?.trim();
  const apiKey = key && key !== '' ? key : SAMPLE_API_KEY;
  const requested = selectPlaces(parsePlaceList(args.places));
  const forKey = placesForKey(apiKey, requested);
  if (forKey.notice) notices.push(forKey.notice);
  const brokers = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  return {
    once: args.once,
    places: forKey.places,
    lake: resolve(args.lake ?? defaults.lake),
    apiKey,
    baseUrl: apiBaseUrl(env.SEOUL_API_BASE_URL?.trim() || DEFAULT_API_BASE_URL),
    kafkaBrokers: brokers && brokers.length > 0 ? brokers : undefined,
    topic: env.KAFKA_TOPIC?.trim() || DEFAULT_TOPIC,
    concurrency: positiveInteger('--concurrency', args.concurrency, 8, 64),
    requestTimeoutMs: positiveInteger('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS, 10_000),
    runTimeoutMs: positiveInteger('RUN_TIMEOUT_MS', env.RUN_TIMEOUT_MS, 120_000),
    maxAnswerBytes: maxAnswerBytes(env),
    logLevel: parseLogLevel(env.LOG_LEVEL, 'warn'),
    notices,
  };
}
