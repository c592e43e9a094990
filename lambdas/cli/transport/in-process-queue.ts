import { randomBytes } from 'node:crypto';
import { DEFAULT_TOPIC, type Envelope, toMessage } from '../../core/envelope.js';
import { describeError } from '../../core/errors.js';
import type { Log } from '../../core/logger.js';
import type { PublishOutcome } from '../../core/publish-run.js';
import type { SourceRecord } from '../../core/source-record.js';
import type { BatchWriteResult } from '../../core/writers/lake-writer.js';
import type { Transport } from './transport.js';

export interface InProcessQueueOptions {
  /** Hands a batch to the writer; a rejection means the batch is delivered again. */
  readonly deliver: (batch: SourceRecord[]) => Promise<BatchWriteResult>;
  readonly log: Log;
  /** Records per delivered batch, like the MSK event source mapping's batch size. @default 100 */
  readonly batchSize?: number;
  /** Deliveries of one batch before giving up (the records stay queued). @default 3 */
  readonly maxDeliveries?: number;
  readonly topic?: string;
}

/**
 * The embedded default between fetcher and writer: an in-memory, single-partition log with
 * offsets and at-least-once delivery. Its source name carries the process start time and a random
 * suffix, so files written by two processes never share a name, while a redelivered batch within
 * one process keeps its own names.
 *
 * It holds only the records not delivered yet: a delivered batch is written to the lake, and
 * keeping it would grow the process by every answer it ever carried (half a megabyte a run: a
 * `demo --days 90` reached gigabytes before its report).
 */
export class InProcessQueue implements Transport {
  readonly description: string;
  readonly keepsRecords = false;
  /** The records not delivered yet, oldest first. */
  private readonly queued: SourceRecord[] = [];
  /** The offset the next published record gets: offsets keep counting as delivered ones leave. */
  private nextOffset = 0;
  private readonly sourceName: string;

  constructor(private readonly options: InProcessQueueOptions) {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    this.sourceName = `inproc-${options.topic ?? DEFAULT_TOPIC}-${stamp}-${randomBytes(2).toString('hex')}`;
    this.description = 'in-process queue';
  }

  async publish(envelopes: readonly Envelope[]): Promise<PublishOutcome> {
    for (const envelope of envelopes) {
      const message = toMessage(envelope);
      this.queued.push({
        topic: this.sourceName,
        partition: 0,
        offset: this.nextOffset++,
        timestamp: Date.now(),
        key: Buffer.from(message.key, 'utf8'),
        value: message.value,
        headers: message.headers,
      });
    }
    return { published: envelopes.length, refused: [] };
  }

  get pending(): number {
    return this.queued.length;
  }

  get unwritten(): number {
    return this.pending;
  }

  /** The queue is this process: what it holds is known. */
  readonly unconfirmed = 0;

  async drain(): Promise<BatchWriteResult[]> {
    const results: BatchWriteResult[] = [];
    const batchSize = this.options.batchSize ?? 100;
    const maxDeliveries = this.options.maxDeliveries ?? 3;
    while (this.queued.length > 0) {
      const batch = this.queued.slice(0, batchSize);
      for (let delivery = 1; ; delivery++) {
        try {
          results.push(await this.options.deliver(batch));
          break;
        } catch (error) {
          this.options.log.error('batch delivery failed', {
            firstOffset: batch[0]?.offset,
            records: batch.length,
            delivery,
            error: describeError(error),
          });
          if (delivery >= maxDeliveries) throw error;
        }
      }
      this.queued.splice(0, batch.length);
    }
    return results;
  }

  async close(): Promise<void> {}
}
