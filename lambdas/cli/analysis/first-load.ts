import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASETS } from '../../core/datasets/registry.js';
import { kstDayBounds } from '../../core/kst-time.js';
import { columnList, duplicateOrderSql, type TableSpec } from '../../core/schema.js';
import { timestampParameter } from '../../core/warehouse/loader-sql.js';
import { duckdbParquetSelect } from '../../core/warehouse/staging-fill.js';
import type { DuckDbWarehouse } from './duckdb-warehouse.js';
import { dayOf, type LakeDay } from './lake-days.js';

/**
 * The first load of a lake into an empty analysis database (a cold `npm run report`, the end of
 * `demo --days N`): the rows the loader's merge would leave, by a shorter road, measured by
 * `npm run bench -- user-paths`.
 *
 * - Nothing to delete: each table and KST month is one `INSERT … SELECT` from its Parquet files.
 * - One row per key: a key's rows all sit in one minute partition (every key holds `collected_at`,
 *   or the run that names it), so choosing a row per key within the unit (the table's duplicate
 *   order, as the merge does) is choosing it over the lake.
 * - Derived tables (forecast errors) are computed once, over the loaded tables, instead of once per
 *   unit over the hours it touches (that upkeep reads the population table again for every unit).
 * - One transaction: a load that fails or is killed leaves the database empty, and the next report
 *   starts the first load again.
 *
 * Tried and measured on a year (CPU seconds of the whole load, same machine): this form 115;
 * inserting as read and replacing only keys held twice 122; staging each unit first 160. The
 * Parquet files alone take 46 to read.
 */
export async function firstLoad(
  connection: DuckDBConnection,
  warehouse: DuckDbWarehouse,
  lake: string,
  units: readonly (readonly LakeDay[])[],
  now: Date,
): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const days of units) {
      const table = (days[0] as LakeDay).table;
      const columns = columnList(table);
      const rows = duckdbParquetSelect(lake)(
        table,
        days.map((day) => day.path),
      );
      if (!rows) continue;
      await connection.run(
        `INSERT INTO ${table.name} (${columns}) SELECT ${columns} FROM (${rows}) AS lake ` +
          `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${table.key.join(', ')} ORDER BY ${duplicateOrderSql(table)}) = 1`,
      );
      await warehouse.execute(logDays(table, days), {
        ...unitBounds(days),
        table_name: table.name,
        loaded_at: timestampParameter(now),
      });
    }
    for (const derived of DATASETS.flatMap((dataset) => dataset.derived ?? []))
      await connection.run(
        `INSERT INTO ${derived.table.name} (${columnList(derived.table)}) ${derived.select()}`,
      );
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

const DAY_PATH = /^year=\d{4}\/month=\d{2}\/day=\d{2}$/;

/**
 * The load log of a unit's days after it is inserted: each day's files, and the rows of the table
 * collected that KST day. The days are literals from the lake listing, checked for shape.
 */
function logDays(table: TableSpec, days: readonly LakeDay[]): string {
  const values = days.map((day) => {
    if (!DAY_PATH.test(day.path)) throw new Error(`not a day folder: ${day.path}`);
    const [year, month, dd] = dayOf(day.path) as [number, number, number];
    const kstDate = `${year}-${String(month).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
    return `('${day.path}', DATE '${kstDate}', ${day.files})`;
  });
  return (
    'INSERT INTO load_log (table_name, partition_path, file_count, rows_loaded, loaded_at) ' +
    'SELECT :table_name, d.partition_path, d.file_count, COALESCE(c.rows_loaded, 0), CAST(:loaded_at AS TIMESTAMP) ' +
    `FROM (VALUES ${values.join(', ')}) AS d(partition_path, kst_date, file_count) LEFT JOIN (` +
    "SELECT CAST(collected_at + INTERVAL '9 hours' AS DATE) AS kst_date, COUNT(*) AS rows_loaded " +
    `FROM ${table.name} WHERE collected_at >= CAST(:day_start AS TIMESTAMP) AND collected_at < CAST(:day_end AS TIMESTAMP) ` +
    'GROUP BY 1) AS c ON c.kst_date = d.kst_date'
  );
}

/** From the first instant of a unit's first KST day to the end of its last. */
function unitBounds(days: readonly LakeDay[]): Record<string, string> {
  const bounds = (day: LakeDay) => {
    const [year, month, dd] = dayOf(day.path) as [number, number, number];
    return kstDayBounds({ year, month, day: dd });
  };
  return {
    day_start: timestampParameter(bounds(days[0] as LakeDay).start),
    day_end: timestampParameter(bounds(days[days.length - 1] as LakeDay).end),
  };
}
