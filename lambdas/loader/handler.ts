import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { lambdaHandler, lambdaPowertools } from '../core/lambda-powertools.js';
import { S3ObjectStore } from '../core/storage/s3-store.js';
import { DataApiWarehouse } from '../core/warehouse/data-api.js';
import { PARTITION_TIMEOUT_MS } from '../core/warehouse/loader.js';
import { warehouseTarget } from '../core/warehouse/target.js';
import { type LoaderEvent, requireLoaderTargets, runLoader } from './load-run.js';

const env = process.env;
const powertools = lambdaPowertools(env);
const { log, metrics } = powertools;
const redshift = new RedshiftDataClient({});
const s3 = new S3Client({});

/** Lambda entry point, run on a schedule (or by hand with `{"since": …}` for a backlog). */
export const handler = lambdaHandler(powertools, async (event: LoaderEvent | undefined, context) => {
  const store = new S3ObjectStore(s3, requireLoaderTargets(env));
  // A partition's statements are cancelled after PARTITION_TIMEOUT_MS: with the loader's time
  // margin, that is what keeps the last partition it starts inside the function's timeout.
  const warehouse = new DataApiWarehouse({
    client: redshift,
    ...warehouseTarget(env),
    log,
    timeoutMs: PARTITION_TIMEOUT_MS,
  });
  return runLoader(event, {
    warehouse,
    store,
    env,
    metrics,
    log,
    now: new Date(),
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
});
