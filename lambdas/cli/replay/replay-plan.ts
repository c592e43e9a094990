import { kstFieldsToInstant } from '../../core/kst-time.js';
import { partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import type { PartitionValues } from '../../core/schema.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { folderPartitionOf, RAW_SUFFIX, readRawKey, type UnreadableLine } from './raw-archive.js';

export interface ReplayRange {
  /** Inclusive bounds on the run's collection time; a partition is in range when its minute meets them. */
  readonly since?: Date;
  readonly until?: Date;
  /** Only these partitions (`year=…/…/minute=…`), e.g. the ones `check --fix` found broken. */
  readonly only?: ReadonlySet<string>;
}

export interface PlannedPartition {
  readonly partition: PartitionValues;
  readonly rawKeys: string[];
  readonly looseKeys: string[];
}

export interface ReplayPlan {
  /** Oldest first. */
  readonly partitions: PlannedPartition[];
  /** Files under raw/ that are not `*.jsonl.gz`: never read, reported. */
  readonly ignored: string[];
  /** Broken lines of loose files (partition files report their own as they are rebuilt). */
  readonly unreadable: UnreadableLine[];
}

const MINUTE = 60_000;

/** The instant a partition's minute starts: its values are the KST wall clock (UTC+9). */
export function partitionStart(values: PartitionValues): Date {
  return kstFieldsToInstant(values);
}

function inRange(values: PartitionValues, range: ReplayRange): boolean {
  if (range.only && !range.only.has(partitionPath(values))) return false;
  const start = partitionStart(values).getTime();
  if (range.since && start + MINUTE <= range.since.getTime()) return false;
  if (range.until && start > range.until.getTime()) return false;
  return true;
}

/**
 * Finds the work: every `*.jsonl.gz` under raw/, whatever its name. A file in its partition's
 * folder belongs to that partition; a loose file (a restored archive, another layout) is read
 * once here to learn which partitions its envelopes belong to.
 */
export async function planReplay(store: ObjectStore, range: ReplayRange): Promise<ReplayPlan> {
  const byPath = new Map<string, PlannedPartition>();
  const ignored: string[] = [];
  const unreadable: UnreadableLine[] = [];
  const entry = (values: PartitionValues) => {
    const path = partitionPath(values);
    let planned = byPath.get(path);
    if (!planned) {
      planned = { partition: values, rawKeys: [], looseKeys: [] };
      byPath.set(path, planned);
    }
    return planned;
  };
  // Links, folders named like archives, keys with `..`: never read, each named as left out.
  for (const entry of (await store.listForeign?.('raw/')) ?? [])
    unreadable.push({ key: entry.key, line: 0, reason: entry.what });
  for (const key of await store.list('raw/')) {
    if (!key.endsWith(RAW_SUFFIX)) {
      ignored.push(key);
      continue;
    }
    const folder = folderPartitionOf(key);
    if (folder) {
      if (inRange(folder, range)) entry(folder).rawKeys.push(key);
      continue;
    }
    // Only the partitions are learnt here: every envelope is let go once its partition is known.
    const partitions = new Map<string, PartitionValues>();
    const raw = await readRawKey(store, key, (envelope) => {
      const values = partitionValuesFor(new Date(envelope.collectedAt));
      partitions.set(partitionPath(values), values);
      return false;
    });
    unreadable.push(...raw.unreadable);
    if (!raw.whole) continue;
    for (const values of partitions.values()) if (inRange(values, range)) entry(values).looseKeys.push(key);
  }
  const partitions = [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p);
  return { partitions, ignored, unreadable };
}
