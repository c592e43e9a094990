import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DATASETS } from '../../core/datasets/registry.js';
import { columnList, duckdbType, duplicateOrderSql, type TableSpec } from '../../core/schema.js';
import { regularFilesUnder } from '../../core/storage/folder-walk.js';
import { TABLES } from '../../core/tables.js';
import { JOURNAL } from '../../core/warehouse/migrations/history.js';
import { fileVersions } from '../../core/warehouse/migrations/journal.js';
import { readByName } from '../../core/warehouse/staging-fill.js';

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The view that makes a lake folder look like the warehouse table of the same name: the columns
 * of the one schema definition, in order, and one row per key. While a table has never changed,
 * every file is written from one definition, so the first file's schema stands for all (no
 * `union_by_name`, which would open every file of a year-sized lake just to create the view); after
 * a column was added (the migration journal says so), old and new files are read by name. Rows repeat in the lake only when a
 * fetcher ran twice for one scheduled time; the table's `duplicateOrder` picks the one kept, as in
 * the warehouse loader's merge.
 */
export function lakeViewSql(table: TableSpec, lake: string): string {
  const columns = columnList(table);
  // Once a column was added, files of an older version lack it: read by name, NULL where absent
  // (this opens every file's footer, so only a table that has changed pays for it).
  const changed = fileVersions(JOURNAL, table.name).length > 1;
  // Found without following a link; an empty match would fail DuckDB's glob.
  const found = regularFilesUnder(join(lake, table.name), '.parquet');
  if (found.files.length === 0) {
    const typedNulls = table.columns.map((c) => `CAST(NULL AS ${duckdbType(c)}) AS ${c.name}`).join(', ');
    return `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${typedNulls} WHERE false`;
  }
  // DuckDB's glob opens a linked file: with a link in the table, the files found are named instead.
  const files = found.linked
    ? `[${found.files.map((file) => quote(file.replace(/\\/g, '/'))).join(', ')}]`
    : quote(`${join(lake, table.name).replace(/\\/g, '/')}/**/*.parquet`);
  const source = `read_parquet(${files}, hive_partitioning = false${changed ? ', union_by_name = true' : ''})`;
  return (
    `CREATE OR REPLACE VIEW ${table.name} AS ${changed ? readByName(table, source) : `SELECT ${columns} FROM ${source}`} ` +
    `QUALIFY row_number() OVER (PARTITION BY ${table.key.join(', ')} ORDER BY ${duplicateOrderSql(table)}) = 1`
  );
}

/**
 * Opens an in-memory DuckDB database where the lake's tables are views over its Parquet files,
 * under the same names as in the warehouse (and the derived tables computed from them). Times are UTC.
 */
export async function openLake(lake: string): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  // Lake files are read once per query; caching their contents only costs memory on a big lake.
  await connection.run('SET enable_external_file_cache = false');
  for (const table of TABLES) await connection.run(lakeViewSql(table, resolve(lake)));
  // The warehouse keeps derived tables (forecast errors) up to date as partitions load; over the
  // lake in place they are the same SELECT over all the rows at once.
  for (const derived of DATASETS.flatMap((dataset) => dataset.derived ?? []))
    await connection.run(`CREATE OR REPLACE VIEW ${derived.table.name} AS ${derived.select()}`);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
