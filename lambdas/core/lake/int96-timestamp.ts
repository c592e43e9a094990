// A static import, not a runtime require: esbuild must see it to put it in the Lambda bundle.
import plainCodec from 'parquetjs-lite/lib/codec/plain.js';
import parquetTypes from 'parquetjs-lite/lib/types.js';

/**
 * Timestamps as INT96, the physical type Hive, Impala and Spark write (Spark's default
 * `spark.sql.parquet.outputTimestampType`) and that Amazon Redshift Spectrum and COPY read as
 * TIMESTAMP: 12 bytes, the nanoseconds of the day as a little-endian int64 followed by the Julian
 * day number as a little-endian int32, in UTC. INT96 carries no logical type; readers know it by
 * convention. See docs/proven-here.md for why this type and not INT64 (issue 19, item 6).
 */

/** The Julian day number of 1970-01-01, the Unix epoch. */
export const JULIAN_DAY_OF_EPOCH = 2_440_588;
const MS_PER_DAY = 86_400_000;
const NS_PER_MS = 1_000_000n;

/** The INT96 bytes of an instant (millisecond precision: what a JavaScript Date holds). */
export function int96Timestamp(instant: Date): Buffer {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new Error(`not a valid instant: ${String(instant)}`);
  const day = Math.floor(ms / MS_PER_DAY);
  const bytes = Buffer.alloc(12);
  bytes.writeBigInt64LE(BigInt(ms - day * MS_PER_DAY) * NS_PER_MS, 0);
  bytes.writeInt32LE(day + JULIAN_DAY_OF_EPOCH, 8);
  return bytes;
}

/** The instant INT96 bytes stand for (nanoseconds below the millisecond are dropped). */
export function instantOfInt96(bytes: Uint8Array): Date {
  if (bytes.length !== 12) throw new Error(`an INT96 value has 12 bytes, got ${bytes.length}`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const nanosOfDay = view.readBigInt64LE(0);
  const day = view.readInt32LE(8) - JULIAN_DAY_OF_EPOCH;
  return new Date(day * MS_PER_DAY + Number(nanosOfDay / NS_PER_MS));
}

function toInt96(value: unknown): Buffer {
  if (value instanceof Date) return int96Timestamp(value);
  if (Buffer.isBuffer(value) && value.length === 12) return value;
  throw new Error(`invalid value for an INT96 timestamp: ${String(value)}`);
}

type Encode = (type: string, values: unknown[], opts: unknown) => Buffer;
const INSTALLED = Symbol.for('seoul-population.int96-timestamps');

/**
 * parquetjs-lite knows the INT96 type but encodes a 64-bit integer into it and fills the top
 * four bytes with its sign, which is not the timestamp layout. Its conversion and plain encoding
 * of INT96 are replaced here, once, by the layout above; nothing else of the library changes.
 * (No JavaScript Parquet writer on npm writes INT96 timestamps itself.) The library is pinned to
 * the version this was written against; tests read every file back with pyarrow, Spark and DuckDB.
 */
export function installInt96Timestamps(): void {
  const codec = plainCodec as unknown as { encodeValues: Encode; [INSTALLED]?: boolean };
  if (codec[INSTALLED]) return;
  const types = parquetTypes as unknown as {
    PARQUET_LOGICAL_TYPES: Record<string, { toPrimitive: (value: unknown) => unknown }>;
  };
  const int96 = types.PARQUET_LOGICAL_TYPES.INT96;
  if (!int96) throw new Error('parquetjs-lite has no INT96 type');
  int96.toPrimitive = toInt96;
  const encode = codec.encodeValues;
  codec.encodeValues = (type, values, opts) =>
    type === 'INT96' ? Buffer.concat(values.map(toInt96)) : encode(type, values, opts);
  codec[INSTALLED] = true;
}
