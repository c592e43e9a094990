import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import type { LogLevel } from '../core/logger.js';
import { parsePlaceList } from '../core/places.js';
import {
  maxAnswerBytes,
  readSetting,
  runIntervalFromEnv,
  runLimitsFromEnv,
  SETTINGS,
  settingFromEnv,
} from '../core/settings.js';

/** Everything a local run needs, resolved from command-line options and environment variables. */
export interface LocalConfig {
  readonly once: boolean;
  /**
   * `--places`: the codes chosen, checked against the lake's place catalogue when the pipeline
   * opens (`run-places.ts`). Unset: every place of the catalogue.
   */
  readonly placeCodes?: readonly string[];
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
}

export const RUN_OPTIONS = {
  once: { type: 'boolean', default: false },
  places: { type: 'string' },
  lake: { type: 'string' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The demo's options: those of `npm start`, and `--days N` to simulate history. */
export const DEMO_OPTIONS = {
  ...RUN_OPTIONS,
  days: { type: 'string' },
  faults: { type: 'boolean', default: false },
} as const;

/** The lake folder of `npm start`, `npm run query` and `npm run report` when `--lake` is not given. */
export function defaultLakeDir(env: NodeJS.ProcessEnv): string {
  return settingFromEnv(SETTINGS.lakeDir, env);
}

export interface ParsedRunArgs {
  readonly help: boolean;
  readonly values: {
    once: boolean;
    places?: string;
    lake?: string;
    concurrency?: string;
    days?: string;
    faults?: boolean;
  };
}

/** Parses a run command's options; a wrong one is a configuration error that shows the usage. */
export function parseRunArgs(
  argv: readonly string[],
  usage: string,
  options: typeof RUN_OPTIONS | typeof DEMO_OPTIONS = RUN_OPTIONS,
): ParsedRunArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: false,
    });
    return { help: values.help, values: values as ParsedRunArgs['values'] };
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${usage}`);
  }
}

/**
 * Resolves the configuration of `npm start`. With no SEOUL_API_KEY it falls back to the public
 * `sample` key, which only answers POI009 (the pipeline says so when it opens).
 */
export function resolveLocalConfig(
  args: ParsedRunArgs['values'],
  env: NodeJS.ProcessEnv,
  defaults: { lake: string },
): LocalConfig {
  const apiKey = settingFromEnv(SETTINGS.apiKey, env);
  const placeCodes = parsePlaceList(args.places);
  return {
    once: args.once,
    ...(placeCodes && placeCodes.length > 0 ? { placeCodes } : {}),
    lake: resolve(args.lake ?? defaults.lake),
    apiKey,
    baseUrl: settingFromEnv(SETTINGS.apiBaseUrl, env),
    kafkaBrokers: settingFromEnv(SETTINGS.kafkaBrokers, env)?.slice(),
    topic: settingFromEnv(SETTINGS.kafkaTopic, env),
    concurrency: readSetting(SETTINGS.concurrency, args.concurrency, '--concurrency'),
    ...runLimitsFromEnv(env),
    runIntervalMinutes: runIntervalFromEnv(env),
    maxAnswerBytes: maxAnswerBytes(env),
    logLevel: settingFromEnv(SETTINGS.logLevel, env),
  };
}
