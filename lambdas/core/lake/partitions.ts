import { kstParts } from '../kst-time.js';
import { PARTITION_KEYS, type PartitionValues } from '../schema.js';
import { TABLES, type TableName } from '../tables.js';

/** Top-level folders of the lake: the same keys in a local folder and in the S3 bucket. */
export type LakeArea = TableName | 'raw' | 'rejected';
export const LAKE_AREAS: readonly LakeArea[] = [...TABLES.map((table) => table.name), 'raw', 'rejected'];

/** Partition values are the run's `collectedAt` in Asia/Seoul, zero-padded strings. */
export function partitionValuesFor(collectedAt: Date): PartitionValues {
  const { year, month, day, hour, minute } = kstParts(collectedAt);
  return { year, month, day, hour, minute };
}

/** `year=2026/month=07/day=16/hour=23/minute=20` */
export function partitionPath(values: PartitionValues): string {
  return PARTITION_KEYS.map((key) => `${key}=${values[key]}`).join('/');
}

/** Reads partition values back from a key or path that contains `year=…/…/minute=…`. */
export function parsePartitionPath(path: string): PartitionValues | undefined {
  const values: Partial<Record<string, string>> = {};
  for (const key of PARTITION_KEYS) {
    const match = new RegExp(`(?:^|/)${key}=([^/]+)`).exec(path);
    if (!match?.[1]) return undefined;
    values[key] = match[1];
  }
  return values as PartitionValues;
}

export function objectKey(area: LakeArea, partition: PartitionValues, fileName: string): string {
  return `${area}/${partitionPath(partition)}/${fileName}`;
}
