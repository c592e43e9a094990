import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GlueCatalog } from '../core/catalog/glue-catalog.js';
import { ConfigError } from '../core/errors.js';
import { createKafka, kafkaLocationFromEnv, resolveKafkaEndpoint } from '../core/kafka/connection.js';
import { EnvelopePublisher } from '../core/kafka/publisher.js';
import { lambdaLogger, lambdaMetrics, powertoolsLog } from '../core/lambda-powertools.js';
import type { RunSummary } from '../core/run-summary.js';
import { S3ObjectStore } from '../core/storage/s3-store.js';
import { apiKeyFromSecret } from './api-key-secret.js';
import { fetcherSettingsFromEnv, runScheduledCollection } from './scheduled-collection.js';

// Built once per container and reused by warm invocations: clients, the cached API key and the
// MSK bootstrap brokers. Settings are validated here, so a bad variable fails the first invocation.
const logger = lambdaLogger();
const log = powertoolsLog(logger);
const metrics = lambdaMetrics();
const settings = fetcherSettingsFromEnv(process.env);
const apiKey = apiKeyFromSecret(new SecretsManagerClient({}), process.env.SEOUL_API_KEY_SECRET_ARN);
const store = new S3ObjectStore(
  new S3Client({}),
  process.env.LAKE_BUCKET ?? '',
  process.env.LAKE_PREFIX ?? '',
);
// The run's collection_outcomes partition is registered in Glue when GLUE_DATABASE is set (on AWS).
const catalog = process.env.GLUE_DATABASE
  ? new GlueCatalog(new GlueClient({}), process.env.GLUE_DATABASE, log)
  : undefined;
const location = kafkaLocationFromEnv(process.env);
let publisher: Promise<EnvelopePublisher> | undefined;

function publisherFor(): Promise<EnvelopePublisher> {
  publisher ??= resolveKafkaEndpoint(location).then(
    (endpoint) =>
      new EnvelopePublisher({
        kafka: createKafka(endpoint, { clientId: 'seoul-population-fetcher', log }),
        topic: settings.topic,
        log,
        target: location.clusterArn ?? endpoint.brokers.join(','),
      }),
  );
  publisher.catch(() => {
    publisher = undefined;
  });
  return publisher;
}

/** EventBridge schedule → one collection run → Kafka; returns the run summary. */
export const handler = async (event: unknown): Promise<RunSummary> => {
  // Checked before any API call, so a misconfigured function fails at once rather than after a run.
  if (!process.env.LAKE_BUCKET)
    throw new ConfigError('LAKE_BUCKET is not set: the fetcher writes collection_outcomes/ there');
  if (!location.brokers && !location.clusterArn)
    throw new ConfigError('MSK_CLUSTER_ARN is not set: the fetcher has nowhere to publish');
  try {
    return await runScheduledCollection(event, {
      settings,
      apiKey,
      store,
      ...(catalog ? { catalog } : {}),
      log,
      metrics,
      publish: async (envelopes) => {
        const target = await publisherFor();
        try {
          return await target.publish(envelopes);
        } finally {
          // The schedule is 20 minutes apart: an idle connection would be closed by the broker anyway.
          await target.close();
        }
      },
    });
  } finally {
    metrics.publishStoredMetrics();
  }
};
