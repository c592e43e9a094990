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
  /** Publishes a run's envelopes; resolves once they are queued, saying which were refused. */
  publish(envelopes: readonly Envelope[]): Promise<PublishOutcome>;
  /** Resolves when everything published so far is written to the lake, with what was written. */
  drain(): Promise<BatchWriteResult[]>;
  close(): Promise<void>;
}
