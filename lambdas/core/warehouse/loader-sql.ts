import { DATASETS } from '../datasets/registry.js';
import { columnList, duplicateOrderSql, LOAD_LOG, type TableSpec } from '../schema.js';

/**
 * The statements that load one lake partition into a native table, as one transaction:
 * stage the partition's rows, delete every row of the table with a staged key, insert the staged
 * rows (one per key), bring the tables derived from it up to date (the datasets' `derived`, e.g.
 * the forecast errors the partition touches), and record the load. Loading a partition twice therefore leaves the table as
 * loading it once did, and a partition that got another file since is simply loaded again.
 *
 * The statements are the same on Redshift and DuckDB except those that fill the staging table
 * (COPY from S3 there, read_parquet here): that single difference lives in `staging-fill.ts`.
 * Values travel as bound parameters: `:table_name`, `:partition_path`, `:file_count`, `:loaded_at`.
 */
export function mergePartitionStatements(table: TableSpec, fillStaging: readonly string[]): string[] {
  const staging = stagingTableName(table);
  return [
    ...mergeStatements(table, fillStaging),
    `DELETE FROM ${LOAD_LOG.name} WHERE table_name = :table_name AND partition_path = :partition_path`,
    `INSERT INTO ${LOAD_LOG.name} (${columnList(LOAD_LOG)}) ` +
      `SELECT :table_name, :partition_path, CAST(:file_count AS INTEGER), COUNT(*), CAST(:loaded_at AS TIMESTAMP) FROM ${staging}`,
    `DROP TABLE ${staging}`,
  ];
}

/**
 * The merge itself, without the load log: stage, note what the derived tables must recompute
 * (e.g. the hours whose forecast errors change), delete the staged keys, insert one row per staged
 * key, recompute the derived rows touched.
 * The staging table is left for the caller to log from and drop. The local analysis database
 * (`lambdas/cli/analysis/local-warehouse.ts`) runs these very statements over several days at once.
 */
export function mergeStatements(table: TableSpec, fillStaging: readonly string[]): string[] {
  const staging = stagingTableName(table);
  const columns = columnList(table);
  const sameKey = table.key.map((k) => `${table.name}.${k} = ${staging}.${k}`).join(' AND ');
  const errors = derivedSteps(table.name, staging);
  return [
    `DROP TABLE IF EXISTS ${staging}`,
    // Same columns, same order as the native table (COPY from Parquet maps columns by position).
    `CREATE TEMP TABLE ${staging} AS SELECT * FROM ${table.name} WHERE 1 = 0`,
    ...fillStaging,
    ...errors.before,
    `DELETE FROM ${table.name} USING ${staging} WHERE ${sameKey}`,
    `INSERT INTO ${table.name} (${columns}) SELECT ${columns} FROM (` +
      `SELECT ${columns}, ROW_NUMBER() OVER (PARTITION BY ${table.key.join(', ')} ORDER BY ${duplicateOrderSql(table)}) AS duplicate_order ` +
      `FROM ${staging}) AS ranked WHERE duplicate_order = 1`,
    ...errors.after,
  ];
}

/** The statements of every derived table fed by `table`, around its merge. */
function derivedSteps(table: string, staging: string): { before: string[]; after: string[] } {
  const steps = DATASETS.flatMap((dataset) => dataset.derived ?? []).map((d) => d.mergeSteps(table, staging));
  return { before: steps.flatMap((s) => s.before), after: steps.flatMap((s) => s.after) };
}

export function stagingTableName(table: TableSpec): string {
  return `stage_${table.name}`;
}

/**
 * A failed load of a partition, noted in the load log with `file_count` -1 (no partition has that
 * many files, so it stays pending) in place of whatever row it had: the next load starts no later
 * than the oldest such partition, however long ago it is. The merge's own load-log statements
 * replace the note once the partition loads. Parameters: `:table_name`, `:partition_path`,
 * `:loaded_at`.
 */
export const FAILED_LOAD_FILE_COUNT = -1;

export function failedLoadStatements(): string[] {
  return [
    `DELETE FROM ${LOAD_LOG.name} WHERE table_name = :table_name AND partition_path = :partition_path`,
    `INSERT INTO ${LOAD_LOG.name} (${columnList(LOAD_LOG)}) ` +
      `VALUES (:table_name, :partition_path, ${FAILED_LOAD_FILE_COUNT}, 0, CAST(:loaded_at AS TIMESTAMP))`,
  ];
}

/**
 * Where the lake must be searched from, as the load log knows it: the newest partition loaded,
 * and the oldest whose load failed. (A scheduled load looks 48 hours back, or further when these
 * are older.)
 */
export const LOAD_LOG_BOUNDS_QUERY =
  `SELECT MAX(CASE WHEN file_count >= 0 THEN partition_path END) AS newest_loaded, ` +
  `MIN(CASE WHEN file_count < 0 THEN partition_path END) AS oldest_failed FROM ${LOAD_LOG.name}`;

/** The load log rows from a partition on, to compare with the lake's current files. */
export const LOAD_LOG_QUERY = `SELECT table_name, partition_path, file_count FROM ${LOAD_LOG.name} WHERE partition_path >= :since_partition`;

/** `2026-07-16 05:20:00.000`: a timestamp literal both engines cast from text, in UTC. */
export function timestampParameter(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
