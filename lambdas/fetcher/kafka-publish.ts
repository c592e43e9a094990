import type { Envelope } from '../core/envelope.js';
import { createKafka, type KafkaLocation, resolveKafkaEndpoint } from '../core/kafka/connection.js';
import { EnvelopePublisher } from '../core/kafka/publisher.js';
import type { Log } from '../core/logger.js';
import type { PublishOutcome } from '../core/publish-run.js';

/**
 * The fetcher's `publish`: the MSK bootstrap brokers are looked up once per container (a failed
 * look-up is not kept), and each run connects, publishes and closes: runs are minutes apart, and
 * the broker would close an idle connection anyway. Resolves with what was acknowledged and refused.
 */
export function kafkaPublish(
  location: KafkaLocation,
  topic: string,
  log: Log,
): (envelopes: readonly Envelope[]) => Promise<PublishOutcome> {
  let publisher: Promise<EnvelopePublisher> | undefined;
  const publisherFor = (): Promise<EnvelopePublisher> => {
    publisher ??= resolveKafkaEndpoint(location).then(
      (endpoint) =>
        new EnvelopePublisher({
          kafka: createKafka(endpoint, { clientId: 'seoul-population-fetcher', log }),
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
  return async (envelopes) => {
    const target = await publisherFor();
    try {
      return await target.publish(envelopes);
    } finally {
      await target.close();
    }
  };
}
