import { Writable } from 'node:stream';
import parquet, { type ParquetSchema } from 'parquetjs-lite';
import type { ColumnType, TableSpec } from '../schema.js';

const PARQUET_TYPES: Record<ColumnType, string> = {
  timestamp: 'TIMESTAMP_MILLIS', // INT64, milliseconds since the epoch, UTC
  string: 'UTF8',
  int32: 'INT32',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

const schemas = new Map<string, ParquetSchema>();

/** The Parquet schema of a table, derived from the one schema definition (REQUIRED unless nullable). */
export function parquetSchemaFor(table: TableSpec): ParquetSchema {
  let schema = schemas.get(table.name);
  if (!schema) {
    schema = new parquet.ParquetSchema(
      Object.fromEntries(table.columns.map((c) => [c.name, { type: PARQUET_TYPES[c.type], compression: 'SNAPPY', optional: c.nullable ?? false }])),
    );
    schemas.set(table.name, schema);
  }
  return schema;
}

/** Rows a file holds per row group: large enough for good compression, small enough for Lambda memory. */
const ROW_GROUP_SIZE = 16_384;

/**
 * Encodes rows into one Parquet file in memory. DataPageV1 on purpose: parquetjs-lite writes
 * DataPageV2 by default, which Athena/Spectrum and parquet-cpp based readers reject.
 */
export async function encodeParquet(table: TableSpec, rows: readonly object[], metadata: Record<string, string> = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  // parquetjs-lite ends its output with `stream.close()`, which a memory sink does not have.
  Object.assign(sink, { close: (callback?: () => void) => callback?.() });
  const writer = await parquet.ParquetWriter.openStream(parquetSchemaFor(table), sink, {
    useDataPageV2: false,
    rowGroupSize: ROW_GROUP_SIZE,
  });
  for (const [key, value] of Object.entries(metadata)) writer.setMetadata(key, value);
  for (const row of rows) await writer.appendRow(row as Record<string, unknown>);
  await writer.close();
  return Buffer.concat(chunks);
}
