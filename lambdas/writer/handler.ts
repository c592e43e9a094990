import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueCatalog } from '../core/catalog/glue-catalog.js';
import { lambdaHandler, lambdaPowertools } from '../core/lambda-powertools.js';
import { SETTINGS, settingFromEnv } from '../core/settings.js';
import { S3ObjectStore } from '../core/storage/s3-store.js';
import { requireWriterTargets, writeMskBatch } from './msk-batch.js';

// Clients and the catalog's cached table descriptors live as long as the container.
const env = process.env;
const powertools = lambdaPowertools(env);
const { log, metrics } = powertools;
const store = new S3ObjectStore(new S3Client({}), settingFromEnv(SETTINGS.lakeBucket, env) ?? '');
const catalog = new GlueCatalog(new GlueClient({}), settingFromEnv(SETTINGS.glueDatabase, env) ?? '', log);

/** MSK event source mapping → Parquet, raw and rejected files in S3 → Glue partitions. */
export const handler = lambdaHandler(powertools, async (event: unknown) => {
  requireWriterTargets(env);
  return writeMskBatch(event, { store, catalog, log, metrics });
});
