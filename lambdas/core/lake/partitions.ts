import { kstParts } from '../kst-time.js';
import { PARTITION_KEYS, type PartitionValues } from '../schema.js';

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

/** `<area>/year=…/…/minute=…/<file>`: an area is a table's folder, `raw` or `rejected` (`LakeArea`). */
export function objectKey(area: string, partition: PartitionValues, fileName: string): string {
  return `${area}/${partitionPath(partition)}/${fileName}`;
}
