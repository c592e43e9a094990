import { createKafka, kafkaLocationFromEnv, resolveKafkaEndpoint } from '../core/kafka/connection.js';
import { lambdaHandler, lambdaPowertools } from '../core/lambda-powertools.js';
import { onTopicEvent, type TopicResourceEvent } from './topic-resource.js';

const powertools = lambdaPowertools();
const { log } = powertools;

/**
 * `onEvent` of the topic custom resource (CDK Provider framework). Connects to the cluster named
 * by the resource's `ClusterArn` with IAM; KAFKA_BROKERS, when set, overrides it (local tests).
 */
export const handler = lambdaHandler(powertools, (event: TopicResourceEvent) =>
  onTopicEvent(event, {
    log,
    connect: async (clusterArn) => {
      const local = kafkaLocationFromEnv(process.env).brokers;
      const endpoint = await resolveKafkaEndpoint(local ? { brokers: local } : { clusterArn });
      return createKafka(endpoint, { clientId: 'seoul-population-topic', log, connectionTimeoutMs: 10_000 });
    },
  }),
);
