import type { Kafka } from 'kafkajs';
import { ConfigError } from '../core/errors.js';
import { deleteTopic, ensureTopic, validateTopicSpec } from '../core/kafka/topic-admin.js';
import type { Log } from '../core/logger.js';

/** The custom resource's properties (CloudFormation passes every value as a string). */
export interface TopicResourceProperties {
  readonly ClusterArn: string;
  readonly Topic: string;
  readonly NumPartitions: string | number;
  /** 'false' deletes the topic and its data with the stack; anything else keeps them. @default 'true' */
  readonly RetainOnDelete?: string | boolean;
  /** Only for provisioned clusters; MSK Serverless fixes it at 3 and takes the broker default. */
  readonly ReplicationFactor?: string | number;
}

/** What the CDK Provider framework hands its `onEvent` function. */
export interface TopicResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: TopicResourceProperties;
  readonly OldResourceProperties?: TopicResourceProperties;
}

/** What `onEvent` returns to the Provider framework; `Data` becomes `Fn::GetAtt` attributes. */
export interface TopicResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

export interface TopicResourceDeps {
  /** A Kafka client for the cluster (MSK IAM on AWS; a local broker in tests). */
  readonly connect: (clusterArn: string) => Promise<Kafka>;
  readonly log: Log;
}

/** One physical resource per cluster and topic: changing either replaces the resource. */
export function physicalIdOf(properties: Pick<TopicResourceProperties, 'ClusterArn' | 'Topic'>): string {
  return `${properties.Topic}@${properties.ClusterArn}`;
}

function wholeNumber(name: string, value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number))
    throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return number;
}

function parse(properties: TopicResourceProperties | undefined) {
  const clusterArn = String(properties?.ClusterArn ?? '').trim();
  if (clusterArn === '') throw new ConfigError('ClusterArn is required');
  const numPartitions = wholeNumber('NumPartitions', properties?.NumPartitions);
  if (numPartitions === undefined) throw new ConfigError('NumPartitions is required');
  const replicationFactor = wholeNumber('ReplicationFactor', properties?.ReplicationFactor);
  const spec = validateTopicSpec({
    topic: String(properties?.Topic ?? ''),
    numPartitions,
    ...(replicationFactor === undefined ? {} : { replicationFactor }),
  });
  return { clusterArn, spec };
}

/**
 * The topic custom resource: MSK Serverless has no CloudFormation topic resource, so the topic is
 * created with the Kafka admin API. Create and Update are idempotent (an existing topic is kept,
 * partitions only grow); Delete keeps the topic and its data unless `RetainOnDelete` is 'false'.
 */
export async function onTopicEvent(
  event: TopicResourceEvent,
  deps: TopicResourceDeps,
): Promise<TopicResourceResponse> {
  const { log } = deps;
  if (event.RequestType === 'Delete') {
    const properties = event.ResourceProperties;
    const retain = String(properties?.RetainOnDelete ?? 'true').toLowerCase() !== 'false';
    const physicalId = event.PhysicalResourceId ?? physicalIdOf(properties);
    if (retain) {
      log.info('topic retained on delete', { topic: properties?.Topic, clusterArn: properties?.ClusterArn });
      return { PhysicalResourceId: physicalId };
    }
    const { clusterArn, spec } = parse(properties);
    const deleted = await deleteTopic(await deps.connect(clusterArn), spec.topic, log);
    return { PhysicalResourceId: physicalId, Data: { TopicName: spec.topic, Deleted: String(deleted) } };
  }
  if (event.RequestType !== 'Create' && event.RequestType !== 'Update') {
    throw new ConfigError(
      `unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`,
    );
  }
  const { clusterArn, spec } = parse(event.ResourceProperties);
  const topic = await ensureTopic(await deps.connect(clusterArn), spec, log);
  return {
    PhysicalResourceId: physicalIdOf(event.ResourceProperties),
    Data: { TopicName: spec.topic, Partitions: String(topic.partitions), Created: String(topic.created) },
  };
}
