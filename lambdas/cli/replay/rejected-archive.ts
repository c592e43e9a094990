import type { ObjectStore } from '../../core/storage/object-store.js';
import { readArchiveLines, shortReason, type UnreadableLine } from './archive-lines.js';
import { MAX_LAKE_FILE_BYTES } from './read-limits.js';

/** A line of `rejected/` as read back: the writer's RejectedLine, or whatever a file holds. */
export interface RejectedRecord {
  readonly line: number;
  /** The parsed line (an object; other JSON values are unreadable lines). */
  readonly value: Record<string, unknown>;
  readonly runId?: string;
  readonly placeCode?: string;
  /** The record's collection time, when it has a valid one. */
  readonly collectedMs?: number;
  /** Its reasons, joined, cut to 300 characters. */
  readonly reason: string;
}

export interface RejectedFile {
  readonly lines: RejectedRecord[];
  readonly unreadable: UnreadableLine[];
  /** False when the file could not be read to its end: its lines are unknown, it must not be replaced. */
  readonly whole: boolean;
}

/** Reads one `rejected/` file within the limits of read-limits.ts; a bad line is named, the rest read. */
export async function readRejectedKey(store: ObjectStore, key: string): Promise<RejectedFile> {
  let body: Buffer;
  try {
    body = await store.get(key, { maxBytes: MAX_LAKE_FILE_BYTES });
  } catch (error) {
    return { lines: [], unreadable: [{ key, line: 0, reason: (error as Error).message }], whole: false };
  }
  const lines: RejectedRecord[] = [];
  const unreadable: UnreadableLine[] = [];
  const read = await readArchiveLines(key, body, (text, line) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      unreadable.push({ key, line, reason: shortReason(`not JSON: ${(error as Error).message}`) });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      unreadable.push({ key, line, reason: 'not a rejection (a JSON object)' });
      return;
    }
    lines.push(recordOf(line, value as Record<string, unknown>));
  });
  if (!read.whole) return { lines: [], unreadable: read.unreadable, whole: false };
  return {
    lines,
    unreadable: [...read.unreadable, ...unreadable].sort((a, b) => a.line - b.line),
    whole: true,
  };
}

function recordOf(line: number, value: Record<string, unknown>): RejectedRecord {
  const text = (field: unknown) => (typeof field === 'string' ? field : undefined);
  const collectedMs = typeof value.collectedAt === 'string' ? Date.parse(value.collectedAt) : Number.NaN;
  const reasons = Array.isArray(value.reasons) ? value.reasons.map(String).join('; ') : 'no reason given';
  const runId = text(value.runId);
  const placeCode = text(value.placeCode);
  return {
    line,
    value,
    ...(runId !== undefined ? { runId } : {}),
    ...(placeCode !== undefined ? { placeCode } : {}),
    ...(Number.isNaN(collectedMs) ? {} : { collectedMs }),
    reason: shortReason(reasons),
  };
}
