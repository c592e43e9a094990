import { type DuckDBConnection, DuckDBTypeId } from '@duckdb/node-api';

/** A result row with plain values: numbers, strings (times as `YYYY-MM-DD HH:MM:SS`), or null. */
export type PlainRow = Record<string, string | number | boolean | null>;

/** Integer types DuckDB returns as text in JSON form (they may exceed 2^53); counts never do. */
const WIDE_NUMBERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
]);

/**
 * Runs a query and returns plain rows: the same shapes whichever integer type an engine picked
 * for a count (Redshift's COUNT is BIGINT, so is DuckDB's), easy to compare and to render.
 */
export async function readRows(connection: DuckDBConnection, sql: string): Promise<PlainRow[]> {
  const reader = await connection.runAndReadAll(sql);
  const names = reader.columnNames();
  const wide = reader.columnTypes().map((type) => WIDE_NUMBERS.has(type.typeId));
  return reader.getRowsJson().map((row) =>
    Object.fromEntries(
      row.map((value, index) => {
        const plain = wide[index] && typeof value === 'string' ? Number(value) : value;
        return [names[index], plain as PlainRow[string]];
      }),
    ),
  );
}
