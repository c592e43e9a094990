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

/**
 * Kafka did not answer in time: a broker paused, or a network that drops traffic. When what was
 * waited for was a publish, the broker may still take the records once it answers again, so
 * `unconfirmed` says the outcome of the records sent is unknown, not failed.
 */
export class KafkaTimeoutError extends KafkaError {
  constructor(
    message: string,
    readonly unconfirmed: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
