import type { Admin, Kafka } from 'kafkajs';
import { deadlineSignal, pause, untilAborted, within } from '../../core/deadline.js';
import type { Envelope } from '../../core/envelope.js';
import { describeError } from '../../core/errors.js';
import { createKafka } from '../../core/kafka/connection.js';
import { KafkaError, KafkaTimeoutError } from '../../core/kafka/kafka-error.js';
import { EnvelopePublisher } from '../../core/kafka/publisher.js';
import { ensureTopic, topicMessageLimit } from '../../core/kafka/topic-admin.js';
import type { Log } from '../../core/logger.js';
import { decodeMskEvent } from '../../core/msk-event.js';
import type { PublishOutcome } from '../../core/publish-run.js';
import type { SourceRecord } from '../../core/source-record.js';
import type { BatchWriteResult } from '../../core/writers/lake-writer.js';
import { MskEventSourceEmulator } from './msk-event-source-emulator.js';
import type { Transport, WaitOptions } from './transport.js';

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
  /**
   * How long the broker has to answer one request when opening (topic, metadata) and while
   * draining: a broker that accepts connections but never answers (paused) would otherwise hold
   * the command for kafkajs' timeouts and retries. @default 15000
   */
  readonly openTimeoutMs?: number;
}

/** How long `close()` waits for the clients to leave the broker before abandoning them. */
const CLOSE_TIMEOUT_MS = 1_000;

/** How long the writer's consumer may take to join its group: the group's session timeout (30 s) and a margin. */
const JOIN_TIMEOUT_MS = 45_000;

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
  /** Envelopes published (or sent unconfirmed) since the last `drain()` that succeeded. */
  private published = 0;
  /** Of `published`, the envelopes sent and never confirmed (the broker stopped answering). */
  private sentUnconfirmed = 0;
  /**
   * Publishes given up on (no answer in time). kafkajs goes on retrying them, reconnecting if need
   * be, so they may still land: `drain()` waits until each has ended, one way or the other.
   */
  private readonly abandoned = new Set<Promise<unknown>>();

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

  /**
   * Creates the topic if needed (never by auto-creation), connects, and starts the emulator; gives
   * up with a {@link KafkaTimeoutError} after `openTimeoutMs`.
   */
  static async open(options: KafkaTransportOptions): Promise<KafkaTransport> {
    const { topic, log } = options;
    const where = options.brokers.join(',');
    // Two bounds. The broker must answer (topic, metadata) within openTimeoutMs; joining the
    // writer's group may then legitimately wait for a member that died without leaving (a killed
    // process) until its session times out (30 s), so the join gets that and a margin.
    let answering = answerDeadline(options);
    const kafka =
      options.kafka ??
      createKafka(
        { brokers: options.brokers, auth: { kind: 'plain' } },
        { clientId: 'seoul-population-local', log, retries: 3 },
      );
    await untilAborted(
      ensureTopic(kafka, { topic, numPartitions: options.numPartitions ?? 3 }, log),
      answering,
    );
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
      await untilAborted(admin.connect(), answering);
      const maxMessageBytes = await untilAborted(topicMessageLimit(admin, topic), answering).catch(
        (error: unknown) => {
          if (answering.aborted) throw error;
          return undefined;
        },
      );
      publisher = new EnvelopePublisher({
        kafka,
        topic,
        log,
        target: where,
        ...(maxMessageBytes ? { maxMessageBytes } : {}),
      });
      await untilAborted(
        emulator.start(),
        deadlineSignal(
          JOIN_TIMEOUT_MS,
          () =>
            new KafkaTimeoutError(
              `the writer's consumer did not join its group at ${where} within ${JOIN_TIMEOUT_MS / 1000} s`,
              false,
            ),
        ),
      );
    } catch (error) {
      // Bounded: a broker that does not answer would hold each goodbye.
      await untilAborted(
        Promise.allSettled([emulator.stop(CLOSE_TIMEOUT_MS), admin.disconnect()]),
        deadlineSignal(CLOSE_TIMEOUT_MS, () => new Error('late')),
      ).catch(() => undefined);
      if (error instanceof KafkaTimeoutError) throw error;
      throw new KafkaError(`cannot start the writer's consumer on ${where}: ${describeError(error)}`, {
        cause: error,
      });
    }
    const transport = new KafkaTransport(options, publisher, admin, emulator, newEmulator, results);
    // Records already in the topic that this group has not committed (a run whose writer failed
    // before the last stop) are part of what the first drain() waits for: they are not lost.
    try {
      answering = answerDeadline(options);
      await untilAborted(transport.raiseTargetsToEndOfTopic(), answering);
    } catch (error) {
      await transport.close();
      throw error;
    }
    return transport;
  }

  /**
   * Publishes with the idempotent producer. When `signal` aborts first (a broker that does not
   * answer), the producer is abandoned and a {@link KafkaTimeoutError} with `unconfirmed` set is
   * thrown: the broker may still take the records once it answers again, so they are neither
   * published nor failed until a later drain finds them in the lake or not.
   */
  async publish(envelopes: readonly Envelope[], options: WaitOptions = {}): Promise<PublishOutcome> {
    let outcome: PublishOutcome;
    const publishing = this.publisher.publish(envelopes);
    try {
      outcome = await untilAborted(publishing, options.signal);
      if (outcome.published > 0) await untilAborted(this.raiseTargetsToEndOfTopic(), options.signal);
    } catch (error) {
      const unconfirmed = error instanceof KafkaTimeoutError && error.unconfirmed;
      if (!options.signal?.aborted && !unconfirmed && !isRequestTimeout(error)) throw error;
      this.published += envelopes.length;
      this.sentUnconfirmed += envelopes.length;
      const settled = publishing.then(
        () => undefined,
        () => undefined,
      );
      this.abandoned.add(settled);
      void settled.then(() => this.abandoned.delete(settled));
      // Whatever the producer still holds is dropped; its requests may yet reach the broker.
      void this.publisher.close();
      // One message whichever gave up first, the run's end or kafkajs' own request timeout.
      if (!options.signal?.aborted && unconfirmed) throw error;
      const why = options.signal?.aborted
        ? describeError(options.signal.reason)
        : `Kafka did not answer within its request timeout`;
      throw new KafkaTimeoutError(`${envelopes.length} envelope(s) sent, not confirmed: ${why}`, true, {
        cause: error,
      });
    }
    this.published += outcome.published;
    return outcome;
  }

  get unwritten(): number {
    return this.published;
  }

  get unconfirmed(): number {
    return this.sentUnconfirmed;
  }

  private async raiseTargetsToEndOfTopic(): Promise<void> {
    for (const { partition, high, low } of await this.admin.fetchTopicOffsets(this.options.topic)) {
      // An empty partition (or one emptied by retention) has nothing to wait for.
      if (Number(high) > Number(low))
        this.targets.set(partition, Math.max(this.targets.get(partition) ?? 0, Number(high)));
    }
  }

  /**
   * Waits until the writer's group committed everything published, or gives up with a
   * {@link KafkaError}: after `drainTimeoutMs`, or at once when `signal` aborts (its reason).
   */
  async drain(options: WaitOptions = {}): Promise<BatchWriteResult[]> {
    const { topic } = this.options;
    const groupId = this.options.groupId ?? 'seoul-population-writer';
    const timeoutMs = this.options.drainTimeoutMs ?? 120_000;
    const signal = AbortSignal.any([
      deadlineSignal(
        timeoutMs,
        () =>
          new KafkaTimeoutError(
            `the writer has not caught up with topic "${topic}" within ${timeoutMs / 1000} s`,
            false,
          ),
      ),
      ...(options.signal ? [options.signal] : []),
    ]);
    // A writer that is slow is waited on for drainTimeoutMs; a broker that does not answer a
    // request, only for the answer time (the start's recovery has no run deadline of its own).
    const answerMs = this.options.openTimeoutMs ?? 15_000;
    const answered = <T>(request: Promise<T>): Promise<T> =>
      within(request, answerMs, () => silentBroker(this.options.brokers, answerMs), signal);
    if (this.abandoned.size > 0) {
      // What an abandoned publish delivered, late, is part of what must be written.
      await untilAborted(Promise.all(this.abandoned), signal);
      await answered(this.raiseTargetsToEndOfTopic());
    }
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
      const [offsets] = await answered(this.admin.fetchOffsets({ groupId, topics: [topic] }));
      const committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const behind = [...this.targets].filter(
        ([partition, target]) => (committed.get(partition) ?? -1) < target,
      );
      if (behind.length === 0) break;
      await pause(50, signal).catch((error: unknown) => {
        const where = behind.map(([p, t]) => `${p}: ${committed.get(p) ?? -1}/${t}`).join(', ');
        throw new KafkaError(`${describeError(error)} (partition: committed/published ${where})`, {
          cause: error,
        });
      });
    }
    this.published = 0;
    this.sentUnconfirmed = 0;
    return this.results.splice(0);
  }

  /**
   * A fresh consumer after one gave up on a batch. Not awaited to the end: joining the group needs
   * a broker that answers, and the caller must not wait on one that does not.
   */
  private async restartEmulator(): Promise<void> {
    await this.emulator.stop(CLOSE_TIMEOUT_MS);
    const fresh = this.newEmulator();
    this.emulator = fresh;
    fresh.start().catch((error: unknown) => {
      this.options.log.error('writer consumer could not restart', { error: describeError(error) });
    });
  }

  /** Leaves the broker; bounded, since a broker that does not answer would hold every client's goodbye. */
  async close(): Promise<void> {
    const leaving = Promise.allSettled([
      this.emulator.stop(CLOSE_TIMEOUT_MS),
      this.publisher.close(),
      this.admin.disconnect(),
    ]);
    await untilAborted(
      leaving,
      deadlineSignal(CLOSE_TIMEOUT_MS, () => new Error('late')),
    ).catch(() => {
      this.options.log.warn('Kafka clients did not disconnect in time; abandoned', {
        timeoutMs: CLOSE_TIMEOUT_MS,
      });
    });
  }
}

/** Aborts when the broker has had `openTimeoutMs` (15 s) to answer and has not. */
function answerDeadline(options: KafkaTransportOptions): AbortSignal {
  const ms = options.openTimeoutMs ?? 15_000;
  return deadlineSignal(ms, () => silentBroker(options.brokers, ms));
}

function silentBroker(brokers: readonly string[], ms: number): KafkaTimeoutError {
  return new KafkaTimeoutError(
    `Kafka at ${brokers.join(',')} did not answer within ${ms / 1000} s (it accepts connections but does not respond: paused, or traffic dropped)`,
    false,
  );
}

/** kafkajs gave up waiting for an answer to a request it had sent: the broker may have acted on it. */
function isRequestTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current.name === 'KafkaJSRequestTimeoutError' || /Request .* timed out/.test(current.message))
      return true;
    const inner = current as { originalError?: unknown; cause?: unknown };
    current = inner.originalError ?? inner.cause;
  }
  return false;
}
