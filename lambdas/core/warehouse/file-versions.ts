import { type ColumnSpec, redshiftType, type TableSpec } from '../schema.js';
import { stagingTableName } from './loader-sql.js';
import { type FileVersion, fileVersions, type Journal } from './migrations/journal.js';
import type { StagingFill } from './staging-fill.js';

/**
 * Old and new files in one lake: after a column is added, the files written before it have one
 * column fewer. COPY from Parquet puts a file's columns into the table's by position and needs
 * their number to match ("COPY from columnar data formats", Amazon Redshift Database Developer
 * Guide), so a table with the new column cannot take an old file. The choice made here is a
 * staging table per file version: each version's files are copied into a table of exactly that
 * version's columns, in that order, which the rule holds for by construction, and moved into the
 * table's staging table with NULL for the columns the version lacks. A file says its version by its
 * name: `<stem>.parquet` is version 1 (every file written before the first migration), and
 * `<stem>.v2.parquet` version 2, named by the writer from the migration journal.
 */

/** `<stem>.parquet` for version 1, `<stem>.v<n>.parquet` after the table's n−1th migration. */
export function versionedFileName(stem: string, version: number): string {
  return version <= 1 ? `${stem}.parquet` : `${stem}.v${version}.parquet`;
}

/** The version a table file's name says (1 when it says none). */
export function versionOfFile(name: string): number {
  const match = /\.v(\d+)\.parquet$/.exec(name);
  return match ? Number(match[1]) : 1;
}

/**
 * Puts the named files (of one partition of `table`) into the table `target`, whose columns are
 * exactly the files' (COPY of each file on Redshift; `read_parquet` without `union_by_name` on
 * DuckDB, which refuses a file whose column count differs, as COPY does).
 */
export type FileFill = (
  target: string,
  table: TableSpec,
  partition: string,
  names: readonly string[],
) => string[];

/** The staging table of one file version: `stage_population_v1`. */
export const versionStagingName = (table: TableSpec, version: number) =>
  `${stagingTableName(table)}_v${version}`;

/** A file version whose files must be rewritten from raw/ before they load again. */
export class StaleFileVersionError extends Error {}

/**
 * The statements that fill `table`'s staging table from one partition's files, whatever versions
 * they are: the whole folder in one COPY when every file is of the current version (the usual
 * case), else each version through a staging table of its own columns, then into the staging
 * table by name, NULL where the version has no column.
 */
export function stagePartition(
  table: TableSpec,
  partition: string,
  names: readonly string[],
  journal: Journal,
  fill: { readonly folder: StagingFill; readonly files: FileFill },
): string[] {
  const versions = fileVersions(journal, table.name);
  const current = versions.at(-1)?.version ?? 1;
  const byVersion = new Map<number, string[]>();
  for (const name of names) {
    const version = versionOfFile(name);
    byVersion.set(version, [...(byVersion.get(version) ?? []), name]);
  }
  if ([...byVersion.keys()].every((version) => version === current)) return fill.folder(table, [partition]);
  const statements: string[] = [];
  for (const [version, files] of [...byVersion].sort(([a], [b]) => a - b)) {
    const known = versions.find((v) => v.version === version);
    if (!known || version > current)
      throw new StaleFileVersionError(
        `${table.name}/${partition}: ${files.join(', ')} say version ${version}, which the migration journal does not know (the code is older than the files)`,
      );
    if (known.stale)
      throw new StaleFileVersionError(
        `${table.name}/${partition}: ${files.join(', ')} are version ${version}, from before a destructive migration: rewrite the partition from raw/ (npm run replay) before loading it`,
      );
    if (version === current) {
      statements.push(...fill.files(stagingTableName(table), table, partition, files));
      continue;
    }
    statements.push(...viaVersionTable(table, known, partition, files, fill.files));
  }
  return statements;
}

function viaVersionTable(
  table: TableSpec,
  version: FileVersion,
  partition: string,
  files: readonly string[],
  fill: FileFill,
): string[] {
  const own = versionStagingName(table, version.version);
  const columns = version.columns.map((c) => c.name).join(', ');
  const ddl = version.columns
    .map((c) => `${c.name} ${redshiftType({ ...c, source: '' } as ColumnSpec)}`)
    .join(', ');
  return [
    `DROP TABLE IF EXISTS ${own}`,
    `CREATE TEMP TABLE ${own} (${ddl})`,
    ...fill(own, table, partition, files),
    // By name: the columns the version lacks are left NULL (they may be NULL: the generator saw to it).
    `INSERT INTO ${stagingTableName(table)} (${columns}) SELECT ${columns} FROM ${own}`,
    `DROP TABLE ${own}`,
  ];
}
