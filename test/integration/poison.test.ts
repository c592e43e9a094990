import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { MskEventSourceEmulator } from '../../lambdas/cli/transport/msk-event-source-emulator.js';
import { buildEnvelope, type Envelope, toMessage } from '../../lambdas/core/envelope.js';
import type { MskEvent } from '../../lambdas/core/msk-event.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { recordAs } from '../access/recorder.js';
import { lambdaContext } from '../support/lambda-context.js';
import { MemoryLog } from '../support/memory-log.js';
import { createBucket, createGlueTables, listKeys, readJsonLines, readParquetFromS3 } from './support/aws.js';
import { capturingEmf, emfValue, integrationEnvironment, uniqueName } from './support/environment.js';
import { createTopic, testKafka, waitUntilCommitted } from './support/kafka.js';

/** A record that is not an envelope is quarantined with its reason; the rest is written and the consumer moves on. */
describe('poison records', () => {
  const { brokers } = integrationEnvironment();
  const bucket = uniqueName('lake');
  const prefix = ''; // the writer writes at the bucket's root, as on AWS
  const database = uniqueName('seoul').replace(/-/g, '_');
  const topic = uniqueName('seoul.citydata_ppltn');
  const groupId = uniqueName('writer');
  const kafka = testKafka();
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const simulator = new ApiSimulator({ now: () => new Date('2026-07-16T14:35:00Z') });
  let writer: (event: MskEvent) => Promise<unknown>;

  const envelope = (code: string): Envelope => {
    const place = findPlace(code) as Place;
    return buildEnvelope({
      dataset: 'citydata_ppltn',
      runId: '20260716T1420Z-poison',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      fetchedAt: new Date('2026-07-16T14:20:01Z'),
      place,
      payload: simulator.recordFor(place),
    });
  };
  const asMessage = (e: Envelope) => {
    const m = toMessage(e);
    return { key: m.key, value: m.value, headers: { ...m.headers } };
  };

  before(async () => {
    await createBucket(bucket);
    await createGlueTables(database, bucket, prefix);
    await createTopic(kafka, topic, 1);
    Object.assign(process.env, {
      KAFKA_BROKERS: brokers.join(','),
      LAKE_BUCKET: bucket,
      GLUE_DATABASE: database,
      LOG_LEVEL: 'ERROR',
    });
    const writerHandler = (await import('../../lambdas/writer/handler.js')).handler;
    writer = (event) =>
      recordAs({ as: 'function', handler: 'writer' }, () => writerHandler(event, lambdaContext('writer')));
    await admin.connect();
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('lands "not JSON" and "wrong schema" in rejected/ with their reasons, writes the rest, and keeps consuming', async () => {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        asMessage(envelope('POI001')),
        { key: 'POI002', value: 'not json {' },
        { key: 'POI003', value: JSON.stringify({ hello: 'world', schemaVersion: 99 }) },
        asMessage(envelope('POI004')),
      ],
    });
    const emulator = new MskEventSourceEmulator({
      kafka,
      topic,
      groupId,
      log: new MemoryLog(),
      handler: writer,
    });
    const first = await capturingEmf(async () => {
      await emulator.start();
      await waitUntilCommitted(admin, groupId, topic);
    });
    try {
      assert.equal(first.error, undefined, String(first.error));
      assert.equal(emfValue(first.emf, 'RecordsRejected'), 2);
      assert.equal(emfValue(first.emf, 'PopulationRowsWritten'), 2);

      const rejected = (
        await Promise.all(
          (await listKeys(bucket, `${prefix}rejected/`)).map((key) => readJsonLines(bucket, key)),
        )
      ).flat();
      assert.deepEqual(
        rejected.map((line) => (line.source as { offset: number }).offset),
        [1, 2],
        'exactly the two poison records are quarantined',
      );
      assert.match(String((rejected[0]?.reasons as string[] | undefined)?.[0]), /^value is not JSON: /);
      assert.equal(rejected[0]?.record, 'not json {', 'the poison value is kept as it arrived');
      assert.match(
        String((rejected[1]?.reasons as string[] | undefined)?.[0]),
        /^invalid envelope: schemaVersion is 99, expected 1; dataset is missing/,
      );
      assert.deepEqual(rejected[1]?.record, { hello: 'world', schemaVersion: 99 });

      const rowsAfterPoison = await readParquetFromS3(bucket, await listKeys(bucket, `${prefix}population/`));
      assert.deepEqual(rowsAfterPoison.map((row) => row.area_code).sort(), ['POI001', 'POI004']);

      // Not stuck: a record published after the poison is written too.
      await producer.send({ topic, acks: -1, messages: [asMessage(envelope('POI005'))] });
      await waitUntilCommitted(admin, groupId, topic);
      const rows = await readParquetFromS3(bucket, await listKeys(bucket, `${prefix}population/`));
      assert.deepEqual(rows.map((row) => row.area_code).sort(), ['POI001', 'POI004', 'POI005']);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.equal(committed?.partitions[0]?.offset, '5');
    } finally {
      await emulator.stop();
    }
  });
});
