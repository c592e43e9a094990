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

// Built once per container, reused by warm invocations (a bad setting fails the first); Glue when set.
const env = process.env;
const powertools = lambdaPowertools(env);
const { log, metrics } = powertools;
const [settings, location] = [fetcherSettingsFromEnv(env), kafkaLocationFromEnv(env)];
const database = settingFromEnv(SETTINGS.glueDatabase, env);
const maxAgeSeconds = settingFromEnv(SETTINGS.apiKeyMaxAgeSeconds, env);
const store = new S3ObjectStore(new S3Client({}), settingFromEnv(SETTINGS.lakeBucket, env) ?? '');
const deps = {
  settings,
  log,
  metrics,
  apiKey: apiKeyFromSecret(settingFromEnv(SETTINGS.apiKeySecretArn, env), { maxAgeSeconds }),
  store,
  catalogue: new CatalogueSource(store, log), // per container: keeps the last good catalogue
  ...(database ? { catalog: new GlueCatalog(new GlueClient({}), database, log) } : {}),
  publish: kafkaPublish(location, settings.topic, log),
};

/** EventBridge schedule → one run → Kafka and collection_outcomes/; returns the run summary. */
export const handler = lambdaHandler(powertools, async (event: unknown) => {
  requireFetcherTargets(env, location);
  return runScheduledCollection(event, deps);
});
