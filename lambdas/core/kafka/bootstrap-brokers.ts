import { GetBootstrapBrokersCommand, type KafkaClient } from '@aws-sdk/client-kafka';
import { KafkaError } from './kafka-error.js';

/**
 * Bootstrap brokers found per cluster ARN, kept for the life of the container: the brokers of a
 * cluster do not change between invocations, and the control-plane call costs ~100 ms and counts
 * against an API rate limit. A failed look-up is not kept, so the next invocation tries again.
 */
const cache = new Map<string, Promise<string[]>>();

/**
 * The IAM (SASL/IAM, TLS, port 9098) bootstrap brokers of an MSK cluster, from `GetBootstrapBrokers`.
 * MSK Serverless exposes no broker addresses to CloudFormation, so this is the only way to find them.
 */
export function iamBootstrapBrokers(
  client: Pick<KafkaClient, 'send'>,
  clusterArn: string,
): Promise<string[]> {
  let brokers = cache.get(clusterArn);
  if (!brokers) {
    brokers = lookUp(client, clusterArn);
    cache.set(clusterArn, brokers);
    brokers.catch(() => cache.delete(clusterArn));
  }
  return brokers;
}

/** Forgets every cached look-up (tests). */
export function clearBootstrapBrokerCache(): void {
  cache.clear();
}

async function lookUp(client: Pick<KafkaClient, 'send'>, clusterArn: string): Promise<string[]> {
  let answer: { BootstrapBrokerStringSaslIam?: string };
  try {
    answer = await client.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  } catch (error) {
    throw new KafkaError(
      `cannot get the bootstrap brokers of MSK cluster ${clusterArn}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const brokers = (answer.BootstrapBrokerStringSaslIam ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) {
    throw new KafkaError(
      `MSK cluster ${clusterArn} has no IAM bootstrap brokers (BootstrapBrokerStringSaslIam is empty): ` +
        'turn on IAM client authentication on the cluster',
    );
  }
  return brokers;
}
