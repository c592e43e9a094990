import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { KafkaError } from '../../lambdas/core/kafka/kafka-error.js';
import type { RunSummary } from '../../lambdas/core/run-summary.js';
import { recordAs } from '../access/recorder.js';
import { lambdaContext } from '../support/lambda-context.js';
import { closedPort } from '../support/net.js';
import { createBucket, createGlueTables, createSecret } from './support/aws.js';
import { capturingEmf, uniqueName } from './support/environment.js';
import { MskApiEmulator } from './support/msk-api-emulator.js';

/**
 * On AWS the fetcher knows its cluster only by ARN (MSK_CLUSTER_ARN): it asks the MSK API for the
 * IAM bootstrap brokers, then connects over TLS with SASL/IAM. Here the MSK API is an emulator
 * (moto has no GetBootstrapBrokers) that answers with an address nothing listens on, so the run
 * fails at publish, as a run with MSK down does, after the look-up the access proof must cover.
 */
describe('fetcher on an MSK cluster ARN', () => {
  const KEY = 'msk-bootstrap-key';
  const clusterArn = `arn:aws:kafka:ap-northeast-2:123456789012:cluster/seoul-${uniqueName('c')}/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab-s2`;
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  const bucket = uniqueName('lake');
  const database = uniqueName('seoul').replace(/-/g, '_');
  let msk: MskApiEmulator;

  before(async () => {
    const baseUrl = await simulator.start();
    msk = new MskApiEmulator(clusterArn, `127.0.0.1:${await closedPort()}`);
    const mskEndpoint = await msk.start();
    await createBucket(bucket);
    await createGlueTables(database, bucket, '');
    delete process.env.KAFKA_BROKERS;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_KAFKA: mskEndpoint,
      MSK_CLUSTER_ARN: clusterArn,
      KAFKA_TOPIC: 'seoul.citydata_ppltn',
      SEOUL_API_KEY_SECRET_ARN: await createSecret(uniqueName('seoul-api-key'), KEY),
      SEOUL_API_BASE_URL: baseUrl,
      PLACES: 'POI001,POI009',
      LAKE_BUCKET: bucket,
      GLUE_DATABASE: database,
      LOG_LEVEL: 'CRITICAL',
    });
  });
  after(async () => {
    await msk.stop();
    await simulator.stop();
  });

  it('looks up the IAM bootstrap brokers of its cluster, then fails the run naming the cluster', async () => {
    const { handler } = await import('../../lambdas/fetcher/handler.js');
    const run = await capturingEmf<RunSummary>(() =>
      recordAs({ as: 'function', handler: 'fetcher', kafkaCluster: 'env:MSK_CLUSTER_ARN' }, () =>
        handler({ time: '2026-07-16T14:20:00Z' }, lambdaContext('fetcher')),
      ),
    );
    assert.deepEqual(msk.asked, [clusterArn], 'one look-up, for the configured cluster');
    assert.ok(run.error instanceof KafkaError, String(run.error));
    assert.match(
      (run.error as Error).message,
      new RegExp(`cannot publish 2 envelope\\(s\\) .* at ${clusterArn}`),
    );
    assert.ok(!(run.error as Error).message.includes(KEY));
  });
});
