import type { Envelope } from '../../core/envelope.js';
import type { PublishOutcome } from '../../core/publish-run.js';
import type { BatchWriteResult } from '../../core/writers/lake-writer.js';

/**
 * The seam between the fetcher and the writer in a local run: the in-process queue by default,
 * or a real Kafka topic (with the MSK event-source emulator feeding the writer) when
 * `KAFKA_BROKERS` is set. Both deliver at least once and write through the same writer core.
 */
export interface Transport {
  /** Says where messages go, for the run header. */
  readonly description: string;
  /** Whether published records outlive this process (Kafka), or go with it (the in-process queue). */
  readonly keepsRecords: boolean;
  /**
   * Publishes a run's envelopes; resolves once they are queued, saying which were refused. Kafka
   * gives up when `signal` aborts (the run's end): a `KafkaTimeoutError` with `unconfirmed` set.
   */
  publish(envelopes: readonly Envelope[], options?: WaitOptions): Promise<PublishOutcome>;
  /**
   * Resolves when everything published so far is written to the lake, with what was written. Kafka
   * gives up when `signal` aborts; the in-process queue's writer is this process, bounded by the disk.
   */
  drain(options?: WaitOptions): Promise<BatchWriteResult[]>;
  /** Answers published and not yet confirmed in the lake by a `drain()` (Kafka keeps them). */
  readonly unwritten: number;
  /** Of those, the ones sent to a broker that never confirmed them: it may or may not hold them. */
  readonly unconfirmed: number;
  close(): Promise<void>;
}

export interface WaitOptions {
  /** Aborted when the caller stops waiting; its reason is the error to throw. */
  readonly signal?: AbortSignal;
}
