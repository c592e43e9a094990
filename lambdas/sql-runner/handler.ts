import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { lambdaHandler, lambdaPowertools } from '../core/lambda-powertools.js';
import { DataApiWarehouse } from '../core/warehouse/data-api.js';
import { defaultSqlDir } from '../core/warehouse/sql-files.js';
import { adminSecretArn, warehouseTarget } from '../core/warehouse/target.js';
import { handleSqlResource } from './sql-resource.js';

const env = process.env;
const powertools = lambdaPowertools(env);
const { log } = powertools;
const client = new RedshiftDataClient({});

/** Lambda entry point: `onEvent` of a CDK `Provider`. Errors fail the deployment with their message. */
export const handler = lambdaHandler(powertools, async (event: CloudFormationCustomResourceEvent) => {
  // As the namespace's admin user (a superuser): CREATE EXTERNAL SCHEMA and CREATE USER need one.
  const warehouse = new DataApiWarehouse({
    client,
    ...warehouseTarget(env),
    secretArn: adminSecretArn(env),
    log,
  });
  try {
    return await handleSqlResource(event, { warehouse, env, sqlDir: defaultSqlDir(), log });
  } catch (error) {
    log.error('sql resource failed', { requestType: event.RequestType, error: (error as Error).message });
    throw error;
  }
});
