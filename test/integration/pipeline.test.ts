import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { MskEventSourceEmulator } from '../../lambdas/cli/transport/msk-event-source-emulator.js';
import type { MskEvent } from '../../lambdas/core/msk-event.js';
import { ALL_PLACES, findPlace, type Place } from '../../lambdas/core/places.js';
import type { RunSummary } from '../../lambdas/core/run-summary.js';
import type { TopicResourceEvent, TopicResourceResponse } from '../../lambdas/topic/topic-resource.js';
import { recordAs } from '../access/recorder.js';
import { lambdaContext } from '../support/lambda-context.js';
import { MemoryLog } from '../support/memory-log.js';
import {
  createBucket,
  createGlueTables,
  createSecret,
  gluePartitions,
  listKeys,
  readJsonLines,
  readParquetFromS3,
} from './support/aws.js';
import { capturingEmf, emfValue, integrationEnvironment, uniqueName } from './support/environment.js';
import { expectedForecastRows, expectedPopulationRow } from './support/expected-rows.js';
import { testKafka, waitUntilCommitted } from './support/kafka.js';

/**
 * Acceptance of the Kafka path: simulator → fetcher handler → real Kafka → MSK event-source
 * emulator → writer handler → S3 (moto) → Glue partitions (moto), with the handlers exactly as
 * Lambda runs them (configured by environment variables, AWS SDK clients, Powertools).
 */
describe('Kafka pipeline: fetcher → Kafka → writer → S3 → Glue', () => {
  const { brokers } = integrationEnvironment();
  const KEY = 'integration-simulator-key';
  const collectedAt = new Date('2026-07-16T14:20:00Z');
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  const bucket = uniqueName('lake');
  const prefix = ''; // the functions write at the bucket's root, as on AWS
  const database = uniqueName('seoul').replace(/-/g, '_');
  const topic = uniqueName('seoul.citydata_ppltn');
  const partition = 'year=2026/month=07/day=16/hour=23/minute=20';
  const kafka = testKafka();
  const admin = kafka.admin();
  let fetcher: (event: unknown) => Promise<RunSummary>;
  let writer: (event: MskEvent) => Promise<unknown>;
  let topicResource: (event: TopicResourceEvent) => Promise<TopicResourceResponse>;

  before(async () => {
    const baseUrl = await simulator.start();
    await createBucket(bucket);
    await createGlueTables(database, bucket, prefix);
    const secretArn = await createSecret(uniqueName('seoul-api-key'), KEY);
    Object.assign(process.env, {
      SEOUL_API_KEY_SECRET_ARN: secretArn,
      SEOUL_API_BASE_URL: baseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: topic,
      LAKE_BUCKET: bucket,
      GLUE_DATABASE: database,
      CONCURRENCY: '16',
      POWERTOOLS_SERVICE_NAME: 'seoul-population',
      POWERTOOLS_METRICS_NAMESPACE: 'SeoulPopulation',
      LOG_LEVEL: 'WARN',
    });
    // Imported only now: like on Lambda, the handlers read their environment when loaded.
    const fetcherHandler = (await import('../../lambdas/fetcher/handler.js')).handler;
    const writerHandler = (await import('../../lambdas/writer/handler.js')).handler;
    const topicHandler = (await import('../../lambdas/topic/handler.js')).handler;
    // Each handler runs as its function: the access proof simulates every AWS and Kafka call
    // recorded here against that function's role (test/access/).
    fetcher = (event) =>
      recordAs({ as: 'function', handler: 'fetcher', kafkaCluster: 'env:MSK_CLUSTER_ARN' }, () =>
        fetcherHandler(event, lambdaContext('fetcher')),
      );
    writer = (event) =>
      recordAs({ as: 'function', handler: 'writer' }, () => writerHandler(event, lambdaContext('writer')));
    topicResource = (event) =>
      recordAs(
        { as: 'function', handler: 'topic', kafkaCluster: 'resource:ClusterArn' },
        () => topicHandler(event, lambdaContext('topic')),
        {
          'resource:Topic': event.ResourceProperties.Topic,
          'resource:ClusterArn': event.ResourceProperties.ClusterArn,
        },
      );
    await admin.connect();
  });

  after(async () => {
    await admin.disconnect();
    await simulator.stop();
  });

  it('lands all 121 places in Parquet equal to the API answers, field by field, and registers the partition', async () => {
    const created = await topicResource({
      RequestType: 'Create',
      ResourceProperties: {
        ClusterArn: 'arn:aws:kafka:ap-northeast-2:123456789012:cluster/seoul/0f1e2d3c-s2',
        Topic: topic,
        NumPartitions: '3',
      },
    });
    assert.deepEqual(created.Data, { TopicName: topic, Partitions: '3', Created: 'true' });

    const fetched = await capturingEmf(() =>
      fetcher({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '2026-07-16T14:20:00Z',
        detail: {},
      }),
    );
    assert.equal(fetched.error, undefined, String(fetched.error));
    const summary = fetched.result as RunSummary;
    assert.deepEqual(summary.places, { asked: 121, ok: 121, noData: 0, failed: 0 });
    assert.equal(summary.published, 121);
    assert.equal(summary.collectedAt, collectedAt.toISOString());
    const fetcherMetrics = fetched.emf;
    assert.equal(fetcherMetrics[0]?._aws.CloudWatchMetrics[0]?.Namespace, 'SeoulPopulation');
    assert.deepEqual(fetcherMetrics[0]?._aws.CloudWatchMetrics[0]?.Dimensions, [['service']]);
    assert.equal(fetcherMetrics[0]?.service, 'seoul-population');
    assert.equal(emfValue(fetcherMetrics, 'PlacesOk'), 121);
    assert.equal(emfValue(fetcherMetrics, 'RecordsPublished'), 121);
    assert.equal(emfValue(fetcherMetrics, 'Runs'), 1);

    const groupId = uniqueName('writer');
    const events: MskEvent[] = [];
    const emulator = new MskEventSourceEmulator({
      kafka,
      topic,
      groupId,
      log: new MemoryLog(),
      handler: async (event: MskEvent) => {
        events.push(event);
        return writer(event);
      },
    });
    // The emulator plays the MSK trigger, which polls with the writer's role.
    const asTrigger = <T>(work: () => Promise<T>) =>
      recordAs(
        { as: 'event-source-mapping', handler: 'writer', kafkaCluster: 'mapping:EventSourceArn' },
        work,
        {
          'mapping:ConsumerGroupId': groupId,
          'mapping:Topics': topic,
        },
      );
    const written = await capturingEmf(async () => {
      await asTrigger(() => emulator.start());
      try {
        await waitUntilCommitted(admin, groupId, topic);
      } finally {
        await asTrigger(() => emulator.stop());
      }
    });
    assert.equal(written.error, undefined, String(written.error));
    assert.ok(
      events.every((event) => Object.values(event.records).flat().length <= 100),
      'an event holds at most 100 records',
    );
    assert.equal(emfValue(written.emf, 'PopulationRowsWritten'), 121);
    assert.equal(emfValue(written.emf, 'RecordsRejected'), 0);
    assert.ok((emfValue(written.emf, 'DataFreshnessSeconds') ?? -1) > 0);

    // population: one row per place, every field as the API said
    const populationKeys = await listKeys(bucket, `${prefix}population/${partition}/`);
    assert.ok(populationKeys.length >= 1 && populationKeys.every((key) => key.endsWith('.parquet')));
    const rows = await readParquetFromS3(bucket, populationKeys);
    assert.equal(rows.length, 121);
    const raw = (
      await Promise.all(
        (await listKeys(bucket, `${prefix}raw/${partition}/`)).map((key) => readJsonLines(bucket, key)),
      )
    ).flat();
    const fetchedAt = new Map(
      raw.map((envelope) => [(envelope.place as { code: string }).code, envelope.fetchedAt as string]),
    );
    assert.equal(fetchedAt.size, 121, 'every envelope is archived in raw/');
    for (const row of rows) {
      const place = findPlace(String(row.area_code)) as Place;
      const { fetched_at, ...rest } = row;
      assert.deepEqual(
        rest,
        expectedPopulationRow(simulator.recordFor(place), place, { runId: summary.runId, collectedAt }),
        `population row of ${place.code}`,
      );
      assert.equal((fetched_at as Date).toISOString(), fetchedAt.get(place.code));
    }
    assert.deepEqual(rows.map((row) => row.area_code).sort(), ALL_PLACES.map((p) => p.code).sort());

    // population_forecast: every forecast hour of every place
    const forecasts = await readParquetFromS3(
      bucket,
      await listKeys(bucket, `${prefix}population_forecast/${partition}/`),
    );
    const expectedForecasts = ALL_PLACES.flatMap((place) =>
      expectedForecastRows(simulator.recordFor(place), collectedAt),
    );
    const order = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.area_code).localeCompare(String(b.area_code)) ||
      (a.forecast_time as Date).getTime() - (b.forecast_time as Date).getTime();
    assert.deepEqual([...forecasts].sort(order), [...expectedForecasts].sort(order));

    // the partition is registered in Glue for both tables, at its S3 folder
    for (const table of ['population', 'population_forecast']) {
      assert.deepEqual(await gluePartitions(database, table), [
        {
          values: ['2026', '07', '16', '23', '20'],
          location: `s3://${bucket}/${prefix}${table}/${partition}/`,
        },
      ]);
    }

    // and the fetcher recorded every place's outcome
    const outcomes = await readParquetFromS3(
      bucket,
      await listKeys(bucket, `${prefix}collection_outcomes/${partition}/`),
    );
    assert.equal(outcomes.length, 121);
    assert.ok(outcomes.every((o) => o.status === 'ok' && o.run_id === summary.runId));
    // and registered its partition in Glue right away, like the writer's two tables
    assert.deepEqual(await gluePartitions(database, 'collection_outcomes'), [
      {
        values: ['2026', '07', '16', '23', '20'],
        location: `s3://${bucket}/${prefix}collection_outcomes/${partition}/`,
      },
    ]);
  });
});
