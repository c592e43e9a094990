import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueCatalog } from '../core/catalog/glue-catalog.js';
import { ConfigError } from '../core/errors.js';
import { lambdaLogger, lambdaMetrics, powertoolsLog } from '../core/lambda-powertools.js';
import { S3ObjectStore } from '../core/storage/s3-store.js';
import { type MskBatchResult, writeMskBatch } from './msk-batch.js';

// Clients and the catalog's cached table descriptors live as long as the container.
const logger = lambdaLogger();
const log = powertoolsLog(logger);
const metrics = lambdaMetrics();
const bucket = process.env.LAKE_BUCKET?.trim();
const database = process.env.GLUE_DATABASE?.trim();
const store = new S3ObjectStore(new S3Client({}), bucket ?? '', process.env.LAKE_PREFIX ?? '');
const catalog = new GlueCatalog(new GlueClient({}), database ?? '', log);

/** MSK event source mapping → Parquet, raw and rejected files in S3 → Glue partitions. */
export const handler = async (event: unknown): Promise<MskBatchResult> => {
  if (!bucket) throw new ConfigError('LAKE_BUCKET is not set: the writer has nowhere to write');
  if (!database) throw new ConfigError('GLUE_DATABASE is not set: the writer cannot register partitions');
  try {
    return await writeMskBatch(event, { store, catalog, log, metrics });
  } finally {
    metrics.publishStoredMetrics();
  }
};
