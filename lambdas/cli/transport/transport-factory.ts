import type { Log } from '../../core/logger.js';
import type { SourceRecord } from '../../core/source-record.js';
import type { BatchWriteResult } from '../../core/writers/lake-writer.js';
import { InProcessQueue } from './in-process-queue.js';
import { KafkaTransport } from './kafka-transport.js';
import type { Transport } from './transport.js';

export interface TransportChoice {
  readonly kafkaBrokers?: readonly string[];
  readonly topic: string;
  readonly deliver: (batch: SourceRecord[]) => Promise<BatchWriteResult>;
  readonly log: Log;
  /**
   * The Kafka consumer group of the writer. One group per lake: two lakes sharing a group would
   * split the topic's records between them. @default 'seoul-population-writer'
   */
  readonly groupId?: string;
}

/** The in-process queue unless `KAFKA_BROKERS` names a Kafka cluster. */
export async function createTransport(choice: TransportChoice): Promise<Transport> {
  if (!choice.kafkaBrokers)
    return new InProcessQueue({ deliver: choice.deliver, log: choice.log, topic: choice.topic });
  return KafkaTransport.open({
    brokers: choice.kafkaBrokers,
    topic: choice.topic,
    deliver: choice.deliver,
    log: choice.log,
    ...(choice.groupId ? { groupId: choice.groupId } : {}),
  });
}
