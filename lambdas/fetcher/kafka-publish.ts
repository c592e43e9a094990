import type { Kafka } from 'kafkajs';
import { deadlineSignal, untilAborted } from '../core/deadline.js';
import type { Envelope } from '../core/envelope.js';
import { describeError } from '../core/errors.js';
import {
  createKafka,
  type KafkaEndpoint,
  type KafkaLocation,
  resolveKafkaEndpoint,
} from '../core/kafka/connection.js';
import { KafkaTimeoutError } from '../core/kafka/kafka-error.js';
import { EnvelopePublisher } from '../core/kafka/publisher.js';
import type { Log } from '../core/logger.js';
import type { PublishOutcome } from '../core/publish-run.js';

/** How long a publish's goodbye may take: a broker that does not answer would hold it. */
const CLOSE_TIMEOUT_MS = 1_000;

export interface PublishWait {
  /** The run's finish line: when it aborts, the publish is given up (its reason says why). */
  readonly signal?: AbortSignal;
}

/**
 * The fetcher's `publish`: the MSK bootstrap brokers are looked up once per container (a failed
 * look-up is not kept), and each run connects, publishes and closes: runs are minutes apart, and
 * the broker would close an idle connection anyway. Resolves with what was acknowledged and refused.
 * A broker that stops answering (paused, traffic dropped) is given up when `signal` aborts, with a
 * {@link KafkaTimeoutError} marked `unconfirmed`: the records were sent and the broker may still
 * take them.
 */
export function kafkaPublish(
  location: KafkaLocation,
  topic: string,
  log: Log,
  /** The client for the endpoint (tests route it through a network they control). */
  kafkaFor: (endpoint: KafkaEndpoint) => Kafka = (endpoint) =>
    createKafka(endpoint, { clientId: 'seoul-population-fetcher', log }),
): (envelopes: readonly Envelope[], wait?: PublishWait) => Promise<PublishOutcome> {
  let publisher: Promise<EnvelopePublisher> | undefined;
  const publisherFor = (): Promise<EnvelopePublisher> => {
    publisher ??= resolveKafkaEndpoint(location).then(
      (endpoint) =>
        new EnvelopePublisher({
          kafka: kafkaFor(endpoint),
          topic,
          log,
          target: location.clusterArn ?? endpoint.brokers.join(','),
        }),
    );
    publisher.catch(() => {
      publisher = undefined;
    });
    return publisher;
  };
  return async (envelopes, { signal } = {}) => {
    const target = await untilAborted(publisherFor(), signal);
    try {
      return await untilAborted(target.publish(envelopes), signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
      throw new KafkaTimeoutError(
        `${envelopes.length} envelope(s) sent, not confirmed: ${describeError(signal.reason)}`,
        true,
      );
    } finally {
      // Closing also ends a publish given up on (its requests may still reach the broker).
      await untilAborted(
        target.close(),
        deadlineSignal(CLOSE_TIMEOUT_MS, () => new Error('late')),
      ).catch(() => undefined);
    }
  };
}
