import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { createKafka } from '../../lambdas/core/kafka/connection.js';
import { KafkaError } from '../../lambdas/core/kafka/kafka-error.js';
import { EnvelopePublisher } from '../../lambdas/core/kafka/publisher.js';
import { METRIC } from '../../lambdas/core/metric-names.js';
import type { RunSummary } from '../../lambdas/core/run-summary.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import {
  fetcherSettingsFromEnv,
  runScheduledCollection,
} from '../../lambdas/fetcher/scheduled-collection.js';
import { lambdaContext } from '../support/lambda-context.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';
import { closedPort } from '../support/net.js';
import { createBucket, createSecret, listKeys } from './support/aws.js';
import { capturingEmf, emfValue, uniqueName } from './support/environment.js';

/**
 * Kafka unreachable at publish: the run fails with a clear error, and its places are recorded as
 * failed with that reason (none is reported as collected, none is left without an outcome).
 */
describe('broker down at publish', () => {
  const KEY = 'broker-down-key';
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  const bucket = uniqueName('lake');
  let baseUrl: string;
  let deadBroker: string;

  before(async () => {
    baseUrl = await simulator.start();
    deadBroker = `127.0.0.1:${await closedPort()}`;
    await createBucket(bucket);
  });
  after(() => simulator.stop());

  it('fails the fetcher core with the broker and topic named, records its places failed and reports a failed run', async () => {
    const log = new MemoryLog();
    const metrics = new MemoryMetrics();
    const kafka = createKafka(
      { brokers: [deadBroker], auth: { kind: 'plain' } },
      { clientId: 'test', log, retries: 2, connectionTimeoutMs: 500 },
    );
    const publisher = new EnvelopePublisher({
      kafka,
      topic: 'seoul.citydata_ppltn',
      log,
      target: deadBroker,
    });
    const started = Date.now();
    await assert.rejects(
      runScheduledCollection(
        { time: '2026-07-16T14:20:00Z' },
        {
          settings: {
            ...fetcherSettingsFromEnv({ SEOUL_API_BASE_URL: baseUrl, PLACES: 'POI001,POI009,POI072' }),
          },
          apiKey: async () => KEY,
          publish: (envelopes) => publisher.publish(envelopes),
          store: new S3ObjectStore(new S3Client({}), bucket, 'core/'),
          log,
          metrics,
        },
      ),
      (error: unknown) => {
        assert.ok(error instanceof KafkaError, String(error));
        assert.match(
          error.message,
          new RegExp(
            `^cannot publish 3 envelope\\(s\\) to topic "seoul.citydata_ppltn" at ${deadBroker}: .*ECONNREFUSED`,
          ),
        );
        return true;
      },
    );
    assert.ok(Date.now() - started < 30_000, 'retries are bounded');
    const keys = await listKeys(bucket, 'core/');
    assert.equal(keys.length, 1, 'one collection_outcomes file');
    assert.match(
      keys[0] as string,
      /^core\/collection_outcomes\/year=2026\/month=07\/day=16\/hour=23\/minute=20\//,
    );
    assert.equal(metrics.value(METRIC.runsFailed), 1);
    assert.equal(metrics.value(METRIC.runs), undefined);
    assert.equal(metrics.value(METRIC.recordsPublished), undefined);
  });

  it('fails the fetcher handler the same way, with RunsFailed in its metrics', async () => {
    Object.assign(process.env, {
      SEOUL_API_KEY_SECRET_ARN: await createSecret(uniqueName('seoul-api-key'), KEY),
      SEOUL_API_BASE_URL: baseUrl,
      KAFKA_BROKERS: deadBroker,
      PLACES: 'POI001,POI009',
      LAKE_BUCKET: bucket,
      LOG_LEVEL: 'CRITICAL',
    });
    const { handler } = await import('../../lambdas/fetcher/handler.js');
    const run = await capturingEmf<RunSummary>(() =>
      handler({ time: '2026-07-16T14:20:00Z' }, lambdaContext('fetcher')),
    );
    assert.ok(run.error instanceof KafkaError, String(run.error));
    assert.match(
      (run.error as Error).message,
      new RegExp(`cannot publish 2 envelope\\(s\\) to topic "seoul.citydata_ppltn" at ${deadBroker}`),
    );
    assert.ok(!(run.error as Error).message.includes(KEY));
    assert.equal(emfValue(run.emf, 'RunsFailed'), 1);
    assert.equal(emfValue(run.emf, 'Runs'), undefined);
    // The handler writes at the bucket's root (no LAKE_PREFIX); the core run above wrote under core/.
    const keys = await listKeys(bucket, 'collection_outcomes/');
    assert.equal(keys.length, 1);
  });
});
