import { gunzipSync } from 'node:zlib';
import { type Envelope, parseEnvelope } from '../../core/envelope.js';
import { parsePartitionPath, partitionPath } from '../../core/lake/partitions.js';
import type { PartitionValues } from '../../core/schema.js';

/** Raw archive files are gzip-compressed JSON lines, one envelope a line, whoever wrote them. */
export const RAW_SUFFIX = '.jsonl.gz';

/** A line of a raw file that is not an envelope: reported, never replayed, left in `raw/` as it is. */
export interface UnreadableLine {
  readonly key: string;
  /** 1-based line number; 0 when the whole file could not be read. */
  readonly line: number;
  readonly reason: string;
}

export interface RawFile {
  readonly envelopes: { readonly envelope: Envelope; readonly line: number }[];
  readonly unreadable: UnreadableLine[];
}

/**
 * Reads one raw file line by line. A broken line (or a file that is not gzip) is reported with
 * its place and reason, and the rest of the file is still used: one bad line never hides the
 * envelopes around it.
 */
export function readRawFile(key: string, body: Buffer): RawFile {
  let text: string;
  try {
    text = gunzipSync(body).toString('utf8');
  } catch (error) {
    return { envelopes: [], unreadable: [{ key, line: 0, reason: `not gzip: ${(error as Error).message}` }] };
  }
  const envelopes: RawFile['envelopes'] = [];
  const unreadable: UnreadableLine[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      unreadable.push({ key, line: index + 1, reason: `not JSON: ${(error as Error).message}` });
      continue;
    }
    const parsed = parseEnvelope(value);
    if (parsed.ok) envelopes.push({ envelope: parsed.envelope, line: index + 1 });
    else unreadable.push({ key, line: index + 1, reason: parsed.reason });
  }
  return { envelopes, unreadable };
}

/** The partition a raw file sits in (`raw/year=…/…/minute=…/name`), or undefined for a loose file. */
export function folderPartitionOf(key: string): PartitionValues | undefined {
  const folder = key.slice(0, key.lastIndexOf('/'));
  const values = parsePartitionPath(folder);
  return values && folder === `raw/${partitionPath(values)}` ? values : undefined;
}

/**
 * The name a raw file gives its outputs: `raw/P/<stem>.jsonl.gz` → `<stem>`. A loose file (not in
 * its partition's folder, e.g. a restored backup) is named after its whole path, so two loose
 * files of the same name can never overwrite each other's outputs.
 */
export function outputStemOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1, -RAW_SUFFIX.length);
  if (folderPartitionOf(key)) return name;
  return `restored-${key.slice('raw/'.length, -RAW_SUFFIX.length).replace(/[^A-Za-z0-9._-]/g, '_')}`;
}
