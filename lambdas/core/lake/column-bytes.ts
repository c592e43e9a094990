import type { TableSpec } from '../schema.js';

/**
 * Text that fits the warehouse. Redshift's `VARCHAR(n)` counts bytes, not characters, and Korean
 * text is 3 bytes a character in UTF-8: one value longer than its column makes COPY fail for the
 * whole partition, on every load. Every string column of the schema has a `maxBytes` (the `n` of
 * its DDL); a longer value is cut at a character boundary and ends with {@link TRUNCATION_MARK},
 * so the cut is visible in every query, and the writer also flags the record (logged, counted).
 */

/** Ends a value that was cut: one character, 3 bytes in UTF-8, within the column's size. */
export const TRUNCATION_MARK = '…';
const MARK_BYTES = Buffer.byteLength(TRUNCATION_MARK);

export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/**
 * `value` itself when it fits in `maxBytes` UTF-8 bytes; else its longest prefix of whole
 * characters that leaves room for the mark, followed by the mark.
 */
export function fitUtf8(value: string, maxBytes: number): string {
  // A UTF-16 code unit is never more than 3 UTF-8 bytes (a surrogate pair, 2 units, is 4 bytes).
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  let end = Math.max(0, maxBytes - MARK_BYTES);
  // Back off continuation bytes (10xxxxxx): the cut falls before the character they belong to.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + TRUNCATION_MARK;
}

export interface Truncation {
  readonly column: string;
  /** UTF-8 bytes of the value as received. */
  readonly bytes: number;
  readonly maxBytes: number;
}

/**
 * The row with every string column fitted to its `maxBytes`, and what was cut. A string column
 * without `maxBytes` is a schema error (its DDL size would be a guess).
 */
export function fitStringColumns<Row extends object>(
  table: TableSpec,
  row: Row,
): { row: Row; truncated: Truncation[] } {
  let fitted: Record<string, unknown> | undefined;
  const truncated: Truncation[] = [];
  for (const column of table.columns) {
    if (column.type !== 'string') continue;
    if (column.maxBytes === undefined) {
      throw new Error(`${table.name}.${column.name} is a string column without maxBytes`);
    }
    const value = (row as Record<string, unknown>)[column.name];
    if (typeof value !== 'string') continue;
    const fit = fitUtf8(value, column.maxBytes);
    if (fit === value) continue;
    fitted ??= { ...(row as Record<string, unknown>) };
    fitted[column.name] = fit;
    truncated.push({ column: column.name, bytes: utf8Bytes(value), maxBytes: column.maxBytes });
  }
  return { row: (fitted ?? row) as Row, truncated };
}

/** Every row fitted (see {@link fitStringColumns}); the rows themselves when nothing was cut. */
export function fitRows<Row extends object>(table: TableSpec, rows: readonly Row[]): readonly Row[] {
  let out: Row[] | undefined;
  rows.forEach((row, index) => {
    const { row: fitted, truncated } = fitStringColumns(table, row);
    if (truncated.length === 0) return;
    out ??= [...rows];
    out[index] = fitted;
  });
  return out ?? rows;
}
