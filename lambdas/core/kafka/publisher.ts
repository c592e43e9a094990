import { type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { type Envelope, toMessage } from '../envelope.js';
import { describeError } from '../errors.js';
import type { Log } from '../logger.js';
import { KafkaError } from './kafka-error.js';

export interface PublisherOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly log: Log;
  /** Where the cluster is (brokers or cluster ARN), for error messages. */
  readonly target: string;
  /**
   * Message bytes per produce request. A request carries one record batch per partition and a
   * broker refuses a batch above `message.max.bytes` (1 MiB by default, and on MSK Serverless),
   * so a run larger than this is sent in several requests. A normal run (121 places, ~0.3 MB) is one.
   * @default 900000
   */
  readonly maxRequestBytes?: number;
}

/** What a publish did, per Kafka partition: the offset of its first message. */
export interface PublishResult {
  readonly published: number;
  readonly partitions: readonly { readonly partition: number; readonly baseOffset: number }[];
}

/**
 * Publishes a run's envelopes: key = place code, value = the envelope, headers `schemaVersion` and
 * `runId` (envelope.ts `toMessage`). The producer is idempotent with acknowledgement from all
 * in-sync replicas and one request in flight, so a retried request never writes a message twice
 * or out of order. Retries are bounded (the Kafka client's `retry`), so a broker that cannot be
 * reached fails the run with a {@link KafkaError} instead of hanging it; on AWS the schedule's retry
 * policy and dead-letter queue take over from there.
 */
export class EnvelopePublisher {
  private producer: Producer | undefined;
  private readonly maxRequestBytes: number;

  constructor(private readonly options: PublisherOptions) {
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
  }

  async publish(envelopes: readonly Envelope[]): Promise<PublishResult> {
    if (envelopes.length === 0) return { published: 0, partitions: [] };
    const { topic, log } = this.options;
    const started = Date.now();
    try {
      const producer = await this.connected();
      const metadata: RecordMetadata[] = [];
      for (const messages of this.requests(envelopes.map(toMessage))) {
        metadata.push(...(await producer.send({ topic, messages, acks: -1 })));
      }
      const partitions = firstOffsets(metadata);
      log.info('envelopes published', {
        topic,
        published: envelopes.length,
        partitions,
        durationMs: Date.now() - started,
      });
      return { published: envelopes.length, partitions };
    } catch (error) {
      // A producer that failed may hold broken connections or a fenced producer id: start afresh next time.
      await this.close();
      throw new KafkaError(
        `cannot publish ${envelopes.length} envelope(s) to topic "${topic}" at ${this.options.target}: ${explainKafkaError(error)}`,
        { cause: error },
      );
    }
  }

  /** Disconnects; the next publish connects again. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch((error: unknown) => {
      this.options.log.debug('producer disconnect failed', { error: describeError(error) });
    });
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The Java client's partitioner (murmur2 of the key): a place always lands in the same
      // partition, whichever client published it.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** Splits messages into produce requests of at most `maxRequestBytes`, keeping their order. */
  private *requests(
    messages: { key: string; value: Buffer; headers: Readonly<Record<string, string>> }[],
  ): Generator<Message[]> {
    let request: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = message.value.length + Buffer.byteLength(message.key) + 64;
      if (request.length > 0 && bytes + size > this.maxRequestBytes) {
        yield request;
        request = [];
        bytes = 0;
      }
      request.push({ key: message.key, value: message.value, headers: { ...message.headers } });
      bytes += size;
    }
    if (request.length > 0) yield request;
  }
}

function firstOffsets(metadata: readonly RecordMetadata[]): { partition: number; baseOffset: number }[] {
  const first = new Map<number, number>();
  for (const entry of metadata) {
    const offset = Number(entry.baseOffset);
    if (!first.has(entry.partition) || offset < (first.get(entry.partition) as number))
      first.set(entry.partition, offset);
  }
  return [...first]
    .map(([partition, baseOffset]) => ({ partition, baseOffset }))
    .sort((a, b) => a.partition - b.partition);
}

/**
 * kafkajs wraps the real reason ("connect ECONNREFUSED", "This server does not host this
 * topic-partition") in retry errors; this digs it out and adds what to do where the fix is known.
 */
export function explainKafkaError(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    messages.push(current.message);
    const inner = current as { originalError?: unknown; cause?: unknown };
    current = inner.originalError ?? inner.cause;
  }
  const text = [...new Set(messages)].join(': ');
  const type = (error as { type?: string } | undefined)?.type;
  if (
    /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/i.test(text) ||
    type === 'UNKNOWN_TOPIC_OR_PARTITION'
  ) {
    return `${text} (the topic does not exist: it is created by the topic custom resource, or locally on first start)`;
  }
  return text === '' ? String(error) : text;
}
