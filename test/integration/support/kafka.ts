import type { Admin, Kafka } from 'kafkajs';
import { createKafka } from '../../../lambdas/core/kafka/connection.js';
import { ensureTopic } from '../../../lambdas/core/kafka/topic-admin.js';
import { MemoryLog } from '../../support/memory-log.js';
import { integrationEnvironment } from './environment.js';

/** A plain-text client for the test broker. */
export function testKafka(clientId = 'integration-test'): Kafka {
  return createKafka(
    { brokers: integrationEnvironment().brokers, auth: { kind: 'plain' } },
    { clientId, log: new MemoryLog(), retries: 3 },
  );
}

export async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  await ensureTopic(kafka, { topic, numPartitions }, new MemoryLog());
}

/**
 * Waits until the consumer group has committed every offset of the topic (its high watermarks):
 * everything published was handed to the handler and acknowledged.
 */
export async function waitUntilCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const high = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const offsets = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const behind = high.filter(
      (p) => Number(p.high) > Number(p.low) && (offsets.get(p.partition) ?? -1) < Number(p.high),
    );
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `group ${groupId} has not committed ${topic} within ${timeoutMs} ms: ${JSON.stringify(behind)} vs ${JSON.stringify([...offsets])}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
