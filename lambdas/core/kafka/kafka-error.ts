import { PipelineError } from '../errors.js';

/**
 * Kafka could not be reached or refused an operation (connect, produce, create a topic, find the
 * cluster's brokers). The message says what was attempted and where; the kafkajs error is the `cause`.
 */
export class KafkaError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KAFKA', message, options);
  }
}
