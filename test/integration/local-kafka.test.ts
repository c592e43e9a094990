import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { KafkaTransport } from '../../lambdas/cli/transport/kafka-transport.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { buildEnvelope } from '../../lambdas/core/envelope.js';
import { KafkaError } from '../../lambdas/core/kafka/kafka-error.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { runCli } from '../support/cli.js';
import { MemoryLog } from '../support/memory-log.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';

/** `npm start` / `npm run demo` with KAFKA_BROKERS: the local pipeline over the real broker. */
describe('local pipeline over Kafka (KAFKA_BROKERS set)', () => {
  const { brokers } = integrationEnvironment();
  const lakes: string[] = [];
  const newLake = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-kafka-'));
    lakes.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of lakes) await rm(dir, { recursive: true, force: true });
  });

  const countRows = async (lake: string) => {
    const { connection, close } = await openLake(lake);
    try {
      return Number(
        (await connection.runAndReadAll('SELECT count(*) AS n FROM population')).getRowObjectsJS()[0]?.n,
      );
    } finally {
      close();
    }
  };

  it('npm run demo -- --once goes through the topic and the emulator into the lake', async () => {
    const lake = await newLake();
    const topic = uniqueName('demo.citydata_ppltn');
    const result = await runCli(
      ['demo', '--once', '--lake', lake],
      { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic },
      120_000,
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`via Kafka topic "${topic.replace(/\./g, '\\.')}\\.simulated" at ${brokers[0]}`),
    );
    assert.match(result.stdout, /places: 121 ok, 0 no data, 0 failed/);
    assert.match(result.stdout, /published: 121 envelopes/);
    assert.match(
      result.stdout,
      /written: 121 population rows, 1452 population_forecast rows, 121 raw, 0 rejected/,
    );
    assert.equal(await countRows(lake), 121);
  });

  it('drain() fails when the writer keeps failing, and the records are delivered after a restart, not lost', async () => {
    const lake = await newLake();
    const store = new LocalFolderStore(lake);
    const topic = uniqueName('local.citydata_ppltn');
    const groupId = uniqueName('writer');
    const log = new MemoryLog();
    // The API's time of the answers is the collection's: the writer keeps answers inside its
    // answer-time window and quarantines the rest (a simulator on the wall clock is months away).
    const simulator = new ApiSimulator({ now: () => new Date('2026-07-16T14:20:00Z') });
    const envelopes = ALL_PLACES.slice(0, 5).map((place) =>
      buildEnvelope({
        dataset: 'citydata_ppltn',
        runId: '20260716T1420Z-restrt',
        collectedAt: new Date('2026-07-16T14:20:00Z'),
        fetchedAt: new Date('2026-07-16T14:20:01Z'),
        place,
        payload: simulator.recordFor(place),
      }),
    );

    let attempts = 0;
    const broken = await KafkaTransport.open({
      brokers,
      topic,
      groupId,
      log,
      maxDeliveries: 2,
      numPartitions: 1,
      deliver: async () => {
        attempts++;
        throw new Error('disk full (injected)');
      },
    });
    try {
      assert.equal((await broken.publish(envelopes)).published, 5);
      await assert.rejects(broken.drain(), (error: unknown) => {
        assert.ok(error instanceof KafkaError);
        assert.match(
          error.message,
          /the writer did not take the published records: gave up on the batch of .* from offset 0 after 2 deliveries: disk full \(injected\)/,
        );
        return true;
      });
      assert.equal(attempts, 2);
    } finally {
      await broken.close();
    }

    const working = await KafkaTransport.open({
      brokers,
      topic,
      groupId,
      log,
      numPartitions: 1,
      deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
    });
    try {
      // Nothing new is published: the first drain() waits for what the broken writer left behind.
      const written = await working.drain();
      assert.equal(
        written.reduce((rows, w) => rows + (w.rows.population ?? 0), 0),
        5,
      );
      assert.equal(await countRows(lake), 5);
    } finally {
      await working.close();
    }
  });
});
