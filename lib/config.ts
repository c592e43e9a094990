import { ConfigError } from '../lambdas/core/errors.js';
import { selectPlaces } from '../lambdas/core/places.js';
import {
  choice as choiceSetting,
  collectionCron,
  decimal as decimalSetting,
  integer as integerSetting,
  readSetting,
  runIntervalMinutes,
  runLimits,
  SETTINGS,
  type Setting,
  text as textSetting,
} from '../lambdas/core/settings.js';

/** What happens to stored data (bucket, catalog, stream, warehouse) when its stack is deleted. */
export type DataRemovalPolicy = 'retain' | 'destroy';
export type UsageLimitPeriod = 'daily' | 'weekly' | 'monthly';
export type UsageLimitBreachAction = 'log' | 'emit-metric' | 'deactivate';
export type FunctionLogLevel = (typeof SETTINGS.functionLogLevel.choices)[number];

/** A cap on Redshift Serverless compute, in RPU-hours per period. */
export interface RedshiftUsageLimit {
  readonly rpuHours: number;
  readonly period: UsageLimitPeriod;
  readonly breachAction: UsageLimitBreachAction;
}

/**
 * The deployment's settings, read from `cdk.json` context (or `cdk synth -c key=value`) and
 * validated before any construct is built. Every field has a default except `alarmEmail`.
 */
export interface PipelineConfig {
  /** Prefix of both stack names, so two deployments can share an account. */
  readonly stackPrefix: string;
  readonly region: string;
  /**
   * Exactly three AZ names of `region`: Redshift Serverless needs subnets in three AZs. Given as
   * names so that `cdk synth` needs no AWS account to look them up. Default: `<region>a/b/c`.
   */
  readonly availabilityZones: readonly string[];
  readonly natGateways: number;
  /** EventBridge schedule expression of the collection runs (UTC), derived from `runIntervalMinutes`. */
  readonly schedule: string;
  /**
   * Minutes between two scheduled runs (the cadence): the schedule, the window of the "missed run"
   * alarm and the completeness view all follow it.
   */
  readonly runIntervalMinutes: number;
  /** Place codes to collect; empty means all places. */
  readonly places: readonly string[];
  readonly apiBaseUrl: string;
  readonly topicName: string;
  readonly topicPartitions: number;
  /** Places fetched at the same time by the fetcher. */
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly writerBatchSize: number;
  readonly writerBatchWindowSeconds: number;
  readonly glueDatabaseName: string;
  /** EventBridge schedule expression of the Glue crawler (the safety net). */
  readonly crawlerSchedule: string;
  readonly redshiftBaseCapacity: number;
  /** Undefined when `redshiftUsageLimitRpuHours` is 0: no limit. */
  readonly redshiftUsageLimit: RedshiftUsageLimit | undefined;
  /** EventBridge schedule expression of the COPY loader. */
  readonly loaderSchedule: string;
  readonly alarmEmail: string | undefined;
  /** Share (0..1) of places failed in a run above which the alarm fires. */
  readonly failedPlacesAlarmShare: number;
  readonly dataRemovalPolicy: DataRemovalPolicy;
  readonly logLevel: FunctionLogLevel;
}

/** The defaults, as also written in `cdk.json` (test/infra/config.test.ts proves they agree). */
export const DEFAULT_CONFIG: PipelineConfig = {
  stackPrefix: 'SeoulPopulation',
  region: 'ap-northeast-2',
  availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  natGateways: 1,
  schedule: collectionCron(SETTINGS.runIntervalMinutes.default),
  runIntervalMinutes: SETTINGS.runIntervalMinutes.default,
  places: [],
  apiBaseUrl: SETTINGS.apiBaseUrl.default,
  topicName: SETTINGS.kafkaTopic.default,
  topicPartitions: 3,
  concurrency: SETTINGS.concurrency.default,
  requestTimeoutMs: SETTINGS.requestTimeoutMs.default,
  runTimeoutMs: SETTINGS.runTimeoutMs.default,
  writerBatchSize: 500,
  writerBatchWindowSeconds: 20,
  glueDatabaseName: 'seoul_population',
  crawlerSchedule: 'cron(30 18 * * ? *)',
  redshiftBaseCapacity: 8,
  // From the RPU estimate of this configuration (lambdas/core/warehouse/rpu-estimate.ts, docs/deploy-aws.md):
  // 1.5 × its high figure, so a normal month never reaches it (test/unit/rpu-estimate.test.ts).
  redshiftUsageLimit: { rpuHours: 280, period: 'monthly', breachAction: 'deactivate' },
  loaderSchedule: 'cron(10 0/3 * * ? *)',
  alarmEmail: undefined,
  failedPlacesAlarmShare: 0.2,
  dataRemovalPolicy: 'retain',
  logLevel: SETTINGS.functionLogLevel.default,
};

/** Every context key this app reads; anything else in camelCase is a typo and refused. */
export const CONFIG_KEYS = [
  'stackPrefix',
  'region',
  'availabilityZones',
  'natGateways',
  'runIntervalMinutes',
  'places',
  'apiBaseUrl',
  'topicName',
  'topicPartitions',
  'concurrency',
  'requestTimeoutMs',
  'runTimeoutMs',
  'writerBatchSize',
  'writerBatchWindowSeconds',
  'glueDatabaseName',
  'crawlerSchedule',
  'redshiftBaseCapacity',
  'redshiftUsageLimitRpuHours',
  'redshiftUsageLimitPeriod',
  'redshiftUsageLimitBreachAction',
  'loaderSchedule',
  'alarmEmail',
  'failedPlacesAlarmShare',
  'dataRemovalPolicy',
  'logLevel',
] as const;

type ConfigKey = (typeof CONFIG_KEYS)[number];
type Context = Readonly<Record<string, unknown>>;

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function fail(key: ConfigKey, value: unknown, allowed: string): never {
  throw new ConfigError(`cdk.json context "${key}" must be ${allowed}, got ${show(value)}`);
}

// The CDK-only keys are read with the settings table's parsers (`lambdas/core/settings.ts`), so a
// value means the same and is refused in the same words wherever it is given. `-c key=value` on
// the command line always gives strings, so numbers may arrive as text; they parse the same.
const label = (key: ConfigKey) => `cdk.json context "${key}"`;

function integer(context: Context, key: ConfigKey, fallback: number, min: number, max: number): number {
  const setting = integerSetting({ env: key, default: fallback, min, max, meaning: key });
  return readSetting(setting, context[key], label(key));
}

function decimal(context: Context, key: ConfigKey, fallback: number, min: number, max: number): number {
  const setting = decimalSetting({ env: key, default: fallback, min, max, meaning: key });
  return readSetting(setting, context[key], label(key));
}

function text(context: Context, key: ConfigKey, fallback: string, pattern: RegExp, allowed: string): string {
  const setting = textSetting({ env: key, default: fallback, pattern, allowed, meaning: key });
  return readSetting(setting, context[key], label(key));
}

function choice<T extends string>(context: Context, key: ConfigKey, fallback: T, options: readonly T[]): T {
  const setting = choiceSetting({ env: key, default: fallback, choices: options, meaning: key });
  return readSetting(setting, context[key], label(key)) as T;
}

/** A JSON array of strings, or a comma-separated string (as `-c key=a,b,c` gives). */
function list(context: Context, key: ConfigKey): string[] | undefined {
  const raw = context[key];
  if (raw === undefined) return undefined;
  const items = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    fail(key, raw, 'a list of strings (a JSON array or a comma-separated string)');
  }
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

// EventBridge accepts cron(min hour day-of-month month day-of-week year) or rate(n unit).
const SCHEDULE = /^(cron\((\S+ ){5}\S+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\))$/;
const SCHEDULE_ALLOWED =
  'an EventBridge schedule expression such as "cron(0/20 * * * ? *)" or "rate(1 hour)"';

function schedule(context: Context, key: ConfigKey, fallback: string): string {
  const value = text(context, key, fallback, SCHEDULE, SCHEDULE_ALLOWED);
  const rate = /^rate\((\d+) (\w+)\)$/.exec(value);
  if (rate && (rate[1] === '1') !== !rate[2]?.endsWith('s')) {
    // EventBridge refuses "rate(1 minutes)" and "rate(5 minute)" at deploy time; refuse them now.
    fail(key, value, `${SCHEDULE_ALLOWED}, with a singular unit for 1 and a plural unit otherwise`);
  }
  if (value.startsWith('cron(')) {
    const fields = value.slice(5, -1).split(' ');
    if (fields[2] !== '?' && fields[4] !== '?') {
      fail(key, value, `${SCHEDULE_ALLOWED}; a cron needs "?" in the day-of-month or the day-of-week field`);
    }
  }
  return value;
}

/** Glue crawler schedules take only the cron form. */
function crawlerSchedule(context: Context): string {
  const value = schedule(context, 'crawlerSchedule', DEFAULT_CONFIG.crawlerSchedule);
  if (!value.startsWith('cron('))
    fail('crawlerSchedule', value, 'a cron expression such as "cron(30 18 * * ? *)"');
  return value;
}

function availabilityZones(context: Context, region: string): string[] {
  // Empty (cdk.json's default) or absent: zones a, b and c of the region.
  const given = list(context, 'availabilityZones') ?? [];
  const zones = given.length > 0 ? given : ['a', 'b', 'c'].map((letter) => `${region}${letter}`);
  const wellFormed = zones.every(
    (zone) => zone.startsWith(region) && /^[a-z]$/.test(zone.slice(region.length)),
  );
  if (zones.length !== 3 || new Set(zones).size !== 3 || !wellFormed) {
    fail(
      'availabilityZones',
      context.availabilityZones,
      `three different availability zone names of region ${region} (e.g. ${region}a,${region}b,${region}c); ` +
        'Redshift Serverless needs subnets in three zones',
    );
  }
  return zones;
}

function places(context: Context): string[] {
  const codes = list(context, 'places') ?? [];
  if (codes.length === 0) return [];
  try {
    return selectPlaces(codes).map((place) => place.code);
  } catch (error) {
    throw new ConfigError(`cdk.json context "places": ${(error as Error).message}`, { cause: error });
  }
}

/** A setting shared with the functions and the command line: its row of the settings table. */
function shared<T>(context: Context, key: ConfigKey, setting: Setting<T>): T {
  return readSetting(setting, context[key], `cdk.json context "${key}"`) as T;
}

function alarmEmail(context: Context): string | undefined {
  const raw = context.alarmEmail;
  if (raw === undefined || raw === '') return undefined;
  return text(
    context,
    'alarmEmail',
    '',
    /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
    'an e-mail address such as "ops@example.com"',
  );
}

function usageLimit(context: Context): RedshiftUsageLimit | undefined {
  const fallback = DEFAULT_CONFIG.redshiftUsageLimit as RedshiftUsageLimit;
  const rpuHours = integer(context, 'redshiftUsageLimitRpuHours', fallback.rpuHours, 0, 1_000_000);
  const period = choice(context, 'redshiftUsageLimitPeriod', fallback.period, ['daily', 'weekly', 'monthly']);
  const breachAction = choice(context, 'redshiftUsageLimitBreachAction', fallback.breachAction, [
    'log',
    'emit-metric',
    'deactivate',
  ]);
  return rpuHours === 0 ? undefined : { rpuHours, period, breachAction };
}

function redshiftBaseCapacity(context: Context): number {
  const value = integer(context, 'redshiftBaseCapacity', DEFAULT_CONFIG.redshiftBaseCapacity, 4, 512);
  if (value !== 4 && value % 8 !== 0) {
    fail('redshiftBaseCapacity', context.redshiftBaseCapacity, '4, or a multiple of 8 from 8 to 512 (RPUs)');
  }
  return value;
}

function refuseUnknownKeys(context: Context): void {
  const known = new Set<string>(CONFIG_KEYS);
  // CDK's own keys contain ":" or "/" or "-" (feature flags, CLI settings); ours are camelCase.
  const unknown = Object.keys(context).filter((key) => /^[a-z][a-zA-Z0-9]*$/.test(key) && !known.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown cdk.json context key(s): ${unknown.map((k) => `"${k}"`).join(', ')}. Known keys: ${CONFIG_KEYS.join(', ')}`,
    );
  }
}

/**
 * Reads and validates the configuration from CDK context. Throws a {@link ConfigError} naming the
 * key, the value received and what is allowed, before any construct is created.
 */
export function loadConfig(context: Context): PipelineConfig {
  refuseUnknownKeys(context);
  const region = text(
    context,
    'region',
    DEFAULT_CONFIG.region,
    /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
    'an AWS region name such as "ap-northeast-2"',
  );
  const interval = runIntervalMinutes(context.runIntervalMinutes, 'cdk.json context "runIntervalMinutes"');
  const { requestTimeoutMs, runTimeoutMs } = runLimits(
    { raw: context.requestTimeoutMs, label: 'cdk.json context "requestTimeoutMs"' },
    { raw: context.runTimeoutMs, label: 'cdk.json context "runTimeoutMs"' },
  );
  return {
    stackPrefix: text(
      context,
      'stackPrefix',
      DEFAULT_CONFIG.stackPrefix,
      /^[A-Za-z][A-Za-z0-9-]{0,63}$/,
      'a stack name prefix: a letter, then letters, digits or hyphens (at most 64)',
    ),
    region,
    availabilityZones: availabilityZones(context, region),
    natGateways: integer(context, 'natGateways', DEFAULT_CONFIG.natGateways, 1, 3),
    schedule: collectionCron(interval),
    runIntervalMinutes: interval,
    places: places(context),
    apiBaseUrl: shared(context, 'apiBaseUrl', SETTINGS.apiBaseUrl),
    topicName: shared(context, 'topicName', SETTINGS.kafkaTopic),
    // Messages are keyed by place, so more partitions than places cannot be used.
    topicPartitions: integer(context, 'topicPartitions', DEFAULT_CONFIG.topicPartitions, 1, 121),
    concurrency: shared(context, 'concurrency', SETTINGS.concurrency),
    requestTimeoutMs,
    runTimeoutMs,
    writerBatchSize: integer(context, 'writerBatchSize', DEFAULT_CONFIG.writerBatchSize, 1, 10_000),
    writerBatchWindowSeconds: integer(
      context,
      'writerBatchWindowSeconds',
      DEFAULT_CONFIG.writerBatchWindowSeconds,
      0,
      300,
    ),
    glueDatabaseName: text(
      context,
      'glueDatabaseName',
      DEFAULT_CONFIG.glueDatabaseName,
      /^[a-z][a-z0-9_]{0,254}$/,
      'a lower-case Glue database name: a letter, then letters, digits or "_"',
    ),
    crawlerSchedule: crawlerSchedule(context),
    redshiftBaseCapacity: redshiftBaseCapacity(context),
    redshiftUsageLimit: usageLimit(context),
    loaderSchedule: schedule(context, 'loaderSchedule', DEFAULT_CONFIG.loaderSchedule),
    alarmEmail: alarmEmail(context),
    failedPlacesAlarmShare: decimal(
      context,
      'failedPlacesAlarmShare',
      DEFAULT_CONFIG.failedPlacesAlarmShare,
      0,
      1,
    ),
    dataRemovalPolicy: choice(context, 'dataRemovalPolicy', DEFAULT_CONFIG.dataRemovalPolicy, [
      'retain',
      'destroy',
    ]),
    logLevel: shared(context, 'logLevel', SETTINGS.functionLogLevel),
  };
}
