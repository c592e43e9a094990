import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { POPULATION, POPULATION_FORECAST } from '../../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { decodeJsonLinesGzip } from '../../../lambdas/core/lake/jsonl.js';
import {
  COLLECTION_OUTCOMES,
  glueColumns,
  gluePartitionKeys,
  type TableSpec,
} from '../../../lambdas/core/schema.js';
import { readParquet } from '../../support/duckdb.js';

/** Real SDK clients pointed at moto by AWS_ENDPOINT_URL (set by the integration runner). */
export const s3 = new S3Client({});
export const glue = new GlueClient({});
export const secrets = new SecretsManagerClient({});

export async function createBucket(bucket: string): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
    }),
  );
}

export async function createSecret(name: string, value: string): Promise<string> {
  const answer = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return answer.ARN as string;
}

/**
 * The Glue database and the two lake tables the writer registers partitions in, shaped as the
 * catalog stack defines them: columns from the one schema definition, Parquet SerDe, Hive partitions.
 */
export async function createGlueTables(database: string, bucket: string, prefix: string): Promise<void> {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  const table = (spec: TableSpec) =>
    glue.send(
      new CreateTableCommand({
        DatabaseName: database,
        TableInput: {
          Name: spec.name,
          TableType: 'EXTERNAL_TABLE',
          Parameters: { classification: 'parquet' },
          PartitionKeys: gluePartitionKeys().map((key) => ({ Name: key.name, Type: key.type })),
          StorageDescriptor: {
            Location: `s3://${bucket}/${prefix}${spec.name}/`,
            Columns: glueColumns(spec).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            SerdeInfo: {
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            },
          },
        },
      }),
    );
  await table(POPULATION);
  await table(POPULATION_FORECAST);
  await table(COLLECTION_OUTCOMES);
}

export async function gluePartitions(
  database: string,
  table: string,
): Promise<{ values: string[]; location: string }[]> {
  const answer = await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: table }));
  return (answer.Partitions ?? []).map((p) => ({
    values: p.Values ?? [],
    location: p.StorageDescriptor?.Location ?? '',
  }));
}

export async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((item) => item.Key as string));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function getObject(bucket: string, key: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(
    await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** Downloads Parquet files from (moto) S3 into a temporary folder and reads them all with DuckDB. */
export async function readParquetFromS3(
  bucket: string,
  keys: readonly string[],
  sql?: string,
): Promise<Record<string, unknown>[]> {
  if (keys.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'it-parquet-'));
  for (const key of keys) {
    const path = join(dir, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await getObject(bucket, key));
  }
  return readParquet(join(dir, '**', '*.parquet'), sql);
}

/** The lines of a `.jsonl.gz` object. */
export async function readJsonLines(bucket: string, key: string): Promise<Record<string, unknown>[]> {
  return decodeJsonLinesGzip(await getObject(bucket, key)) as Record<string, unknown>[];
}
