import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MAX_ARCHIVE_LINE_BYTES, MAX_ARCHIVE_TEXT_BYTES } from './read-limits.js';

/** A line of an archive file that cannot be used: reported with its place and reason. */
export interface UnreadableLine {
  readonly key: string;
  /** 1-based line number; 0 when the whole file could not be read. */
  readonly line: number;
  readonly reason: string;
}

/** A reason built from a line's content is cut to this many characters: a report line, not a copy of the data. */
const REASON_CHARS = 300;

/** A reason cut to {@link REASON_CHARS}, marked with … when cut. */
export function shortReason(reason: string): string {
  return reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS)}…` : reason;
}

export interface ArchiveLimits {
  /** Decompressed bytes of the whole file. */
  readonly textBytes: number;
  /** Bytes of one line. */
  readonly lineBytes: number;
}

export const ARCHIVE_LIMITS: ArchiveLimits = {
  textBytes: MAX_ARCHIVE_TEXT_BYTES,
  lineBytes: MAX_ARCHIVE_LINE_BYTES,
};

export interface ArchiveRead {
  readonly unreadable: UnreadableLine[];
  /**
   * False when the file could not be read to its end (not gzip, cut short, over the size limit):
   * the lines already handed out must not be used, as if the file held none (a file rebuilt from
   * part of its lines would replace the table file of the whole).
   */
  readonly whole: boolean;
  /** Decompressed bytes read. */
  readonly textBytes: number;
}

const MIB = 1_048_576;
const size = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`);

/**
 * Reads a gzip-compressed JSON-lines file line by line, never holding more than one line (at most
 * `lineBytes`) and one decompressed chunk: a line longer than the limit is skipped, named, without
 * being kept; decompression stops once the file passes `textBytes` (a gzip bomb ends there, named,
 * whatever it would expand to). Empty and blank lines are skipped. Each line goes to `onLine` as
 * UTF-8 text with its 1-based number; `onLine` may stop the read by returning `false`.
 */
export async function readArchiveLines(
  key: string,
  body: Buffer,
  onLine: (text: string, line: number) => boolean | undefined,
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): Promise<ArchiveRead> {
  const unreadable: UnreadableLine[] = [];
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  Readable.from([body]).pipe(gunzip);
  let textBytes = 0;
  let line = 1;
  let pieces: Buffer[] = [];
  let held = 0;
  let overlong = false;
  const endLine = (): boolean | undefined => {
    let go: boolean | undefined = true;
    if (overlong)
      unreadable.push({ key, line, reason: `line longer than ${size(limits.lineBytes)}: not read` });
    else if (held > 0) {
      const text = Buffer.concat(pieces, held).toString('utf8');
      if (text.trim() !== '') go = onLine(text, line);
    }
    pieces = [];
    held = 0;
    overlong = false;
    line++;
    return go;
  };
  const take = (piece: Buffer): void => {
    if (overlong || piece.length === 0) return;
    if (held + piece.length > limits.lineBytes) {
      overlong = true;
      pieces = [];
      held = 0;
      return;
    }
    // A copy: the chunk's memory is reused by the stream.
    pieces.push(Buffer.from(piece));
    held += piece.length;
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      textBytes += chunk.length;
      if (textBytes > limits.textBytes) {
        gunzip.destroy();
        return cut(
          key,
          `decompresses to more than ${size(limits.textBytes)} (a gzip bomb, or far more than the writer puts in one file): not read`,
          textBytes,
        );
      }
      let start = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
        take(chunk.subarray(start, newline));
        start = newline + 1;
        if (endLine() === false) {
          gunzip.destroy();
          return { unreadable, whole: true, textBytes };
        }
      }
      take(chunk.subarray(start));
    }
  } catch (error) {
    return cut(key, `not gzip, or cut short: ${(error as Error).message}`, textBytes);
  }
  if (held > 0 || overlong) endLine();
  return { unreadable, whole: true, textBytes };
}

function cut(key: string, reason: string, textBytes: number): ArchiveRead {
  return { unreadable: [{ key, line: 0, reason }], whole: false, textBytes };
}
