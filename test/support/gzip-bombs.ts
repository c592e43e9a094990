import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

const MIB = 1_048_576;

/**
 * A gzip bomb of many members: `members` copies of one gzip member holding 1 MiB of `byte`.
 * Every gunzip reads all members as one stream, so 2,600 members (2.6 MB on disk) decompress to
 * 2.6 GiB — the size of the bomb that took replay and check to 5.6 GB. Built in a blink.
 */
export function multiMemberBomb(members: number, byte = 0): Buffer {
  const member = gzipSync(Buffer.alloc(MIB, byte), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

/** A single-member gzip bomb written to `path`: `mib` MiB of `byte`, compressed about 1000 to 1. */
export async function singleMemberBomb(path: string, mib: number, byte = 0): Promise<void> {
  const gzip = createGzip({ level: 9 });
  const out = gzip.pipe(createWriteStream(path));
  const chunk = Buffer.alloc(MIB, byte);
  for (let i = 0; i < mib; i++)
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  gzip.end();
  await finished(out);
}
