import { ENVELOPE_LIMITS, JsonLimitError, parseBoundedJson } from '../../core/bounded-json.js';
import { type Envelope, parseEnvelope } from '../../core/envelope.js';
import { parsePartitionPath, partitionPath } from '../../core/lake/partitions.js';
import type { PartitionValues } from '../../core/schema.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { type ArchiveLimits, readArchiveLines, shortReason, type UnreadableLine } from './archive-lines.js';
import { MAX_LAKE_FILE_BYTES } from './read-limits.js';

/** Raw archive files are gzip-compressed JSON lines, one envelope a line, whoever wrote them. */
export const RAW_SUFFIX = '.jsonl.gz';

export type { UnreadableLine } from './archive-lines.js';

export interface RawFile {
  readonly envelopes: { readonly envelope: Envelope; readonly line: number }[];
  readonly unreadable: UnreadableLine[];
  /** False when the file could not be read to its end: then `envelopes` is empty. */
  readonly whole: boolean;
  /** UTF-8 bytes of the envelopes kept: what they weigh in memory, roughly. */
  readonly keptBytes: number;
}

/**
 * Which envelopes a reader keeps: the others are let go as soon as they are parsed (a loose
 * archive holds many partitions; check needs four fields of each). Kept by default.
 */
export type KeepEnvelope = (envelope: Envelope, line: number) => boolean;

/**
 * Reads one raw file line by line, within the limits of read-limits.ts. A broken line is reported
 * with its place and reason, and the rest of the file is still used: one bad line never hides the
 * envelopes around it. A file that cannot be read to its end (not gzip, cut short, a gzip bomb)
 * gives no envelope at all, only its reason: a partial file must never replace the whole one's rows.
 */
export async function readRawFile(
  key: string,
  body: Buffer,
  keep: KeepEnvelope = () => true,
  limits?: ArchiveLimits,
): Promise<RawFile> {
  const envelopes: RawFile['envelopes'] = [];
  const unreadable: UnreadableLine[] = [];
  let keptBytes = 0;
  const read = await readArchiveLines(
    key,
    body,
    (text, line) => {
      let value: unknown;
      try {
        // Bounded like a Kafka record: a line nested 100,000 deep would overflow the stack on rewrite.
        value = parseBoundedJson(text, ENVELOPE_LIMITS).value;
      } catch (error) {
        const why = error instanceof JsonLimitError ? 'over a limit' : 'not JSON';
        unreadable.push({ key, line, reason: shortReason(`${why}: ${(error as Error).message}`) });
        return;
      }
      const parsed = parseEnvelope(value);
      if (!parsed.ok) unreadable.push({ key, line, reason: shortReason(parsed.reason) });
      else if (keep(parsed.envelope, line)) {
        envelopes.push({ envelope: parsed.envelope, line });
        keptBytes += Buffer.byteLength(text);
      }
    },
    limits,
  );
  if (!read.whole) return { envelopes: [], unreadable: read.unreadable, whole: false, keptBytes: 0 };
  return {
    envelopes,
    unreadable: [...read.unreadable, ...unreadable].sort((a, b) => a.line - b.line),
    whole: true,
    keptBytes,
  };
}

/**
 * Reads one raw file of the lake. A file that cannot be read at all (a dangling link, a folder
 * where a file should be, a permission, over {@link MAX_LAKE_FILE_BYTES} as stored) is one
 * unreadable entry naming why: its envelopes are left out, and the files around it are still used.
 */
export async function readRawKey(store: ObjectStore, key: string, keep?: KeepEnvelope): Promise<RawFile> {
  let body: Buffer;
  try {
    body = await store.get(key, { maxBytes: MAX_LAKE_FILE_BYTES });
  } catch (error) {
    return {
      envelopes: [],
      unreadable: [{ key, line: 0, reason: (error as Error).message }],
      whole: false,
      keptBytes: 0,
    };
  }
  return readRawFile(key, body, keep);
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
