import { DEFAULT_TOPIC } from './envelope.js';
import { ConfigError } from './errors.js';
import { LOG_LEVELS } from './logger.js';

/**
 * The settings table: every setting that the local command line, a Lambda function's environment
 * or the CDK configuration (`cdk.json` context, `lib/config.ts`) can take, with its one default,
 * its bounds and its meaning. Every reader parses a value through its row here, so a value means
 * the same and is refused with the same message wherever it is given, and the configuration
 * tables of docs/configuration.md are checked against this one (test/unit/settings.test.ts).
 */

/** What a setting accepts; a reader receives text (environment, options) or JSON (cdk.json). */
interface SettingBase<T> {
  /** Environment variable (local runs and the Lambda functions). */
  readonly env: string;
  /** Command-line option of `npm start` / `npm run demo`, when there is one. */
  readonly option?: string;
  /** `cdk.json` context key, when the deployment sets it. */
  readonly context?: string;
  readonly default: T;
  /** How the default reads in docs/configuration.md when it is not the value itself. */
  readonly shownDefault?: string;
  readonly meaning: string;
  /** What is allowed, in words, for error messages: "a whole number from 1 to 64". */
  readonly allowed: string;
  /** The value of a raw input, or `undefined` when it is not allowed. */
  readonly accept: (raw: unknown) => T | undefined;
}

export type Setting<T> = SettingBase<T>;

/** Text as given, trimmed; numbers in JSON (cdk.json) as their text. */
function asText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number') return String(raw);
  return undefined;
}

function integer(
  spec: Omit<SettingBase<number>, 'allowed' | 'accept'> & { min: number; max: number },
): SettingBase<number> & { readonly min: number; readonly max: number } {
  return {
    ...spec,
    allowed: `a whole number from ${spec.min} to ${spec.max}`,
    accept: (raw) => {
      const text = asText(raw);
      if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
      const value = Number(text);
      return value >= spec.min && value <= spec.max ? value : undefined;
    },
  };
}

function text(
  spec: Omit<SettingBase<string>, 'accept'> & { pattern: RegExp },
): SettingBase<string> & { readonly pattern: RegExp } {
  return { ...spec, accept: (raw) => (typeof raw === 'string' && spec.pattern.test(raw) ? raw : undefined) };
}

function choice<const T extends string>(
  spec: Omit<SettingBase<T>, 'allowed' | 'accept'> & { choices: readonly T[] },
): SettingBase<T> & { readonly choices: readonly T[] } {
  return {
    ...spec,
    allowed: `one of ${spec.choices.map((choice) => `"${choice}"`).join(', ')}`,
    accept: (raw) => {
      const value = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
      return (spec.choices as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
    },
  };
}

/** An http(s) URL, returned without trailing slashes. */
function httpUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return raw.trim().replace(/\/+$/, '');
}

/** The public API's address. */
const DEFAULT_API_BASE_URL = 'http://openapi.seoul.go.kr:8088';
/** The portal's public demo key (it answers POI009 whatever place is asked). */
const SAMPLE_API_KEY = 'sample';

const KAFKA_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export const SETTINGS = {
  concurrency: integer({
    env: 'CONCURRENCY',
    option: '--concurrency',
    context: 'concurrency',
    default: 8,
    min: 1,
    max: 64,
    meaning: 'places fetched at the same time',
  }),
  requestTimeoutMs: integer({
    env: 'REQUEST_TIMEOUT_MS',
    context: 'requestTimeoutMs',
    default: 10_000,
    min: 1_000,
    max: 60_000,
    meaning: 'per-request limit, in milliseconds',
  }),
  // The fetcher's Lambda timeout is this plus publishing time, within Lambda's 15 minutes.
  runTimeoutMs: integer({
    env: 'RUN_TIMEOUT_MS',
    context: 'runTimeoutMs',
    default: 120_000,
    min: 1_000,
    max: 780_000,
    meaning:
      'whole-run limit, in milliseconds, at least REQUEST_TIMEOUT_MS; places not done by then fail with that reason',
  }),
  // Minutes that divide an hour, so the runs fall on the same minutes every hour, in UTC and KST.
  runIntervalMinutes: integer({
    env: 'RUN_INTERVAL_MINUTES',
    context: 'runIntervalMinutes',
    default: 20,
    min: 1,
    max: 60,
    meaning:
      'minutes between scheduled runs, a divisor of 60 (20: at :00, :20, :40); the schedule, the EventBridge rule and the completeness view use it',
  }),
  kafkaTopic: text({
    env: 'KAFKA_TOPIC',
    context: 'topicName',
    default: DEFAULT_TOPIC,
    pattern: KAFKA_TOPIC_NAME,
    allowed: 'a Kafka topic name: 1 to 249 letters, digits, ".", "_" or "-"',
    meaning: 'topic name',
  }),
  apiBaseUrl: {
    env: 'SEOUL_API_BASE_URL',
    context: 'apiBaseUrl',
    default: DEFAULT_API_BASE_URL,
    allowed: `an http(s) URL such as "${DEFAULT_API_BASE_URL}"`,
    meaning: 'any server speaking the API (the simulator, a proxy)',
    accept: httpUrl,
  } satisfies SettingBase<string>,
  kafkaBrokers: {
    env: 'KAFKA_BROKERS',
    default: undefined as readonly string[] | undefined,
    shownDefault: 'unset: in-process queue',
    allowed: 'host:port,… (comma-separated)',
    meaning: '`host:port,…` of a Kafka cluster: the real Kafka path',
    accept: (raw) => (typeof raw === 'string' ? kafkaBrokers(raw) : undefined),
  } satisfies SettingBase<readonly string[] | undefined>,
  apiKey: {
    env: 'SEOUL_API_KEY',
    default: SAMPLE_API_KEY,
    shownDefault: `\`${SAMPLE_API_KEY}\``,
    allowed: 'the key of the Seoul open data portal',
    meaning: 'the portal key, locally (on AWS: the secret); never printed, logged or written',
    accept: (raw) => (typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined),
  } satisfies SettingBase<string>,
  // A normal answer is about 3 KB; the ceiling keeps one hostile or broken answer from exhausting the memory.
  apiMaxAnswerBytes: integer({
    env: 'API_MAX_ANSWER_BYTES',
    default: 1_048_576,
    min: 1,
    max: 64 * 1_048_576,
    meaning: 'the largest API answer read, in bytes (as sent and decoded)',
  }),
  // Read by the fetcher on AWS: how long a warm container keeps the key before reading it again.
  apiKeyMaxAgeSeconds: integer({
    env: 'API_KEY_MAX_AGE_SECONDS',
    default: 300,
    min: 0,
    max: 3_600,
    meaning:
      'seconds the fetcher keeps the API key from Secrets Manager; a rotated key is used after at most this long',
  }),
  logLevel: choice({
    env: 'LOG_LEVEL',
    default: 'warn',
    choices: LOG_LEVELS,
    meaning: 'the least important log lines shown, JSON lines on stderr',
  }),
  functionLogLevel: choice({
    env: 'LOG_LEVEL',
    context: 'logLevel',
    default: 'info',
    choices: LOG_LEVELS.filter((level) => level !== 'silent'),
    meaning: "the Lambda functions' log level",
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N]['default'];

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * The value of a setting from a raw input: `undefined` or empty text gives the default; anything
 * not allowed is a {@link ConfigError} that names where it came from, what is allowed and what was
 * received. `label` is how the user gave it: `CONCURRENCY`, `--concurrency`, `cdk.json context "concurrency"`.
 */
export function readSetting<S extends SettingBase<unknown>>(
  setting: S,
  raw: unknown,
  label = setting.env,
): S['default'] {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === ''))
    return setting.default;
  const value = setting.accept(raw);
  if (value === undefined) {
    throw new ConfigError(
      `${label} must be ${setting.allowed}, got ${show(typeof raw === 'string' ? raw.trim() : raw)}`,
    );
  }
  return value as S['default'];
}

/**
 * A whole number from 1 to `max` for a command's own option that is not in the table (such as
 * `replay --workers`, whose default depends on the machine); empty or unset means `fallback`.
 */
export function positiveInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  max: number,
): number {
  return readSetting(integer({ env: name, default: fallback, min: 1, max, meaning: name }), value, name);
}

/** `API_MAX_ANSWER_BYTES`: the largest API answer read (as sent and decoded). */
export function maxAnswerBytes(env: NodeJS.ProcessEnv): number {
  return settingFromEnv(SETTINGS.apiMaxAnswerBytes, env);
}

/** A setting from its environment variable. */
export function settingFromEnv<S extends SettingBase<unknown>>(
  setting: S,
  env: NodeJS.ProcessEnv,
): S['default'] {
  return readSetting(setting, env[setting.env], setting.env);
}

/** The run interval, which must divide an hour: checked apart, as no range says it. */
export function runIntervalMinutes(raw: unknown, label = SETTINGS.runIntervalMinutes.env): number {
  const value = readSetting(SETTINGS.runIntervalMinutes, raw, label);
  if (60 % value !== 0) {
    throw new ConfigError(
      `${label} must be ${SETTINGS.runIntervalMinutes.allowed} that divides 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60), got ${value}`,
    );
  }
  return value;
}

/**
 * The EventBridge expression of the collection runs: every `minutes` from the top of the hour
 * (UTC; Korea's offset is whole hours, so the same minutes in Seoul).
 */
export function collectionCron(minutes: number): string {
  return minutes === 60 ? 'cron(0 * * * ? *)' : `cron(0/${minutes} * * * ? *)`;
}

/** The run minutes of an hour in words: ":00, :20 and :40". */
export function runMinutesText(minutes: number): string {
  const marks = Array.from({ length: 60 / minutes }, (_, i) => `:${String(i * minutes).padStart(2, '0')}`);
  return marks.length === 1 ? (marks[0] as string) : `${marks.slice(0, -1).join(', ')} and ${marks.at(-1)}`;
}

/** The two time limits of a run, checked together: a run must have room for at least one request. */
export function runLimits(
  request: { raw: unknown; label?: string },
  run: { raw: unknown; label?: string },
): { requestTimeoutMs: number; runTimeoutMs: number } {
  const requestTimeoutMs = readSetting(SETTINGS.requestTimeoutMs, request.raw, request.label);
  const runTimeoutMs = readSetting(SETTINGS.runTimeoutMs, run.raw, run.label);
  if (runTimeoutMs < requestTimeoutMs) {
    throw new ConfigError(
      `${run.label ?? SETTINGS.runTimeoutMs.env} must be a whole number from ${requestTimeoutMs} ` +
        `(${request.label ?? SETTINGS.requestTimeoutMs.env}) to ${SETTINGS.runTimeoutMs.max}, got ${runTimeoutMs}`,
    );
  }
  return { requestTimeoutMs, runTimeoutMs };
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** `host:port,…` (comma-separated) of a Kafka cluster; `undefined` when unset or empty. */
export function kafkaBrokers(
  value: string | undefined,
  label = SETTINGS.kafkaBrokers.env,
): string[] | undefined {
  const brokers = (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) return undefined;
  const bad = brokers.filter((broker) => !BROKER.test(broker));
  if (bad.length > 0) {
    throw new ConfigError(`${label} must be ${SETTINGS.kafkaBrokers.allowed}, got ${show(bad.join(','))}`);
  }
  return brokers;
}
