import { DEFAULT_TOPIC } from './envelope.js';
import { ConfigError } from './errors.js';
import { LOG_LEVELS } from './logger.js';
import { METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.js';
import { PLACE_CODE } from './place-catalogue.js';

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
  /**
   * Set by the CDK app on a function to connect it to a resource (a bucket, a cluster, a secret),
   * never typed by a person; the docs list these apart. Undefined: a setting a person chooses.
   */
  readonly wiring?: true;
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

export function integer(
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

export function text(
  spec: Omit<SettingBase<string>, 'accept'> & { pattern: RegExp },
): SettingBase<string> & { readonly pattern: RegExp } {
  return { ...spec, accept: (raw) => (typeof raw === 'string' && spec.pattern.test(raw) ? raw : undefined) };
}

export function choice<const T extends string>(
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

/** A number with a fraction, from above `min` to `max`: `0.2`, or `"0.2"` as `-c key=value` gives it. */
export function decimal(
  spec: Omit<SettingBase<number>, 'allowed' | 'accept'> & { min: number; max: number },
): SettingBase<number> & { readonly min: number; readonly max: number } {
  return {
    ...spec,
    allowed: `a number greater than ${spec.min} and at most ${spec.max}`,
    accept: (raw) => {
      const text = asText(raw);
      const value = text === undefined || text === '' ? Number.NaN : Number(text);
      return Number.isFinite(value) && value > spec.min && value <= spec.max ? value : undefined;
    },
  };
}

/**
 * A variable the CDK app sets on a function (see {@link SettingBase.wiring}): text matching
 * `pattern`, no default unless given; a function that needs it reads it with {@link requiredSetting}.
 */
export function wiring(spec: {
  env: string;
  meaning: string;
  pattern: RegExp;
  allowed: string;
  default?: string;
  shownDefault?: string;
}): SettingBase<string | undefined> & { readonly pattern: RegExp; readonly wiring: true } {
  return {
    ...spec,
    default: spec.default,
    ...(spec.default === undefined && spec.shownDefault === undefined
      ? { shownDefault: 'set by the CDK app' }
      : {}),
    wiring: true,
    accept: (raw) => {
      const value = typeof raw === 'string' ? raw.trim() : undefined;
      return value !== undefined && spec.pattern.test(value) ? value : undefined;
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
/** S3's bucket naming rules (3 to 63 lower-case letters, digits, dots and hyphens). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GLUE_DATABASE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const arnOf = (service: string, resource: string) =>
  new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource}`);

/** Place codes, comma-separated (`POI001,POI072`), or a JSON list of them; empty means all places. */
function placeCodes(raw: unknown): readonly string[] | undefined {
  const items = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) return undefined;
  const codes = items.map((item) => item.trim()).filter((item) => item !== '');
  return codes.every((code) => PLACE_CODE.test(code.toUpperCase())) ? codes : undefined;
}

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
    meaning: 'the least important log lines shown (on stderr)',
  }),
  functionLogLevel: choice({
    env: 'LOG_LEVEL',
    context: 'logLevel',
    default: 'info',
    choices: LOG_LEVELS.filter((level) => level !== 'silent'),
    meaning: "the Lambda functions' log level",
  }),
  logFormat: {
    env: 'LOG_FORMAT',
    default: undefined as 'text' | 'json' | undefined,
    shownDefault: '`text` on a terminal, else `json`',
    allowed: 'one of "text", "json"',
    meaning: 'the form of the log lines on stderr: readable lines or JSON',
    accept: (raw) => {
      const value = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
      return value === 'text' || value === 'json' ? value : undefined;
    },
  } satisfies SettingBase<'text' | 'json' | undefined>,
  lakeDir: {
    env: 'LAKE_DIR',
    default: './lake',
    allowed: 'a folder path',
    meaning: 'the lake folder of the commands when `--lake` is not given',
    accept: (raw) => (typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined),
  } satisfies SettingBase<string>,
  places: {
    env: 'PLACES',
    default: [] as readonly string[],
    shownDefault: 'unset: every place of the place catalogue',
    allowed: 'place codes, comma-separated, such as "POI001,POI072"',
    meaning:
      'narrows the places the fetcher collects to these codes of the place catalogue (set from `cdk.json` `places`)',
    wiring: true,
    accept: placeCodes,
  } satisfies SettingBase<readonly string[]>,
  // The wiring: what the CDK app tells each function about the resources it connects it to.
  lakeBucket: wiring({
    env: 'LAKE_BUCKET',
    pattern: BUCKET_NAME,
    allowed: 'an S3 bucket name',
    meaning: "the lake's bucket: the fetcher's outcomes, the writer's tables, the loader's COPY source",
  }),
  glueDatabase: wiring({
    env: 'GLUE_DATABASE',
    pattern: GLUE_DATABASE_NAME,
    allowed: 'a lower-case Glue database name: a letter, then letters, digits or "_"',
    meaning: "the Glue database of the lake's tables, where written partitions are registered",
  }),
  mskClusterArn: wiring({
    env: 'MSK_CLUSTER_ARN',
    pattern: arnOf('kafka', 'cluster/'),
    allowed: 'an MSK cluster ARN (arn:aws:kafka:…:cluster/…)',
    meaning: 'the MSK Serverless cluster the fetcher publishes to (KAFKA_BROKERS, when set, wins)',
  }),
  apiKeySecretArn: wiring({
    env: 'SEOUL_API_KEY_SECRET_ARN',
    pattern: arnOf('secretsmanager', 'secret:'),
    allowed: 'a Secrets Manager secret ARN (arn:aws:secretsmanager:…:secret:…)',
    meaning: 'the secret holding the API key, which the fetcher reads',
  }),
  workgroupName: wiring({
    env: 'WORKGROUP_NAME',
    pattern: /^[a-z0-9-]{3,64}$/,
    allowed: 'a Redshift Serverless workgroup name',
    meaning: 'the Redshift Serverless workgroup the SQL runner and the loader run SQL on',
  }),
  database: wiring({
    env: 'DATABASE',
    default: 'dev',
    pattern: /^[a-z_][a-z0-9_$]{0,126}$/,
    allowed: 'a Redshift database name',
    meaning: 'the Redshift database of the warehouse',
  }),
  spectrumRoleArn: wiring({
    env: 'SPECTRUM_ROLE_ARN',
    pattern: arnOf('iam', 'role/'),
    allowed: 'an IAM role ARN (arn:aws:iam::…:role/…)',
    meaning: 'the role Redshift assumes to read the lake (Spectrum and COPY)',
  }),
  adminSecretArn: wiring({
    env: 'ADMIN_SECRET_ARN',
    pattern: arnOf('secretsmanager', 'secret:.+'),
    allowed: "the ARN of the namespace's admin secret (arn:aws:secretsmanager:…:secret:…)",
    meaning: "the namespace's admin credentials, with which the SQL runner signs in",
  }),
  loaderDbUser: wiring({
    env: 'LOADER_DB_USER',
    pattern: /^IAMR:[A-Za-z0-9_+=,.@-]{1,64}$/,
    allowed: 'the database user of an IAM role: IAMR:<role name>',
    meaning: "the loader's database user, to whom the SQL runner grants the tables",
  }),
  sqlDir: wiring({
    env: 'SQL_DIR',
    pattern: /\S/,
    allowed: 'a folder path',
    shownDefault: 'the `sql/` folder beside the running code',
    meaning: 'the folder of the sql/ files the SQL runner and the loader read',
  }),
  powertoolsServiceName: wiring({
    env: 'POWERTOOLS_SERVICE_NAME',
    default: METRICS_SERVICE,
    pattern: /\S/,
    allowed: 'a service name',
    meaning: "Powertools' service name, a dimension of every metric the dashboards and alarms read",
  }),
  powertoolsMetricsNamespace: wiring({
    env: 'POWERTOOLS_METRICS_NAMESPACE',
    default: METRICS_NAMESPACE,
    pattern: /\S/,
    allowed: 'a CloudWatch namespace',
    meaning: 'the CloudWatch namespace of the metrics (the dashboards and alarms read this one)',
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

/**
 * A setting from its environment variable: the one way code reads the environment (the shape test
 * in test/unit/settings.test.ts finds any other).
 */
export function settingFromEnv<S extends SettingBase<unknown>>(
  setting: S,
  env: NodeJS.ProcessEnv,
): S['default'] {
  return readSetting(setting, env[setting.env], setting.env);
}

/** A setting a function cannot work without: its value, or a {@link ConfigError} saying what it is. */
export function requiredSetting<T>(setting: SettingBase<T | undefined>, env: NodeJS.ProcessEnv): T {
  const value = settingFromEnv(setting, env);
  if (value === undefined) throw new ConfigError(`${setting.env} is not set: ${setting.meaning}`);
  return value;
}

/** The two run limits from their environment variables (see {@link runLimits}). */
export function runLimitsFromEnv(env: NodeJS.ProcessEnv): { requestTimeoutMs: number; runTimeoutMs: number } {
  return runLimits({ raw: env[SETTINGS.requestTimeoutMs.env] }, { raw: env[SETTINGS.runTimeoutMs.env] });
}

/** The cadence from `RUN_INTERVAL_MINUTES` (see {@link runIntervalMinutes}). */
export function runIntervalFromEnv(env: NodeJS.ProcessEnv): number {
  return runIntervalMinutes(env[SETTINGS.runIntervalMinutes.env]);
}

/** The values a table's settings take, by row name: what the CDK app hands a function. */
export type SettingValues<Table extends Record<string, SettingBase<unknown>> = typeof SETTINGS> = {
  readonly [N in keyof Table]?: string | number | readonly string[];
};

/**
 * A function's environment from setting values, by row name: `{ lakeBucket: bucket.bucketName }`
 * gives `{ LAKE_BUCKET: … }`. Lists are comma-separated, numbers written out; values may be CDK
 * tokens. The CDK app builds every function's environment through this, so a variable's name is
 * written once, in its row.
 */
export function environmentOf<Table extends Record<string, SettingBase<unknown>> = typeof SETTINGS>(
  values: SettingValues<Table>,
  table: Table = SETTINGS as unknown as Table,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(values) as [
    keyof Table & string,
    SettingValues<Table>[keyof Table],
  ][]) {
    const setting = table[name];
    if (!setting) throw new Error(`no setting named ${name}`);
    if (value === undefined) continue;
    environment[setting.env] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return environment;
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
