import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { describeError } from '../../core/errors.js';
import type { Log } from '../../core/logger.js';
import { encodeMskEvent, type MskEvent } from '../../core/msk-event.js';
import { sleep } from '../../core/retry.js';
import type { SourceRecord } from '../../core/source-record.js';

/** Lambda's synchronous invocation payload limit, which also bounds an MSK event. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

export interface EmulatorOptions<T> {
  readonly kafka: Kafka;
  readonly topic: string;
  /** The consumer group; committed offsets survive restarts, as the event source mapping's do. */
  readonly groupId: string;
  /** The function: the writer handler's core. Its rejection means "deliver this batch again". */
  readonly handler: (event: MskEvent) => Promise<T>;
  readonly log: Log;
  /** Records per event at most, like the mapping's `BatchSize`. @default 100 */
  readonly batchSize?: number;
  /**
   * How long a fetch may wait for records to gather, like `MaximumBatchingWindowInSeconds`
   * (500 ms by default for MSK). The broker holds the fetch until about 1 MB is ready or the
   * window has passed, so a run's records arrive as full batches rather than one by one.
   * @default 500
   */
  readonly batchingWindowMs?: number;
  /**
   * Deliveries of one batch before the emulator gives up on it and stops consuming the partition,
   * leaving its offset uncommitted (the records are delivered again after a restart). Lambda's
   * default retries forever and blocks the partition likewise. @default Infinity
   */
  readonly maxDeliveries?: number;
  /** Wait before delivery n+1 of a failed batch. @default 200 ms doubling up to 5 s */
  readonly retryDelayMs?: (delivery: number) => number;
  /** Shown as the events' `eventSourceArn`. */
  readonly eventSourceArn?: string;
  /** Called after every successful invocation, before its offsets are committed. */
  readonly onResult?: (result: T, event: MskEvent) => void;
}

/**
 * Plays the part of Lambda's MSK event source mapping on one machine: a kafkajs consumer reads
 * the topic, forms MSK-shaped events (records keyed `topic-partition`, base64 key and value,
 * headers as byte arrays) of at most `batchSize` records, invokes the handler, and commits the
 * offsets only after it succeeded. A failed invocation is retried with the very same event;
 * nothing is skipped. Events hold one partition each, a shape Lambda also sends.
 */
export class MskEventSourceEmulator<T> {
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Cuts short the wait between deliveries when the emulator stops. */
  private readonly stopSignal = new AbortController();
  private failed: Error | undefined;
  /** Events handed to the handler, retries included. */
  invocations = 0;

  constructor(private readonly options: EmulatorOptions<T>) {}

  /** The error that made the emulator give up on a batch, if any. */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** Joins the consumer group and starts delivering; resolves once partitions are assigned. */
  async start(): Promise<void> {
    const { kafka, topic, groupId } = this.options;
    const window = this.options.batchingWindowMs ?? 500;
    const consumer = kafka.consumer({
      groupId,
      minBytes: 1024 * 1024,
      maxWaitTimeInMs: window,
      maxBytesPerPartition: MAX_EVENT_BYTES,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // kafkajs restarts a crashed consumer on its own, also after stop(): that consumer would
      // hold the process (and the group's partitions) forever. Restart only while running.
      retry: { retries: 5, restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopping) {
        this.failed = payload.error;
        this.options.log.error('event source consumer crashed', { error: describeError(payload.error) });
      }
    });
    // stop() may come while this start is on its way (a transport that closes right after it
    // restarted its writer): each step that would connect again first checks, or the consumer
    // would stay connected after the stop, holding the process and the group's partitions.
    const stopped = async () => {
      if (!this.stopping) return false;
      await consumer.stop().catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
      return true;
    };
    await consumer.connect();
    if (await stopped()) return;
    // Like the mapping's StartingPosition TRIM_HORIZON: a new group reads the topic from its start.
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    if (await stopped()) return;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) => {
        const records = batch.messages.map((message) =>
          sourceRecordOf(batch.topic, batch.partition, message),
        );
        for (const chunk of chunks(records, this.options.batchSize ?? 100)) {
          if (!isRunning() || isStale() || this.stopping) return;
          const event = encodeMskEvent(chunk, {
            eventSourceArn:
              this.options.eventSourceArn ?? 'arn:aws:kafka:local:000000000000:cluster/local-emulator/0',
          });
          const delivered = await this.deliver(event, heartbeat);
          if (!delivered) {
            // Given up or stopping: leave the offset where it is, so these records come again.
            if (!this.stopping) pause();
            return;
          }
          const last = chunk[chunk.length - 1] as SourceRecord;
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(last.offset + 1) },
          ]);
          resolveOffset(String(last.offset));
          await heartbeat();
        }
      },
    });
    if (await stopped()) return;
    await joined;
  }

  /** Invokes the handler until it succeeds; false when the emulator gave up or is stopping. */
  private async deliver(event: MskEvent, heartbeat: () => Promise<void>): Promise<boolean> {
    const maxDeliveries = this.options.maxDeliveries ?? Number.POSITIVE_INFINITY;
    const delay =
      this.options.retryDelayMs ?? ((delivery: number) => Math.min(5_000, 200 * 2 ** (delivery - 1)));
    for (let delivery = 1; !this.stopping; delivery++) {
      this.invocations++;
      try {
        const result = await this.options.handler(event);
        this.options.onResult?.(result, event);
        return true;
      } catch (error) {
        const group = Object.keys(event.records)[0];
        const firstOffset = event.records[group as string]?.[0]?.offset;
        this.options.log.error('batch delivery failed', {
          group,
          firstOffset,
          delivery,
          error: describeError(error),
        });
        if (delivery >= maxDeliveries) {
          this.failed = new Error(
            `gave up on the batch of ${group} from offset ${firstOffset} after ${delivery} deliveries: ${describeError(error)}`,
            { cause: error },
          );
          return false;
        }
        await sleep(delay(delivery), this.stopSignal.signal).catch(() => undefined);
        if (!this.stopping) await heartbeat();
      }
    }
    return false;
  }

  /**
   * Stops after the invocation in progress; uncommitted records are delivered again next time.
   * Bounded: a consumer that cannot reach its broker to leave the group is abandoned after
   * `timeoutMs` (the broker frees its partitions when the session times out).
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    const leave = (async () => {
      await consumer.stop().catch(() => undefined);
      await consumer.disconnect().catch((error: unknown) => {
        this.options.log.debug('consumer disconnect failed', { error: describeError(error) });
      });
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([leave, late])) === 'late')
      this.options.log.warn('event source consumer did not stop in time; abandoned', { timeoutMs });
    clearTimeout(timer);
  }
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
}

function sourceRecordOf(topic: string, partition: number, message: KafkaMessage): SourceRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) headers[name] = text;
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers,
  };
}

/** Events of at most `size` records and about {@link MAX_EVENT_BYTES} (base64 grows bytes by 4/3). */
function* chunks(records: readonly SourceRecord[], size: number): Generator<SourceRecord[]> {
  let chunk: SourceRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const recordBytes = Math.ceil((((record.value?.length ?? 0) + (record.key?.length ?? 0)) * 4) / 3) + 256;
    if (chunk.length > 0 && (chunk.length >= size || bytes + recordBytes > MAX_EVENT_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += recordBytes;
  }
  if (chunk.length > 0) yield chunk;
}
