import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { KafkaClient } from '@aws-sdk/client-kafka';
import {
  clearBootstrapBrokerCache,
  iamBootstrapBrokers,
} from '../../lambdas/core/kafka/bootstrap-brokers.js';
import {
  kafkaLocationFromEnv,
  parseBrokerList,
  regionOfArn,
  resolveKafkaEndpoint,
} from '../../lambdas/core/kafka/connection.js';
import { KafkaError } from '../../lambdas/core/kafka/kafka-error.js';

const CLUSTER_ARN =
  'arn:aws:kafka:ap-northeast-2:123456789012:cluster/seoul-population/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-s2';

/**
 * moto does not implement GetBootstrapBrokers (it answers 404), so this call is covered by a
 * response of the shape the MSK API reference documents for `GET /v1/clusters/{clusterArn}/bootstrap-brokers`
 * on an MSK Serverless cluster with IAM: one `boot-…kafka-serverless…:9098` address.
 */
const RECORDED_RESPONSE = {
  bootstrapBrokerStringSaslIam: 'boot-0f1e2d3c.c2.kafka-serverless.ap-northeast-2.amazonaws.com:9098',
};

interface SeenRequest {
  method: string;
  path: string;
}

/** A real KafkaClient whose HTTP layer answers from a recording instead of the network. */
function recordedClient(status: number, body: unknown, seen: SeenRequest[]): KafkaClient {
  return new KafkaClient({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'fake' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { method: string; path: string }) => {
        seen.push({ method: request.method, path: request.path });
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'recorded' },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        };
      },
    } as never,
  });
}

describe('MSK bootstrap brokers', () => {
  afterEach(() => clearBootstrapBrokerCache());

  it('reads the IAM bootstrap brokers of the cluster from GetBootstrapBrokers', async () => {
    const seen: SeenRequest[] = [];
    const brokers = await iamBootstrapBrokers(recordedClient(200, RECORDED_RESPONSE, seen), CLUSTER_ARN);
    assert.deepEqual(brokers, ['boot-0f1e2d3c.c2.kafka-serverless.ap-northeast-2.amazonaws.com:9098']);
    assert.deepEqual(seen, [
      { method: 'GET', path: `/v1/clusters/${encodeURIComponent(CLUSTER_ARN)}/bootstrap-brokers` },
    ]);
  });

  it('asks once per container and cluster, and again after a failure', async () => {
    const seen: SeenRequest[] = [];
    const client = recordedClient(200, RECORDED_RESPONSE, seen);
    await iamBootstrapBrokers(client, CLUSTER_ARN);
    await iamBootstrapBrokers(client, CLUSTER_ARN);
    assert.equal(seen.length, 1);

    clearBootstrapBrokerCache();
    const failing: SeenRequest[] = [];
    const denied = recordedClient(
      403,
      { message: 'User is not authorized to perform: kafka:GetBootstrapBrokers' },
      failing,
    );
    await assert.rejects(iamBootstrapBrokers(denied, CLUSTER_ARN), (error: unknown) => {
      assert.ok(error instanceof KafkaError);
      assert.match(
        error.message,
        new RegExp(
          `cannot get the bootstrap brokers of MSK cluster ${CLUSTER_ARN.replace(/[/.]/g, '\\$&')}: .*not authorized`,
        ),
      );
      return true;
    });
    await assert.rejects(iamBootstrapBrokers(denied, CLUSTER_ARN));
    assert.equal(failing.length, 2, 'a failed look-up must not be cached');
  });

  it('says so when the cluster has no IAM listener', async () => {
    const client = recordedClient(
      200,
      { bootstrapBrokerStringTls: 'b-1.x.kafka.ap-northeast-2.amazonaws.com:9094' },
      [],
    );
    await assert.rejects(
      iamBootstrapBrokers(client, CLUSTER_ARN),
      /has no IAM bootstrap brokers .*turn on IAM client authentication/,
    );
  });

  it('resolves an MSK location to IAM auth in the cluster region, and local brokers to plain text', async () => {
    const seen: SeenRequest[] = [];
    const endpoint = await resolveKafkaEndpoint(
      { clusterArn: CLUSTER_ARN },
      { kafkaClient: () => recordedClient(200, RECORDED_RESPONSE, seen) },
    );
    assert.deepEqual(endpoint, {
      brokers: [RECORDED_RESPONSE.bootstrapBrokerStringSaslIam],
      auth: { kind: 'iam', region: 'ap-northeast-2' },
    });
    assert.deepEqual(await resolveKafkaEndpoint({ brokers: ['127.0.0.1:9092'], clusterArn: CLUSTER_ARN }), {
      brokers: ['127.0.0.1:9092'],
      auth: { kind: 'plain' },
    });
    await assert.rejects(resolveKafkaEndpoint({}), /set KAFKA_BROKERS .* or MSK_CLUSTER_ARN/);
  });

  it('reads the location from the environment: KAFKA_BROKERS first, then MSK_CLUSTER_ARN', () => {
    assert.deepEqual(
      kafkaLocationFromEnv({
        KAFKA_BROKERS: ' 127.0.0.1:9092, localhost:9093 ',
        MSK_CLUSTER_ARN: CLUSTER_ARN,
      }),
      {
        brokers: ['127.0.0.1:9092', 'localhost:9093'],
      },
    );
    assert.deepEqual(kafkaLocationFromEnv({ KAFKA_BROKERS: '', MSK_CLUSTER_ARN: CLUSTER_ARN }), {
      clusterArn: CLUSTER_ARN,
    });
    assert.deepEqual(kafkaLocationFromEnv({}), {});
    assert.throws(() => parseBrokerList('127.0.0.1'), /KAFKA_BROKERS must be host:port/);
    assert.equal(regionOfArn(CLUSTER_ARN), 'ap-northeast-2');
    assert.throws(() => regionOfArn('cluster/x'), /not an ARN/);
  });
});
