import type { Admin, Kafka } from 'kafkajs';
import type { Envelope } from '../../core/envelope.js';
import { describeError } from '../../core/errors.js';
import { createKafka } from '../../core/kafka/connection.js';
import { KafkaError } from '../../core/kafka/kafka-error.js';
import { EnvelopePublisher } from '../../core/kafka/publisher.js';
import { ensureTopic, topicMessageLimit } from '../../core/kafka/topic-admin.js';
import type { Log } from '../../core/logger.js';
import { decodeMskEvent } from '../../core/msk-event.js';
import type { PublishOutcome } from '../../core/publish-run.js';
import type { SourceRecord } from '../../core/source-record.js';
import type { BatchWriteResult } from '../../core/writers/lake-writer.js';
import { MskEventSourceEmulator } from './msk-event-source-emulator.js';
import type { Transport } from './transport.js';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** The writer core: what the emulator's events are decoded and handed to. */
  readonly deliver: (batch: SourceRecord[]) => Promise<BatchWriteResult>;
  readonly log: Log;
  /** The writer's consumer group. @default 'seoul-population-writer' */
  readonly groupId?: string;
  /** Partitions of the topic when this creates it. @default 3 */
  readonly numPartitions?: number;
  /** Like the event source mapping's. @default 100 */
  readonly batchSize?: number;
  /** Like the event source mapping's. @default 500 */
  readonly batchingWindowMs?: number;
  /** Deliveries of a failing batch before `drain()` gives up (the records stay in Kafka). @default 3 */
  readonly maxDeliveries?: number;
  /** How long `drain()` waits for the writer to catch up. @default 120000 */
  readonly drainTimeoutMs?: number;
  /** An existing client (tests, benchmarks); otherwise a plain-text client for `brokers`. */
  readonly kafka?: Kafka;
}

/**
 * The local pipeline over a real Kafka topic: the fetcher side publishes with the same idempotent
 * producer as the Lambda fetcher, and the writer side is fed by the MSK event-source emulator
 * with MSK-shaped events, decoded by the same decoder as the Lambda writer. `drain()` resolves
 * when the writer's consumer group has committed everything published so far.
 */
export class KafkaTransport implements Transport {
  readonly description: string;
  readonly keepsRecords = true;
  /** Next offset per partition that the writer must have committed for `drain()` to resolve. */
  private readonly targets = new Map<number, number>();

  private constructor(
    private readonly options: KafkaTransportOptions,
    private readonly publisher: EnvelopePublisher,
    private readonly admin: Admin,
    private emulator: MskEventSourceEmulator<BatchWriteResult>,
    /** Builds a fresh emulator, to take over from one that gave up on a batch. */
    private readonly newEmulator: () => MskEventSourceEmulator<BatchWriteResult>,
    /** What the writer wrote since the last `drain()`; the emulator appends to it. */
    private readonly results: BatchWriteResult[],
  ) {
    this.description = `Kafka topic "${options.topic}" at ${options.brokers.join(',')} (MSK event-source emulator)`;
  }

  /** Creates the topic if needed (never by auto-creation), connects, and starts the emulator. */
  static async open(options: KafkaTransportOptions): Promise<KafkaTransport> {
    const { topic, log } = options;
    const kafka =
      options.kafka ??
      createKafka(
        { brokers: options.brokers, auth: { kind: 'plain' } },
        { clientId: 'seoul-population-local', log, retries: 3 },
      );
    await ensureTopic(kafka, { topic, numPartitions: options.numPartitions ?? 3 }, log);
    const admin = kafka.admin();
    const results: BatchWriteResult[] = [];
    const newEmulator = () =>
      new MskEventSourceEmulator<BatchWriteResult>({
        kafka,
        topic,
        groupId: options.groupId ?? 'seoul-population-writer',
        log,
        batchSize: options.batchSize ?? 100,
        batchingWindowMs: options.batchingWindowMs ?? 500,
        maxDeliveries: options.maxDeliveries ?? 3,
        handler: (event) => options.deliver(decodeMskEvent(event)),
        onResult: (result) => results.push(result),
      });
    const emulator = newEmulator();
    let publisher: EnvelopePublisher;
    try {
      await admin.connect();
      const maxMessageBytes = await topicMessageLimit(admin, topic).catch(() => undefined);
      publisher = new EnvelopePublisher({
        kafka,
        topic,
        log,
        target: options.brokers.join(','),
        ...(maxMessageBytes ? { maxMessageBytes } : {}),
      });
      await emulator.start();
    } catch (error) {
      await emulator.stop();
      await admin.disconnect().catch(() => undefined);
      throw new KafkaError(
        `cannot start the writer's consumer on ${options.brokers.join(',')}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    const transport = new KafkaTransport(options, publisher, admin, emulator, newEmulator, results);
    // Records already in the topic that this group has not committed (a run whose writer failed
    // before the last stop) are part of what the first drain() waits for: they are not lost.
    await transport.raiseTargetsToEndOfTopic();
    return transport;
  }

  async publish(envelopes: readonly Envelope[]): Promise<PublishOutcome> {
    const outcome = await this.publisher.publish(envelopes);
    if (outcome.published > 0) await this.raiseTargetsToEndOfTopic();
    return outcome;
  }

  private async raiseTargetsToEndOfTopic(): Promise<void> {
    for (const { partition, high, low } of await this.admin.fetchTopicOffsets(this.options.topic)) {
      // An empty partition (or one emptied by retention) has nothing to wait for.
      if (Number(high) > Number(low))
        this.targets.set(partition, Math.max(this.targets.get(partition) ?? 0, Number(high)));
    }
  }

  async drain(): Promise<BatchWriteResult[]> {
    const { topic } = this.options;
    const groupId = this.options.groupId ?? 'seoul-population-writer';
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 120_000);
    for (;;) {
      const failure = this.emulator.failure;
      if (failure) {
        // The records stay in the topic. A fresh consumer takes them up again, so that a later
        // drain() (the next run's) writes them once the cause is gone, e.g. a disk with space again.
        await this.restartEmulator();
        throw new KafkaError(`the writer did not take the published records: ${describeError(failure)}`, {
          cause: failure,
        });
      }
      const [offsets] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const behind = [...this.targets].filter(
        ([partition, target]) => (committed.get(partition) ?? -1) < target,
      );
      if (behind.length === 0) break;
      if (Date.now() > deadline) {
        throw new KafkaError(
          `the writer has not caught up with topic "${topic}" within ${(this.options.drainTimeoutMs ?? 120_000) / 1000} s ` +
            `(partition: committed/published ${behind.map(([p, t]) => `${p}: ${committed.get(p) ?? -1}/${t}`).join(', ')})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.results.splice(0);
  }

  private async restartEmulator(): Promise<void> {
    await this.emulator.stop();
    const fresh = this.newEmulator();
    this.emulator = fresh;
    try {
      await fresh.start();
    } catch (error) {
      this.options.log.error('writer consumer could not restart', { error: describeError(error) });
    }
  }

  async close(): Promise<void> {
    await this.emulator.stop();
    await this.publisher.close();
    await this.admin.disconnect().catch(() => undefined);
  }
}
