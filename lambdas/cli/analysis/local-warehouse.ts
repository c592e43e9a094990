import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { describeError } from '../../core/errors.js';
import { kstDayBounds } from '../../core/kst-time.js';
import { ConsoleLog } from '../../core/logger.js';
import { type ColumnSpec, duckdbType, type TableSpec } from '../../core/schema.js';
import { WAREHOUSE_TABLES } from '../../core/tables.js';
import {
  LOAD_LOG_QUERY,
  mergeStatements,
  stagingTableName,
  timestampParameter,
} from '../../core/warehouse/loader-sql.js';
import { applyMigrations, existingTables } from '../../core/warehouse/migrations/apply.js';
import { loadMigrations } from '../../core/warehouse/migrations/files.js';
import { defaultSqlDir } from '../../core/warehouse/sql-files.js';
import { parameterNames } from '../../core/warehouse/sql-text.js';
import { duckdbReadParquet } from '../../core/warehouse/staging-fill.js';
import { DuckDbWarehouse } from './duckdb-warehouse.js';
import { firstLoad } from './first-load.js';
import { dayOf, type LakeDay, listLakeDays } from './lake-days.js';

/**
 * The local counterpart of the Redshift native tables: a DuckDB file next to the lake
 * (`<lake>/_warehouse/analysis.duckdb`), filled by the very statements of the COPY loader's merge
 * (forecast errors included), so the views answer from indexed, compressed columns on disk
 * instead of listing and opening every minute file of the lake at each question (a year is 26,280
 * files per table: listing them alone takes seconds). DuckDB reads the file in place, within a
 * memory limit; nothing is read into memory up front.
 *
 * The lake stays the source of truth: the file can be deleted at any time and is rebuilt from it.
 */
export const ANALYSIS_FOLDER = '_warehouse';
export const WAREHOUSE_FILE = join(ANALYSIS_FOLDER, 'analysis.duckdb');

/** DuckDB's memory ceiling (its page cache included): leaves room under the report's 1.5 GB budget. */
const MEMORY_LIMIT = '768MB';

/**
 * Where DuckDB spills what does not fit under {@link MEMORY_LIMIT} (sorts, joins, window
 * partitions, large transactions), inside the folder the database lives in: the limit bounds memory,
 * never what can be loaded. Without insertion order to preserve, inserts and window functions
 * stream instead of buffering whole inputs (DuckDB's guides "Tuning Workloads" and "Out-of-Memory
 * Issues": the settings to use when a load runs out of memory). Every report question orders its
 * rows itself.
 */
const SPILL_FOLDER = join(ANALYSIS_FOLDER, 'spill');

/** Days reloaded when their file count changed, counted back from the newest loaded day. */
const RECHECK_DAYS = 2;

const columnDdl = (c: ColumnSpec) => `${c.name} ${duckdbType(c)}${c.nullable ? '' : ' NOT NULL'}`;

/** DuckDB DDL of the native tables: the lake's tables, the load log and the forecast errors. */
export function nativeTablesDdl(): string[] {
  return WAREHOUSE_TABLES.map(
    (table) => `CREATE TABLE IF NOT EXISTS ${table.name} (${table.columns.map(columnDdl).join(', ')})`,
  );
}

export interface LocalWarehouse {
  readonly connection: DuckDBConnection;
  readonly close: () => void;
}

/**
 * Opens (or creates) the lake's analysis database. A lake folder that does not exist gets an
 * in-memory one, so asking about a lake never creates it.
 */
export async function openLocalWarehouse(lake: string, sqlDir = defaultSqlDir()): Promise<LocalWarehouse> {
  const folder = resolve(lake);
  let path = ':memory:';
  const settings: Record<string, string> = {
    memory_limit: MEMORY_LIMIT,
    preserve_insertion_order: 'false',
    // Lake files are read once, by the load: caching their bytes only holds memory (measured on a
    // year's first load: 2.3 GB of process RSS with the cache, 1.0 GB without).
    enable_external_file_cache: 'false',
  };
  if (existsSync(folder)) {
    mkdirSync(join(folder, ANALYSIS_FOLDER), { recursive: true });
    path = join(folder, WAREHOUSE_FILE);
    settings.temp_directory = join(folder, SPILL_FOLDER);
  }
  const instance = await DuckDBInstance.create(path, settings).catch((error: unknown) => {
    throw new Error(
      `cannot open the analysis database ${path}: ${describeError(error)} (it holds nothing the lake does not: delete ${join(folder, ANALYSIS_FOLDER)} and it is rebuilt from the lake)`,
    );
  });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  // The warehouse's own migrations, as on Redshift: a database made before a column was added
  // gets it (NULL for the rows it holds), once; a new one is made with the current columns.
  const warehouse = new DuckDbWarehouse(connection);
  const before = await existingTables(warehouse);
  for (const statement of nativeTablesDdl()) await connection.run(statement);
  await applyMigrations(warehouse, loadMigrations(sqlDir), before, new ConsoleLog('silent'));
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** The load log of one day of a unit: its files, and the staged rows collected that KST day. */
const LOG_DAY = [
  'DELETE FROM load_log WHERE table_name = :table_name AND partition_path = :partition_path',
  'INSERT INTO load_log (table_name, partition_path, file_count, rows_loaded, loaded_at) ' +
    'SELECT :table_name, :partition_path, CAST(:file_count AS INTEGER), COUNT(*), CAST(:loaded_at AS TIMESTAMP) ' +
    'FROM {staging} WHERE collected_at >= CAST(:day_start AS TIMESTAMP) AND collected_at < CAST(:day_end AS TIMESTAMP)',
];

export interface CatchUp {
  /** Table days loaded. */
  readonly loaded: number;
  readonly seconds: number;
}

/**
 * Brings the analysis database up to date with the lake: every KST day folder never loaded, and
 * every day of the last {@link RECHECK_DAYS} loaded whose number of files changed (a run since, a
 * late batch), is merged with the loader's statements (`mergeStatements`: same keys, same
 * forecast-error upkeep as on Redshift). Days of one table and month go in one transaction, so a
 * first catch-up over a long lake reads each file once and commits a few dozen times. Older days
 * are taken as complete, like the AWS loader's look-back window: delete the file to rebuild.
 */
export async function catchUpWithLake(
  connection: DuckDBConnection,
  lake: string,
  now = new Date(),
): Promise<CatchUp> {
  const started = performance.now();
  const folder = resolve(lake);
  const warehouse = new DuckDbWarehouse(connection);
  const logged = new Map(
    (await warehouse.query(LOAD_LOG_QUERY, { since_partition: 'year=' })).map((row) => [
      `${row.table_name}|${row.partition_path}`,
      Number(row.file_count),
    ]),
  );
  const newest = [...logged.keys()]
    .map((key) => key.split('|')[1] as string)
    .sort()
    .at(-1);
  const from = newest ? recheckFrom(newest) : '';
  const settled = (table: TableSpec, path: string) => path < from && logged.has(`${table.name}|${path}`);
  const pending = listLakeDays(folder, settled).filter(
    (day) => logged.get(`${day.table.name}|${day.path}`) !== day.files,
  );
  const units = new Map<string, LakeDay[]>();
  for (const day of pending) {
    const unit = `${day.path.slice(0, day.path.lastIndexOf('/'))}|${day.table.name}`;
    units.set(unit, [...(units.get(unit) ?? []), day]);
  }
  if (logged.size === 0 && units.size > 0)
    await firstLoad(connection, warehouse, folder, [...units.values()], now);
  else for (const days of units.values()) await loadUnit(connection, warehouse, folder, days, now);
  return { loaded: pending.length, seconds: (performance.now() - started) / 1000 };
}

/** One transaction: merge the days' files, log each day, drop the staging table. */
async function loadUnit(
  connection: DuckDBConnection,
  warehouse: DuckDbWarehouse,
  lake: string,
  days: readonly LakeDay[],
  now: Date,
): Promise<void> {
  const table = (days[0] as LakeDay).table;
  const staging = stagingTableName(table);
  await connection.run('BEGIN TRANSACTION');
  try {
    const fill = duckdbReadParquet(lake)(
      table,
      days.map((day) => day.path),
    );
    for (const sql of mergeStatements(table, fill)) await warehouse.execute(sql);
    for (const day of days) {
      const [year, month, dd] = dayOf(day.path) as [number, number, number];
      const { start, end } = kstDayBounds({ year, month, day: dd });
      const values: Record<string, string | number> = {
        table_name: table.name,
        partition_path: day.path,
        file_count: day.files,
        loaded_at: timestampParameter(now),
        day_start: timestampParameter(start),
        day_end: timestampParameter(end),
      };
      for (const template of LOG_DAY) {
        const sql = template.replace('{staging}', staging);
        await warehouse.execute(
          sql,
          Object.fromEntries(parameterNames(sql).map((name) => [name, values[name] ?? ''])),
        );
      }
    }
    await warehouse.execute(`DROP TABLE ${staging}`);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

/** The day path {@link RECHECK_DAYS} days before a `year=…/month=…/day=…` path. */
function recheckFrom(path: string): string {
  const [year, month, day] = dayOf(path) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day - RECHECK_DAYS));
  const pad = (value: number) => String(value).padStart(2, '0');
  return `year=${date.getUTCFullYear()}/month=${pad(date.getUTCMonth() + 1)}/day=${pad(date.getUTCDate())}`;
}
