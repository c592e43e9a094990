import { columnList, type TableSpec } from '../schema.js';
import { SETTINGS } from '../settings.js';
import { stagingTableName } from './loader-sql.js';
import { bucketName, iamRoleArn, lakePrefix } from './sql-values.js';

/**
 * The one place where the warehouse SQL differs between engines: how a lake partition's Parquet
 * files get into the staging table. Everything else the loader runs (and every analysis view) is
 * the same text on Redshift and DuckDB. Both forms are tested (test/unit/warehouse-loader.test.ts).
 */
export type StagingFill = (table: TableSpec, partitionPath: string) => string;

export interface S3Lake {
  readonly bucket: string;
  /** Key prefix of the lake inside the bucket; empty for the bucket's root. */
  readonly prefix: string;
  /** The role Redshift assumes to read the bucket (the Spectrum role). */
  readonly roleArn: string;
}

/**
 * Redshift: `COPY … FORMAT AS PARQUET` from the partition's folder. The S3 URL and the role
 * cannot be bound parameters (COPY takes literals), so each part is validated to hold no quote:
 * the bucket and role by their own rules, the partition path by its fixed shape.
 */
export function redshiftCopy(lake: S3Lake): StagingFill {
  const bucket = bucketName(SETTINGS.lakeBucket.env, lake.bucket);
  const prefix = lakePrefix('LAKE_PREFIX', lake.prefix);
  const role = iamRoleArn(SETTINGS.spectrumRoleArn.env, lake.roleArn);
  return (table, partitionPath) =>
    `COPY ${stagingTableName(table)} FROM 's3://${bucket}/${prefix}${table.name}/${partitionPath}/' ` +
    `IAM_ROLE '${role}' FORMAT AS PARQUET`;
}

/** DuckDB: the same rows read with `read_parquet` from a local lake folder. */
export function duckdbReadParquet(lakeDir: string): StagingFill {
  const root = lakeDir.replace(/\\/g, '/').replace(/\/+$/, '');
  return (table, partitionPath) => {
    const glob = `${root}/${table.name}/${partitionPath}/*.parquet`.replace(/'/g, "''");
    const columns = columnList(table);
    return (
      `INSERT INTO ${stagingTableName(table)} (${columns}) SELECT ${columns} ` +
      `FROM read_parquet('${glob}', hive_partitioning = false, union_by_name = true)`
    );
  };
}
