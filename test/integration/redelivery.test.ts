import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { MskEventSourceEmulator } from '../../lambdas/cli/transport/msk-event-source-emulator.js';
import { GlueCatalog } from '../../lambdas/core/catalog/glue-catalog.js';
import { collectRun } from '../../lambdas/core/collector.js';
import { EnvelopePublisher } from '../../lambdas/core/kafka/publisher.js';
import type { MskEvent } from '../../lambdas/core/msk-event.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import { writeMskBatch } from '../../lambdas/writer/msk-batch.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';
import {
  createBucket,
  createGlueTables,
  glue,
  gluePartitions,
  listKeys,
  readJsonLines,
  readParquetFromS3,
} from './support/aws.js';
import { uniqueName } from './support/environment.js';
import { createTopic, testKafka, waitUntilCommitted } from './support/kafka.js';

/**
 * At-least-once delivery, exactly-once rows: a batch handled twice, and a batch retried after the
 * writer failed halfway through (an S3 error injected into the real S3 client), leave exactly one
 * row per place and run.
 */
describe('redelivery leaves exactly one row per place and run', () => {
  const KEY = 'redelivery-key';
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  const bucket = uniqueName('lake');
  const database = uniqueName('seoul').replace(/-/g, '_');
  const topic = uniqueName('seoul.citydata_ppltn');
  const kafka = testKafka();
  const admin = kafka.admin();
  const log = new MemoryLog();

  before(async () => {
    const baseUrl = await simulator.start();
    await createBucket(bucket);
    await createGlueTables(database, bucket, 'twice/');
    await createTopic(kafka, topic, 3);
    await admin.connect();
    const collect = await collectRun({
      client: new SeoulApiClient({ baseUrl, apiKey: KEY }),
      places: ALL_PLACES,
      runId: '20260716T1420Z-redeli',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      concurrency: 16,
      log,
    });
    const publisher = new EnvelopePublisher({ kafka, topic, log, target: 'test broker' });
    assert.equal((await publisher.publish(collect.envelopes)).published, 121);
    await publisher.close();
  });
  after(async () => {
    await admin.disconnect();
    await simulator.stop();
  });

  /** Runs the emulator with a handler until everything is committed. */
  async function consume(handler: (event: MskEvent) => Promise<unknown>) {
    const groupId = uniqueName('writer');
    const emulator = new MskEventSourceEmulator({
      kafka,
      topic,
      groupId,
      log,
      handler,
      retryDelayMs: () => 100,
    });
    await emulator.start();
    try {
      await waitUntilCommitted(admin, groupId, topic);
    } finally {
      await emulator.stop();
    }
    return emulator;
  }

  /** Every row of the area, with the count of each key: more than 1 would be a duplicate. */
  async function rowsOf(prefix: string) {
    const population = await readParquetFromS3(
      bucket,
      (await listKeys(bucket, `${prefix}population/`)).filter((k) => k.endsWith('.parquet')),
    );
    const forecast = await readParquetFromS3(
      bucket,
      (await listKeys(bucket, `${prefix}population_forecast/`)).filter((k) => k.endsWith('.parquet')),
    );
    const raw = (
      await Promise.all((await listKeys(bucket, `${prefix}raw/`)).map((key) => readJsonLines(bucket, key)))
    ).flat();
    const count = (keys: string[]) =>
      Math.max(
        ...[...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>()).values()],
      );
    return {
      population: population.length,
      populationPlaces: new Set(population.map((r) => r.area_code)).size,
      maxRowsPerPlaceAndRun: count(
        population.map((r) => `${r.area_code}|${(r.collected_at as Date).toISOString()}|${r.run_id}`),
      ),
      forecast: forecast.length,
      maxRowsPerForecastKey: count(
        forecast.map(
          (r) =>
            `${r.area_code}|${(r.collected_at as Date).toISOString()}|${(r.forecast_time as Date).toISOString()}`,
        ),
      ),
      raw: raw.length,
    };
  }

  it('the same batch handled twice writes the same files and rows as once', async () => {
    const prefix = 'twice/';
    const store = new S3ObjectStore(new S3Client({}), bucket, prefix);
    const catalog = new GlueCatalog(glue, database, log);
    const keysAfterFirst: string[][] = [];
    const emulator = await consume(async (event) => {
      const deps = { store, catalog, log, metrics: new MemoryMetrics() };
      await writeMskBatch(event, deps);
      keysAfterFirst.push(await listKeys(bucket, prefix));
      return writeMskBatch(event, deps);
    });
    assert.ok(emulator.invocations >= 2, 'the 121 records need at least two events of 100');
    assert.deepEqual(
      await listKeys(bucket, prefix),
      keysAfterFirst.at(-1),
      'handling a batch again adds no file',
    );
    assert.deepEqual(await rowsOf(prefix), {
      population: 121,
      populationPlaces: 121,
      maxRowsPerPlaceAndRun: 1,
      forecast: 121 * 12,
      maxRowsPerForecastKey: 1,
      raw: 121,
    });
    assert.deepEqual(
      (await gluePartitions(database, 'population')).map((p) => p.values),
      [['2026', '07', '16', '23', '20']],
    );
  });

  it('a batch retried after an S3 error midway is delivered again, unchanged, and written once', async () => {
    const prefix = 'midway/';
    const s3 = new S3Client({});
    let puts = 0;
    let injected = 0;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && ++puts === 2) {
          injected++;
          // What S3 answers on a transient fault; thrown before the SDK's own retries so the writer sees it.
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
            name: 'InternalError',
            $fault: 'server',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectS3Failure' },
    );
    const store = new S3ObjectStore(s3, bucket, prefix);
    const catalog = new GlueCatalog(glue, database, log);
    const deliveries: { event: string; ok: boolean }[] = [];
    const emulator = await consume(async (event) => {
      try {
        const result = await writeMskBatch(event, { store, catalog, log, metrics: new MemoryMetrics() });
        deliveries.push({ event: JSON.stringify(event), ok: true });
        return result;
      } catch (error) {
        deliveries.push({ event: JSON.stringify(event), ok: false });
        throw error;
      }
    });
    assert.equal(injected, 1);
    assert.equal(deliveries[0]?.ok, false, 'the first delivery failed midway (after its first file)');
    assert.equal(deliveries[1]?.ok, true);
    assert.equal(deliveries[1]?.event, deliveries[0]?.event, 'the failed batch is delivered again, the same');
    assert.equal(emulator.invocations, deliveries.length);
    assert.ok(
      log.lines.some(
        (line) =>
          line.message === 'batch delivery failed' &&
          /InternalError|internal error/.test(String(line.extra?.error)),
      ),
    );
    assert.deepEqual(await rowsOf(prefix), {
      population: 121,
      populationPlaces: 121,
      maxRowsPerPlaceAndRun: 1,
      forecast: 121 * 12,
      maxRowsPerForecastKey: 1,
      raw: 121,
    });
  });
});
