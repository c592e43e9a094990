import { resolve } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { parseKstWallClock } from '../../core/kst-time.js';
import type { LakeLocation } from './lake-location.js';

/** Options that name a lake, shared by `replay` and `check`. */
export const LAKE_OPTIONS = {
  lake: { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
} as const;

export const LAKE_USAGE = `  --lake DIR           the lake folder (default: LAKE_DIR or ./lake, as npm start)
  --bucket NAME        the lake in S3 instead (AWS SDK default credentials and region)
  --prefix P           key prefix of the lake in the bucket (default: none)`;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `--lake DIR` or `--bucket NAME [--prefix P]`, never both. */
export function lakeLocationOf(
  values: { lake?: string; bucket?: string; prefix?: string },
  defaultLake: string,
): LakeLocation {
  if (values.bucket !== undefined) {
    if (values.lake !== undefined) throw new ConfigError('give --lake or --bucket, not both');
    if (!BUCKET_NAME.test(values.bucket))
      throw new ConfigError(`--bucket must be an S3 bucket name, got ${JSON.stringify(values.bucket)}`);
    const prefix = (values.prefix ?? '').replace(/^\/+/, '');
    return {
      kind: 's3',
      bucket: values.bucket,
      prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    };
  }
  if (values.prefix !== undefined) throw new ConfigError('--prefix needs --bucket');
  return { kind: 'folder', path: resolve(values.lake ?? defaultLake) };
}

export function describeLocation(location: LakeLocation): string {
  return location.kind === 'folder' ? location.path : `s3://${location.bucket}/${location.prefix}`;
}

const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^(\d{4}-\d{2}-\d{2})$/;
const WALL_CLOCK = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$/;

/**
 * An instant for `--since`/`--until`: an ISO time with its zone (`2026-07-16T05:20:00Z`,
 * `…+09:00`), or a KST wall clock (`2026-07-16 14:20`), or a KST day (`2026-07-16`: its first
 * minute for `--since`, its last for `--until`, so both bounds are inclusive).
 */
export function parseInstant(option: string, text: string, bound: 'start' | 'end'): Date {
  const value = text.trim();
  if (ZONED.test(value)) {
    const instant = new Date(value);
    if (!Number.isNaN(instant.getTime())) return instant;
  }
  const day = DATE_ONLY.exec(value);
  if (day) {
    const start = parseKstWallClock(`${day[1]} 00:00`);
    if (start) return bound === 'start' ? start : new Date(start.getTime() + 86_400_000 - 1);
  }
  const wall = WALL_CLOCK.exec(value);
  if (wall) {
    const instant = parseKstWallClock(`${wall[1]} ${wall[2]}`);
    if (instant) return bound === 'start' ? instant : new Date(instant.getTime() + 59_999);
  }
  throw new ConfigError(
    `${option} must be an ISO time with its zone (2026-07-16T05:20:00Z), a KST time (2026-07-16 14:20) or a KST day (2026-07-16), got ${JSON.stringify(text)}`,
  );
}
