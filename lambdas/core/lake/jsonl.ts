import { gunzipSync, gzipSync } from 'node:zlib';

/** Gzip-compressed JSON lines: the format of `raw/` and `rejected/`. */
export function encodeJsonLinesGzip(items: readonly unknown[]): Buffer {
  return gzipSync(Buffer.from(items.map((item) => `${JSON.stringify(item)}\n`).join(''), 'utf8'));
}

export function decodeJsonLinesGzip(body: Buffer): unknown[] {
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
