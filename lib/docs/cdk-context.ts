import type { PipelineConfig } from '../config.js';

/**
 * What the CDK-only context keys (those no row of the settings table carries) accept and mean,
 * for docs/configuration.md. `allowed` is the very text `loadConfig` puts in its refusal, and
 * test/unit/generated-docs.test.ts holds it to that with `refused`, a value it must refuse.
 */
export interface CdkKeyDoc {
  /** The default, as the docs show it, from the defaults the app uses. */
  readonly shownDefault: (defaults: PipelineConfig) => string;
  readonly allowed: string;
  readonly meaning: string;
  /** A value `loadConfig` refuses with exactly `allowed`; absent where the refusal names more. */
  readonly refused?: unknown;
}

const SCHEDULE_ALLOWED =
  'an EventBridge schedule expression such as "cron(0/20 * * * ? *)" or "rate(1 hour)"';

const shown = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

export const CDK_KEY_DOCS: Readonly<Record<string, CdkKeyDoc>> = {
  stackPrefix: {
    shownDefault: (d) => shown(d.stackPrefix),
    allowed: 'a stack name prefix: a letter, then letters, digits or hyphens (at most 64)',
    meaning: 'stack names `<prefix>-Data` and `<prefix>-Pipeline`',
    refused: '1stack',
  },
  region: {
    shownDefault: (d) => shown(d.region),
    allowed: 'an AWS region name such as "ap-northeast-2"',
    meaning: 'region of both stacks',
    refused: 'seoul',
  },
  availabilityZones: {
    shownDefault: () => '`[]` → `<region>a,b,c`',
    allowed: 'three different availability zone names of the region',
    meaning:
      'Redshift Serverless needs subnets in three AZs: see [deploy-aws.md](deploy-aws.md#availability-zones-and-the-network)',
  },
  natGateways: {
    shownDefault: (d) => shown(d.natGateways),
    allowed: 'a whole number from 1 to 3',
    meaning: 'the fetcher reaches the public API and the MSK trigger reaches Lambda/STS through NAT',
    refused: 4,
  },
  places: {
    shownDefault: () => '`[]` (all 121)',
    allowed: 'place codes, a JSON list or `POI001,POI072`; unknown codes are refused',
    meaning: 'the places the fetcher collects',
  },
  topicPartitions: {
    shownDefault: (d) => shown(d.topicPartitions),
    allowed: 'a whole number from 1 to 121',
    meaning: 'partitions of the topic (messages are keyed by place)',
    refused: 122,
  },
  writerBatchSize: {
    shownDefault: (d) => shown(d.writerBatchSize),
    allowed: 'a whole number from 1 to 10000',
    meaning: 'records per MSK trigger batch, at most',
    refused: 0,
  },
  writerBatchWindowSeconds: {
    shownDefault: (d) => shown(d.writerBatchWindowSeconds),
    allowed: 'a whole number from 0 to 300',
    meaning: "the MSK trigger's batching window (0 = none)",
    refused: 301,
  },
  glueDatabaseName: {
    shownDefault: (d) => shown(d.glueDatabaseName),
    allowed: 'a lower-case Glue database name: a letter, then letters, digits or "_"',
    meaning: "Glue database (and Spectrum's source)",
    refused: 'Seoul',
  },
  crawlerSchedule: {
    shownDefault: (d) => shown(d.crawlerSchedule),
    allowed: 'a cron expression such as "cron(30 18 * * ? *)"',
    meaning: 'when the Glue crawler runs (UTC; the default is daily 03:30 KST)',
    refused: 'rate(1 day)',
  },
  redshiftBaseCapacity: {
    shownDefault: (d) => shown(d.redshiftBaseCapacity),
    allowed: '4, or a multiple of 8 from 8 to 512 (RPUs)',
    meaning: "the Redshift Serverless workgroup's base capacity",
    refused: 12,
  },
  redshiftUsageLimitRpuHours: {
    shownDefault: (d) => shown(d.redshiftUsageLimit?.rpuHours ?? 0),
    allowed: 'a whole number from 0 to 1000000',
    meaning:
      'RPU-hours per period; `0` = no limit. The default is 1.5 × the high RPU estimate of the default configuration ' +
      '([the arithmetic](deploy-aws.md#redshift-rpu-hours-the-arithmetic)); an alarm fires at 75 % of it',
    refused: -1,
  },
  redshiftUsageLimitPeriod: {
    shownDefault: (d) => shown(d.redshiftUsageLimit?.period),
    allowed: 'one of "daily", "weekly", "monthly"',
    meaning: 'the period of the usage limit',
    refused: 'yearly',
  },
  redshiftUsageLimitBreachAction: {
    shownDefault: (d) => shown(d.redshiftUsageLimit?.breachAction),
    allowed: 'one of "log", "emit-metric", "deactivate"',
    meaning:
      'what happens when the limit is reached (`deactivate`: user queries are turned off, the loader with them)',
    refused: 'stop',
  },
  loaderSchedule: {
    shownDefault: (d) => shown(d.loaderSchedule),
    allowed: SCHEDULE_ALLOWED,
    meaning: 'when the COPY loader runs (UTC; the default is every 3 hours)',
    refused: 'hourly',
  },
  alarmEmail: {
    shownDefault: () => 'none',
    allowed: 'an e-mail address such as "ops@example.com"',
    meaning: 'an e-mail subscription to the alarm topic',
    refused: 'ops',
  },
  failedPlacesAlarmShare: {
    shownDefault: (d) => shown(d.failedPlacesAlarmShare),
    allowed: 'a number greater than 0 and at most 1',
    meaning: "the alarm fires when more than this share of a run's places failed",
    refused: 1.5,
  },
  dataRemovalPolicy: {
    shownDefault: (d) => shown(d.dataRemovalPolicy),
    allowed: 'one of "retain", "destroy"',
    meaning: '`destroy` deletes the data with the stack and drops termination protection',
    refused: 'delete',
  },
};
