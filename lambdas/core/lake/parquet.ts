import { Writable } from 'node:stream';
import parquet, { type ParquetSchema } from 'parquetjs-lite';
// A static import, not a runtime require: esbuild must see it to put it in the Lambda bundle,
// where there is no node_modules to resolve a require against.
import parquetTypes from 'parquetjs-lite/lib/types.js';
import type { ColumnType, TableSpec } from '../schema.js';
import { fitRows } from './column-bytes.js';
import { installInt96Timestamps } from './int96-timestamp.js';

installInt96Timestamps();

/** parquetjs-lite's own value conversion (string → UTF-8 bytes, Date → INT96 bytes, …). */
const { toPrimitive } = parquetTypes;

const PARQUET_TYPES: Record<ColumnType, string> = {
  // INT96 (nanoseconds of the day and Julian day, UTC): what Spark and Hive write and Redshift
  // Spectrum and COPY read as TIMESTAMP (int96-timestamp.ts, docs/proven-here.md).
  timestamp: 'INT96',
  string: 'UTF8',
  int32: 'INT32',
  int64: 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

// Keyed by the spec itself, not its name: a derived spec (a renamed column) gets its own schema.
const schemas = new WeakMap<TableSpec, ParquetSchema>();

/** The Parquet schema of a table, derived from the one schema definition (REQUIRED unless nullable). */
export function parquetSchemaFor(table: TableSpec): ParquetSchema {
  let schema = schemas.get(table);
  if (!schema) {
    schema = new parquet.ParquetSchema(
      Object.fromEntries(
        table.columns.map((c) => [
          c.name,
          {
            type: PARQUET_TYPES[c.type],
            compression: 'SNAPPY',
            optional: c.nullable ?? false,
            // INT96 has no defined sort order (Parquet format spec): its min/max would mislead readers.
            ...(c.type === 'timestamp' ? { statistics: false } : {}),
          },
        ]),
      ),
    );
    schemas.set(table, schema);
  }
  return schema;
}

/** Rows a file holds per row group: large enough for good compression, small enough for Lambda memory. */
export const ROW_GROUP_SIZE = 16_384;

/** The parts of parquetjs-lite's schema field and row buffer that the columnar fill below relies on. */
interface FlatField {
  readonly name: string;
  readonly path: string[];
  readonly primitiveType: string;
  readonly originalType?: string;
  readonly dLevelMax: number;
}
interface ColumnBuffer {
  dlevels: number[];
  rlevels: number[];
  values: unknown[];
  distinct_values: Set<unknown>;
  count: number;
}
interface RowBuffer {
  rowCount: number;
  pageRowCount: number;
  columnData: Record<string, ColumnBuffer>;
  pages: Record<string, unknown[]>;
}

/**
 * Fills parquetjs-lite's row buffer column by column, in the exact form its `shredRecord` gives
 * row by row. Our tables are flat (no nesting, no repetition), and the library's per-row shredding
 * allocates a few hundred objects a row: this path makes the writer several times faster. The
 * library still does all the encoding; tests read every file back with DuckDB. parquetjs-lite is
 * pinned to the exact version this was written against.
 */
function columnarRowBuffer(schema: ParquetSchema, rows: readonly object[]): RowBuffer {
  const fields = (schema as unknown as { fieldList: FlatField[] }).fieldList;
  const buffer: RowBuffer = { rowCount: rows.length, pageRowCount: rows.length, columnData: {}, pages: {} };
  for (const field of fields) {
    const type = field.originalType ?? field.primitiveType;
    const column: ColumnBuffer = {
      dlevels: [],
      rlevels: new Array(rows.length).fill(0),
      values: [],
      distinct_values: new Set(),
      count: rows.length,
    };
    for (const row of rows) {
      const value = (row as Record<string, unknown>)[field.name];
      if (value === null || value === undefined) {
        if (field.dLevelMax === 0) throw new Error(`missing required field: ${field.name}`);
        column.dlevels.push(0);
        continue;
      }
      column.dlevels.push(field.dLevelMax);
      column.distinct_values.add(value);
      column.values.push(toPrimitive(type, value));
    }
    buffer.columnData[field.path.join(',')] = column;
    buffer.pages[field.path.join(',')] = [];
  }
  return buffer;
}

/**
 * Encodes rows into one Parquet file in memory. DataPageV1 on purpose: parquetjs-lite writes
 * DataPageV2 by default, which Athena/Spectrum and parquet-cpp based readers reject. One data page
 * per column and row group (the page size is set above the row-group size): the library otherwise
 * appends an empty page when a page boundary meets a row-group boundary. Every string is fitted
 * to its column's byte size here, whoever made the rows: no file of the lake can hold a value
 * that the warehouse's COPY would refuse (column-bytes.ts).
 */
export async function encodeParquet(
  table: TableSpec,
  anyRows: readonly object[],
  metadata: Record<string, string> = {},
): Promise<Buffer> {
  const rows = fitRows(table, anyRows);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  // parquetjs-lite ends its output with `stream.close()`, which a memory sink does not have.
  Object.assign(sink, { close: (callback?: () => void) => callback?.() });
  const schema = parquetSchemaFor(table);
  const writer = await parquet.ParquetWriter.openStream(schema, sink, {
    useDataPageV2: false,
    rowGroupSize: ROW_GROUP_SIZE,
    pageSize: ROW_GROUP_SIZE + 1,
  });
  for (const [key, value] of Object.entries(metadata)) writer.setMetadata(key, value);
  for (let start = 0; start < rows.length; start += ROW_GROUP_SIZE) {
    const group = rows.slice(start, start + ROW_GROUP_SIZE);
    // All rows but the last go in column by column; appending the last one through the library
    // makes it encode and write the row group as soon as the group is full.
    if (group.length > 1)
      (writer as unknown as { rowBuffer: RowBuffer }).rowBuffer = columnarRowBuffer(
        schema,
        group.slice(0, -1),
      );
    await writer.appendRow(group[group.length - 1] as Record<string, unknown>);
  }
  await writer.close();
  return Buffer.concat(chunks);
}
