import { type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { type Envelope, toMessage } from '../envelope.js';
import { describeError } from '../errors.js';
import type { Log } from '../logger.js';
import { KafkaError, KafkaTimeoutError } from './kafka-error.js';

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
  /**
   * The topic's message limit (`max.message.bytes`; 1 MiB by default in Kafka and on MSK
   * Serverless, less record overhead). An envelope over it is refused before sending, so it fails
   * only its own place. @default 1000000
   */
  readonly maxMessageBytes?: number;
}

/** A message the topic would not take, and why; its place fails, the others go on. */
export interface RefusedEnvelope {
  readonly code: string;
  readonly reason: string;
}

/** What a publish did, per Kafka partition: the offset of its first message. */
export interface PublishResult {
  readonly published: number;
  readonly partitions: readonly { readonly partition: number; readonly baseOffset: number }[];
  /** Envelopes not published because the topic refused them (size, corrupt record), with why. */
  readonly refused: readonly RefusedEnvelope[];
}

/** Broker answers that refuse the records themselves: sending them again can never succeed. */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
]);

type OutgoingMessage = { key: string; value: Buffer; headers: Readonly<Record<string, string>> };

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
  /**
   * Requests the broker never answered within the client's request timeout (kafkajs' instrumentation
   * event): a publish that saw one and then failed may have had its records taken all the same.
   */
  private unanswered = 0;
  /** How many times `close()` was called: a publish that outlived one must leave the broker itself. */
  private closes = 0;
  private readonly maxRequestBytes: number;
  private readonly maxMessageBytes: number;

  constructor(private readonly options: PublisherOptions) {
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
    this.maxMessageBytes = options.maxMessageBytes ?? 1_000_000;
  }

  /**
   * Publishes what the topic can take. An envelope over the message limit, or one the broker
   * refuses as a record, fails only its place (listed in `refused`); a broker that cannot be
   * reached fails the whole publish with a {@link KafkaError}.
   */
  async publish(envelopes: readonly Envelope[]): Promise<PublishResult> {
    const refused: RefusedEnvelope[] = [];
    const sendable: OutgoingMessage[] = [];
    for (const message of envelopes.map(toMessage)) {
      const size = messageBytes(message);
      if (size > this.maxMessageBytes) {
        refused.push({
          code: message.key,
          reason: `envelope of ${size} bytes is over the topic's message limit of ${this.maxMessageBytes} bytes`,
        });
      } else sendable.push(message);
    }
    if (sendable.length === 0) return { published: 0, partitions: [], refused: this.logged(refused) };
    const { topic, log } = this.options;
    const started = Date.now();
    let producer: Producer | undefined;
    const unansweredBefore = this.unanswered;
    const closesBefore = this.closes;
    try {
      producer = await this.connected();
      const metadata: RecordMetadata[] = [];
      for (const messages of this.requests(sendable)) {
        metadata.push(...(await this.send(producer, messages, refused)));
      }
      const partitions = firstOffsets(metadata);
      const published = sendable.length - refused.filter((r) => r.reason.startsWith(BROKER)).length;
      log.info('envelopes published', { topic, published, partitions, durationMs: Date.now() - started });
      return { published, partitions, refused: this.logged(refused) };
    } catch (error) {
      // A producer that failed may hold broken connections or a fenced producer id: start afresh
      // next time. Only this publish's own producer: a caller that gave up on it may have started
      // another one since.
      if (producer === undefined || producer === this.producer) await this.close();
      if (this.unanswered > unansweredBefore) {
        // Sent to a broker that went silent (paused, traffic dropped): not "cannot publish", since
        // the broker may have taken them, or take them once it answers again. kafkajs' last word
        // ("Broker not connected", …) would only blur that, so it goes to the log alone.
        log.warn('envelopes sent, not confirmed', { topic, error: explainKafkaError(error) });
        throw new KafkaTimeoutError(
          `${envelopes.length} envelope(s) sent, not confirmed: Kafka at ${this.options.target} did not answer within its request timeout`,
          true,
        );
      }
      throw new KafkaError(
        `cannot publish ${envelopes.length} envelope(s) to topic "${topic}" at ${this.options.target}: ${explainKafkaError(error)}`,
        { cause: error },
      );
    } finally {
      // A caller that gave up on this publish closed the publisher meanwhile, before this
      // producer had even connected or while kafkajs' retries connected it again: leave the
      // broker now that the send has ended, or the connection (and its timers) would live on.
      if (producer !== undefined && (producer !== this.producer || this.closes !== closesBefore)) {
        if (producer === this.producer) this.producer = undefined;
        await producer.disconnect().catch(() => undefined);
      }
    }
  }

  /**
   * Sends one request; if the broker refuses its records as such, sends them one by one so that
   * only the refused ones fail (each with the broker's reason).
   */
  private async send(
    producer: Producer,
    messages: Message[],
    refused: RefusedEnvelope[],
  ): Promise<RecordMetadata[]> {
    const { topic } = this.options;
    try {
      return await producer.send({ topic, messages, acks: -1 });
    } catch (error) {
      if (!refusesRecords(error)) throw error;
      if (messages.length === 1) {
        refused.push({ code: String(messages[0]?.key), reason: `${BROKER}${explainKafkaError(error)}` });
        return [];
      }
      const metadata: RecordMetadata[] = [];
      for (const message of messages) metadata.push(...(await this.send(producer, [message], refused)));
      return metadata;
    }
  }

  private logged(refused: RefusedEnvelope[]): RefusedEnvelope[] {
    for (const { code, reason } of refused)
      this.options.log.error('envelope refused', { place: code, reason });
    return refused;
  }

  /** Disconnects; the next publish connects again. */
  async close(): Promise<void> {
    this.closes += 1;
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
    producer.on(producer.events.REQUEST_TIMEOUT, () => {
      this.unanswered += 1;
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** Splits messages into produce requests of at most `maxRequestBytes`, keeping their order. */
  private *requests(messages: OutgoingMessage[]): Generator<Message[]> {
    let request: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = messageBytes(message);
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

const BROKER = 'the broker refused the record: ';

/** A record's size as the broker counts it against `max.message.bytes`, with a margin for overhead. */
function messageBytes(message: OutgoingMessage): number {
  let headers = 0;
  for (const [name, value] of Object.entries(message.headers))
    headers += name.length + Buffer.byteLength(value) + 8;
  return message.value.length + Buffer.byteLength(message.key) + headers + 64;
}

function refusesRecords(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const type = (current as { type?: string }).type;
    if (type && RECORD_REFUSALS.has(type)) return true;
    const inner = current as { originalError?: unknown; cause?: unknown };
    current = inner.originalError ?? inner.cause;
  }
  return false;
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
