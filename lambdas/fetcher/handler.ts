import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueCatalog } from '../core/catalog/glue-catalog.js';
import { kafkaLocationFromEnv } from '../core/kafka/connection.js';
import { lambdaHandler, lambdaPowertools } from '../core/lambda-powertools.js';
import { CatalogueSource } from '../core/place-catalogue.js';
import { SETTINGS, settingFromEnv } from '../core/settings.js';
import { S3ObjectStore } from '../core/storage/s3-store.js';
import { apiKeyFromSecret } from './api-key-secret.js';
import { kafkaPublish } from './kafka-publish.js';
import {
  fetcherSettingsFromEnv,
  requireFetcherTargets,
  runScheduledCollection,
} from './scheduled-collection.js';

// Built once per container and reused by warm invocations; a bad setting fails the first invocation.
const env = process.env;
const powertools = lambdaPowertools(env);
const { log, metrics } = powertools;
const settings = fetcherSettingsFromEnv(env);
const location = kafkaLocationFromEnv(env);
const database = settingFromEnv(SETTINGS.glueDatabase, env);
const store = new S3ObjectStore(new S3Client({}), settingFromEnv(SETTINGS.lakeBucket, env) ?? '');
const deps = {
  settings,
  log,
  metrics,
  apiKey: apiKeyFromSecret(settingFromEnv(SETTINGS.apiKeySecretArn, env), {
    maxAgeSeconds: settingFromEnv(SETTINGS.apiKeyMaxAgeSeconds, env),
  }),
  store,
  // One per container: when the catalogue cannot be read, the last one read is used, not none.
  catalogue: new CatalogueSource(store, log),
  // The run's collection_outcomes partition is registered in Glue when GLUE_DATABASE is set (on AWS).
  ...(database ? { catalog: new GlueCatalog(new GlueClient({}), database, log) } : {}),
  publish: kafkaPublish(location, settings.topic, log),
};

/** EventBridge schedule → one collection run → Kafka and collection_outcomes/; returns the run summary. */
export const handler = lambdaHandler(powertools, async (event: unknown) => {
  requireFetcherTargets(env, location);
  return runScheduledCollection(event, deps);
});
