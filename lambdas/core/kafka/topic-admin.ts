import type { Admin, Kafka } from 'kafkajs';
import { ConfigError } from '../errors.js';
import type { Log } from '../logger.js';
import { KafkaError } from './kafka-error.js';
import { explainKafkaError } from './publisher.js';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /**
   * Replicas per partition. Absent: the broker's default (-1 on the wire), which is what MSK
   * Serverless needs, since it fixes replication at 3 and accepts no other value; a local
   * single broker's default is 1.
   */
  readonly replicationFactor?: number;
}

export interface EnsuredTopic {
  /** Whether this call created the topic (false: it was already there). */
  readonly created: boolean;
  /** Partitions the topic has now. */
  readonly partitions: number;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** Kafka's rule for topic names, checked before any network call so a typo fails clearly. */
export function validateTopicSpec(spec: TopicSpec): TopicSpec {
  if (!TOPIC_NAME.test(spec.topic) || spec.topic === '.' || spec.topic === '..') {
    throw new ConfigError(
      `topic name must be 1–249 characters of A–Z, a–z, 0–9, '.', '_' or '-', got ${JSON.stringify(spec.topic)}`,
    );
  }
  if (!Number.isInteger(spec.numPartitions) || spec.numPartitions < 1 || spec.numPartitions > 10_000) {
    throw new ConfigError(
      `number of partitions must be a whole number from 1 to 10000, got ${JSON.stringify(spec.numPartitions)}`,
    );
  }
  if (
    spec.replicationFactor !== undefined &&
    (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1)
  ) {
    throw new ConfigError(
      `replication factor must be a whole number of at least 1, got ${JSON.stringify(spec.replicationFactor)}`,
    );
  }
  return spec;
}

/**
 * Creates the topic if it is missing and grows it to `numPartitions` if it has fewer; never relies
 * on auto-creation (MSK turns it off). Running it again changes nothing, so it is safe on every
 * deployment and every local start. Kafka cannot remove partitions: a topic with more is left as
 * it is, with a warning.
 */
export async function ensureTopic(kafka: Kafka, spec: TopicSpec, log: Log): Promise<EnsuredTopic> {
  const { topic, numPartitions, replicationFactor } = validateTopicSpec(spec);
  return withAdmin(kafka, `create topic "${topic}"`, async (admin) => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions, ...(replicationFactor ? { replicationFactor } : {}) }],
      waitForLeaders: true,
    });
    let partitions = await partitionCount(admin, topic);
    if (!created && partitions < numPartitions) {
      await admin.createPartitions({ topicPartitions: [{ topic, count: numPartitions }] });
      log.info('topic partitions added', { topic, from: partitions, to: numPartitions });
      partitions = await partitionCount(admin, topic);
    } else if (partitions > numPartitions) {
      log.warn('topic has more partitions than asked; kafka cannot remove partitions', {
        topic,
        partitions,
        asked: numPartitions,
      });
    }
    log.info(created ? 'topic created' : 'topic already exists', { topic, partitions });
    return { created, partitions };
  });
}

/** Deletes a topic and its data; false when there was no such topic. */
export async function deleteTopic(kafka: Kafka, topic: string, log: Log): Promise<boolean> {
  return withAdmin(kafka, `delete topic "${topic}"`, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return false;
    await admin.deleteTopics({ topics: [topic] });
    log.info('topic deleted', { topic });
    return true;
  });
}

async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics.find((entry) => entry.name === topic)?.partitions.length ?? 0;
}

async function withAdmin<T>(kafka: Kafka, what: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new KafkaError(`cannot ${what}: ${explainKafkaError(error)}`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** kafkajs's `ConfigResourceTypes.TOPIC`; the enum is not a named export of its CommonJS build. */
const TOPIC_RESOURCE = 2;

/**
 * The largest record the topic takes (`max.message.bytes`, the broker's `message.max.bytes` unless
 * the topic overrides it), so the publisher can refuse a too-large envelope itself and fail only
 * its place. Undefined when the broker does not say.
 */
export async function topicMessageLimit(admin: Admin, topic: string): Promise<number | undefined> {
  const described = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['max.message.bytes'] }],
    includeSynonyms: false,
  });
  const value = described.resources[0]?.configEntries.find(
    (e) => e.configName === 'max.message.bytes',
  )?.configValue;
  const limit = Number(value);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
}
