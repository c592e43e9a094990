import { firingsPerDay } from '../schedule-expression.js';
import { TABLES } from '../tables.js';
import { mergePartitionStatements } from './loader-sql.js';

/** Hours in the month the cost table uses (the AWS pricing pages' convention). */
export const HOURS_PER_MONTH = 730;

/**
 * Redshift Serverless bills RPU-hours per second while statements run, at least 60 seconds each
 * time (Billing for Amazon Redshift Serverless; "Capacity and billing": "billed for each second,
 * with a 60-second minimum"). A scheduled load runs its statements back to back, so it is billed
 * as one stretch.
 */
export const MINIMUM_BILLED_SECONDS = 60;

/**
 * Seconds of warehouse time one loader statement takes on a partition of one run (121 rows, or
 * 1,452 forecast rows): an assumption, not a measurement (no Redshift runs here). A low and a high
 * figure bracket it; at 9–14 statements a partition, they give 5–10 s, the range the deploy review
 * expected. Replace them with the `ComputeSeconds` of a real month.
 */
export const SECONDS_PER_STATEMENT = { low: 0.5, high: 1.0 } as const;

/** Statements the loader sends once per load beside the partitions: the load-log bounds and rows. */
export const STATEMENTS_PER_LOAD = 2;

/** The loader's statements for one lake partition of each table, as it really sends them. */
export function statementsPerPartition(): Record<string, number> {
  return Object.fromEntries(
    TABLES.map((table) => [table.name, mergePartitionStatements(table, ['COPY']).length]),
  );
}

export interface RpuEstimateInput {
  /** RPUs the workgroup runs statements with (`redshiftBaseCapacity`). */
  readonly baseCapacityRpu: number;
  /** The loader's schedule expression (`loaderSchedule`). */
  readonly loaderSchedule: string;
  /** Minutes between collection runs (`runIntervalMinutes`). */
  readonly runIntervalMinutes: number;
  /** Hours a month of your own queries (Query Editor v2). @default 2 */
  readonly ownQueryHours?: number;
}

export interface RpuEstimate {
  readonly loadsPerMonth: number;
  readonly runsPerLoad: number;
  readonly statementsPerLoad: number;
  /** Billed seconds of one load, low and high. */
  readonly secondsPerLoad: { readonly low: number; readonly high: number };
  readonly loaderRpuHours: { readonly low: number; readonly high: number };
  readonly ownQueryRpuHours: number;
  /** RPU-hours a month, low and high. */
  readonly rpuHours: { readonly low: number; readonly high: number };
}

/**
 * RPU-hours a month for a configuration: every load stages, merges and logs each table's
 * partition of every run since the last load, one statement after another, billed per second with
 * the 60-second minimum; your own queries on top. Undefined when the loader's schedule is not one
 * that fires every day (then count its loads yourself).
 */
export function estimateRpuHours(input: RpuEstimateInput): RpuEstimate | undefined {
  const loadsPerDay = firingsPerDay(input.loaderSchedule);
  if (loadsPerDay === undefined) return undefined;
  const loadsPerMonth = (loadsPerDay * HOURS_PER_MONTH) / 24;
  const runsPerLoad = 1440 / input.runIntervalMinutes / loadsPerDay;
  const perRun = Object.values(statementsPerPartition()).reduce((sum, n) => sum + n, 0);
  const statementsPerLoad = runsPerLoad * perRun + STATEMENTS_PER_LOAD;
  const billed = (perStatement: number) => Math.max(MINIMUM_BILLED_SECONDS, statementsPerLoad * perStatement);
  const secondsPerLoad = { low: billed(SECONDS_PER_STATEMENT.low), high: billed(SECONDS_PER_STATEMENT.high) };
  const monthly = (seconds: number) => (loadsPerMonth * seconds * input.baseCapacityRpu) / 3600;
  const loaderRpuHours = { low: monthly(secondsPerLoad.low), high: monthly(secondsPerLoad.high) };
  const ownQueryRpuHours = (input.ownQueryHours ?? 2) * input.baseCapacityRpu;
  return {
    loadsPerMonth,
    runsPerLoad,
    statementsPerLoad,
    secondsPerLoad,
    loaderRpuHours,
    ownQueryRpuHours,
    rpuHours: { low: loaderRpuHours.low + ownQueryRpuHours, high: loaderRpuHours.high + ownQueryRpuHours },
  };
}

/** Headroom of the usage limit over the high estimate: a bad month, not a normal one, reaches it. */
export const USAGE_LIMIT_HEADROOM = 1.5;

/** The usage-limit alarm fires at this share of the limit: at the high estimate, a normal month ends below it. */
export const USAGE_LIMIT_ALARM_SHARE = 0.75;

/** The monthly usage limit that fits an estimate: the high figure with headroom, up to a multiple of 10. */
export function usageLimitFor(estimate: RpuEstimate): number {
  return Math.ceil((estimate.rpuHours.high * USAGE_LIMIT_HEADROOM) / 10) * 10;
}
