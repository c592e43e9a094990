import { estimateRpuHours, HOURS_PER_MONTH } from '../../core/warehouse/rpu-estimate.js';

/**
 * On-demand prices in ap-northeast-2, as found in November 2026 in secondary sources (a Seoul
 * price sheet built from the AWS Price List, dated 2026-09-23), not checked against the AWS
 * pricing pages; the Redshift RPU price for Seoul is an assumption (us-east-1: $0.375). The cost
 * table of docs/deploy-aws.md is this, for the default configuration (a test holds them together).
 */
export const PRICES = {
  mskClusterHour: 0.92,
  mskPartitionHour: 0.0018,
  mskGbIn: 0.12,
  mskGbOut: 0.06,
  natHour: 0.059,
  natGb: 0.059,
  publicIpv4Hour: 0.005,
  redshiftRpuHour: 0.45,
  secretMonth: 0.4,
} as const;

/** What the rest costs a month, roughly: crawler, CloudWatch, Lambda, S3, SQS, SNS, EventBridge, catalog. */
const SMALL_ITEMS = { crawler: 4, cloudWatch: { low: 1, high: 3 }, other: 1 } as const;

/** Messages a month for all 121 places every 20 minutes, scaled by the cadence. */
const GB_PER_MONTH_AT_20_MINUTES = 1.5;
const NAT_GB_PER_MONTH = 2;

export interface CostLine {
  readonly item: string;
  readonly low: number;
  readonly high: number;
}

export interface CostInput {
  readonly natGateways: number;
  readonly topicPartitions: number;
  readonly runIntervalMinutes: number;
  readonly redshiftBaseCapacity: number;
  readonly loaderSchedule: string;
}

/** The monthly cost of a configuration, line by line, in US dollars; undefined Redshift lines when it cannot be estimated. */
export function monthlyCost(input: CostInput): { lines: CostLine[]; total: { low: number; high: number } } {
  const gb = GB_PER_MONTH_AT_20_MINUTES * (20 / input.runIntervalMinutes);
  const rpu = estimateRpuHours({
    baseCapacityRpu: input.redshiftBaseCapacity,
    loaderSchedule: input.loaderSchedule,
    runIntervalMinutes: input.runIntervalMinutes,
  });
  const fixed = (item: string, value: number): CostLine => ({ item, low: value, high: value });
  const lines: CostLine[] = [
    fixed('MSK Serverless cluster', HOURS_PER_MONTH * PRICES.mskClusterHour),
    fixed(
      'MSK Serverless partitions, data',
      input.topicPartitions * HOURS_PER_MONTH * PRICES.mskPartitionHour +
        gb * (PRICES.mskGbIn + PRICES.mskGbOut),
    ),
    fixed(
      `NAT gateway × ${input.natGateways}`,
      input.natGateways * HOURS_PER_MONTH * (PRICES.natHour + PRICES.publicIpv4Hour) +
        NAT_GB_PER_MONTH * PRICES.natGb,
    ),
    rpu
      ? {
          item: 'Redshift Serverless compute',
          low: rpu.rpuHours.low * PRICES.redshiftRpuHour,
          high: rpu.rpuHours.high * PRICES.redshiftRpuHour,
        }
      : {
          item: 'Redshift Serverless compute (loader schedule not estimated)',
          low: Number.NaN,
          high: Number.NaN,
        },
    fixed('Glue crawler', SMALL_ITEMS.crawler),
    { item: 'CloudWatch', ...SMALL_ITEMS.cloudWatch },
    fixed('Secrets Manager (2 secrets)', 2 * PRICES.secretMonth),
    fixed('Lambda, S3, SQS, SNS, EventBridge, Glue catalog', SMALL_ITEMS.other),
  ];
  const sum = (pick: (line: CostLine) => number) => lines.reduce((total, line) => total + pick(line), 0);
  return { lines, total: { low: sum((l) => l.low), high: sum((l) => l.high) } };
}
