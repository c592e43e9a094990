import {
  type ColumnSpec,
  columnList,
  duckdbType,
  PARTITION_KEYS,
  redshiftType,
  type TableSpec,
} from '../schema.js';
import { SETTINGS } from '../settings.js';
import { regularFilesUnder } from '../storage/folder-walk.js';
import { versionOfFile } from './file-versions.js';
import { stagingTableName } from './loader-sql.js';
import { type FileVersion, fileVersions, type Journal } from './migrations/journal.js';
import { bucketName, iamRoleArn, lakePrefix } from './sql-values.js';

/**
 * The one place where the warehouse SQL differs between engines: how the Parquet files of some lake
 * folders get into the staging table. Everything else the loader runs (and every analysis view) is
 * the same text on Redshift and DuckDB. Both forms are tested (test/unit/warehouse-loader.test.ts).
 *
 * A folder is a partition (`year=…/…/minute=…`, what the AWS loader loads) or a coarser folder of
 * the same layout (`year=…/month=…/day=…`, what the local analysis database loads a day at a time).
 */
export type StagingFill = (table: TableSpec, folders: readonly string[]) => string[];

export interface S3Lake {
  readonly bucket: string;
  /** Key prefix of the lake inside the bucket; empty for the bucket's root. */
  readonly prefix: string;
  /** The role Redshift assumes to read the bucket (the Spectrum role). */
  readonly roleArn: string;
}

/**
 * Redshift: one `COPY … FORMAT AS PARQUET` per folder (COPY reads every object under the prefix).
 * The S3 URL and the role cannot be bound parameters (COPY takes literals), so each part is
 * validated to hold no quote: the bucket and role by their own rules, the folder by its fixed shape.
 */
export function redshiftCopy(lake: S3Lake): StagingFill {
  const bucket = bucketName(SETTINGS.lakeBucket.env, lake.bucket);
  const prefix = lakePrefix('LAKE_PREFIX', lake.prefix);
  const role = iamRoleArn(SETTINGS.spectrumRoleArn.env, lake.roleArn);
  return (table, folders) =>
    folders.map(
      (folder) =>
        `COPY ${stagingTableName(table)} FROM 's3://${bucket}/${prefix}${table.name}/${lakeFolder(folder)}/' ` +
        `IAM_ROLE '${role}' FORMAT AS PARQUET`,
    );
}

/**
 * DuckDB: the same rows read with one `read_parquet` over every folder, from a local lake folder.
 * `union_by_name`: a file that predates a column gives NULL there, as COPY does.
 */
export function duckdbReadParquet(lakeDir: string): StagingFill {
  const select = duckdbParquetSelect(lakeDir);
  return (table, folders) => {
    const rows = select(table, folders);
    return rows ? [`INSERT INTO ${stagingTableName(table)} (${columnList(table)}) ${rows}`] : [];
  };
}

/**
 * The `SELECT` of {@link duckdbReadParquet}: the table's columns, in order, from every Parquet file
 * of the folders; undefined when there is none. The local first load inserts it straight into the
 * table (`lambdas/cli/analysis/first-load.ts`).
 */
export function duckdbParquetSelect(
  lakeDir: string,
): (table: TableSpec, folders: readonly string[]) => string | undefined {
  const root = lakeDir.replace(/\\/g, '/').replace(/\/+$/, '');
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return (table, folders) => {
    const sources = folders.flatMap((folder) => {
      // DuckDB's glob enters a linked folder and opens a linked file: where a folder holds a link,
      // its regular files, found without following one, are named instead of the glob.
      const found = regularFilesUnder(`${root}/${table.name}/${lakeFolder(folder)}`, '.parquet');
      if (found.linked) return found.files.map((file) => quote(file.replace(/\\/g, '/')));
      // The partition folders below this one, then the files: `day=16/*/*/*.parquet`.
      const depth = PARTITION_KEYS.length - lakeFolder(folder).split('/').length;
      return [quote(`${root}/${table.name}/${folder}${'/*'.repeat(depth)}/*.parquet`)];
    });
    if (sources.length === 0) return undefined;
    return readByName(
      table,
      `read_parquet([${sources.join(', ')}], hive_partitioning = false, union_by_name = true)`,
    );
  };
}

/**
 * The table's columns, in order, from Parquet files read by name: a column no file has (one added
 * after every file was written) is NULL of its type, like one some files lack. `UNION ALL BY NAME`
 * with an empty relation of the table's typed columns gives every column a type and a value.
 */
export function readByName(table: TableSpec, source: string): string {
  const typed = table.columns.map((c) => `CAST(NULL AS ${duckdbType(c)}) AS ${c.name}`).join(', ');
  return `SELECT ${columnList(table)} FROM (SELECT ${typed} WHERE false UNION ALL BY NAME SELECT * FROM ${source}) AS files`;
}

/**
 * Redshift, one file at a time: `COPY target FROM 's3://…/<partition>/<file>'`. COPY reads every
 * object whose key begins with the FROM text, and no other file of a partition begins with a whole
 * file name (they all end in `.parquet`), so each COPY reads exactly its file.
 */
export function redshiftCopyFiles(lake: S3Lake): FileFill {
  const bucket = bucketName(SETTINGS.lakeBucket.env, lake.bucket);
  const prefix = lakePrefix('LAKE_PREFIX', lake.prefix);
  const role = iamRoleArn(SETTINGS.spectrumRoleArn.env, lake.roleArn);
  return (target, table, partition, names) =>
    names.map(
      (name) =>
        `COPY ${target} FROM 's3://${bucket}/${prefix}${table.name}/${lakeFolder(partition)}/${fileName(name)}' ` +
        `IAM_ROLE '${role}' FORMAT AS PARQUET`,
    );
}

/**
 * DuckDB, the same files by position: `INSERT INTO target SELECT * FROM read_parquet(file)` without
 * `union_by_name`, so a file with more or fewer columns than the target is refused, as COPY refuses it.
 */
export function duckdbCopyFiles(lakeDir: string): FileFill {
  const root = lakeDir.replace(/\\/g, '/').replace(/\/+$/, '');
  return (target, table, partition, names) =>
    names.map((name) => {
      const path = `${root}/${table.name}/${lakeFolder(partition)}/${fileName(name)}`;
      return `INSERT INTO ${target} SELECT * FROM read_parquet('${path.replace(/'/g, "''")}', hive_partitioning = false)`;
    });
}

/** A Parquet file name of the lake (letters, digits, `.`, `_`, `-`), refused in any other shape. */
function fileName(name: string): string {
  if (!/^[A-Za-z0-9._-]+\.parquet$/.test(name))
    throw new Error(`not a lake file name: ${JSON.stringify(name)}`);
  return name;
}

/** `year=2026[/month=07[/day=16[/hour=23[/minute=20]]]]`, refused in any other shape. */
function lakeFolder(folder: string): string {
  const parts = folder.split('/');
  const ok =
    parts.length <= PARTITION_KEYS.length &&
    parts.every((part, index) => new RegExp(`^${PARTITION_KEYS[index]}=\\d{2,4}$`).test(part));
  if (!ok) throw new Error(`not a lake folder (year=…/month=…/…): ${JSON.stringify(folder)}`);
  return folder;
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
