/**
 * Kafka path benchmark, on a real broker (KAFKA_BROKERS; `npm run test:integration` scripts start one):
 *  1. one scheduled run end to end: tick → 121 places fetched from the simulator → published →
 *     MSK event-source emulator → writer → Parquet → the partition readable by DuckDB; beside the
 *     same run without Kafka (collect, then writeBatch in-process) as the reference;
 *  2. a 100,000-record backlog replay (the catch-up after an outage): records per second through
 *     the emulator and writer, beside writeBatch alone on the same records in the same batches.
 * Figures and ratios only; nothing passes or fails on time.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx test/bench/kafka.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simulatedRecord } from '../../lambdas/cli/simulator/generator.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { MskEventSourceEmulator } from '../../lambdas/cli/transport/msk-event-source-emulator.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { collectRun } from '../../lambdas/core/collector.js';
import { buildEnvelope, type Envelope, toMessage } from '../../lambdas/core/envelope.js';
import { createKafka, parseBrokerList } from '../../lambdas/core/kafka/connection.js';
import { EnvelopePublisher } from '../../lambdas/core/kafka/publisher.js';
import { deleteTopic, ensureTopic } from '../../lambdas/core/kafka/topic-admin.js';
import { partitionPath, partitionValuesFor } from '../../lambdas/core/lake/partitions.js';
import { decodeMskEvent, type MskEvent } from '../../lambdas/core/msk-event.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import type { SourceRecord } from '../../lambdas/core/source-record.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import {
  fetcherSettingsFromEnv,
  runScheduledCollection,
} from '../../lambdas/fetcher/scheduled-collection.js';
import { writeMskBatch } from '../../lambdas/writer/msk-batch.js';
import { queryDuckDb } from '../support/duckdb.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';
import { MemoryStore } from '../support/memory-store.js';
import { figure, heading, mib, perSecond, ratio, seconds, timed } from './report.js';

const KEY = 'bench-key';
const BACKLOG = 100_000;
const BATCH_SIZE = 100;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const unique = (name: string) => `bench.${name}.${Date.now().toString(36)}`;

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rowsReadable(lake: string, partition: string): Promise<number> {
  try {
    const [row] = await queryDuckDb(
      '',
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${lake}/population/${partition}/*.parquet')`,
    );
    return Number(row?.n ?? 0);
  } catch {
    return 0; // no file yet
  }
}

/** One run from the tick to the partition being readable, through Kafka; and the same run in-process. */
async function endToEnd(brokers: string[]): Promise<void> {
  heading('kafka: one scheduled run, tick → partition readable (121 places)');
  const log = new MemoryLog();
  const kafka = createKafka({ brokers, auth: { kind: 'plain' } }, { clientId: 'bench', log });
  const topic = unique('e2e');
  await ensureTopic(kafka, { topic, numPartitions: 3 }, log);
  const simulator = new ApiSimulator({ validKeys: [KEY] });
  const baseUrl = await simulator.start();
  const lake = mkdtempSync(join(tmpdir(), 'bench-kafka-e2e-'));
  const store = new LocalFolderStore(lake);
  const publisher = new EnvelopePublisher({ kafka, topic, log, target: brokers.join(',') });
  const emulator = new MskEventSourceEmulator({
    kafka,
    topic,
    groupId: `${topic}.writer`,
    log,
    handler: (event) =>
      writeMskBatch(event, { store, catalog: NO_CATALOG, log, metrics: new MemoryMetrics() }),
  });
  const settings = { ...fetcherSettingsFromEnv({ SEOUL_API_BASE_URL: baseUrl }), topic, concurrency: 8 };
  const kafkaRuns: { publishedAfter: number; readableAfter: number }[] = [];
  const inProcessRuns: number[] = [];
  try {
    await emulator.start(); // the event source mapping is always running before the tick
    for (let run = 0; run < 3; run++) {
      const tick = new Date(Date.UTC(2026, 6, 16, 14, 20 * run));
      const partition = partitionPath(partitionValuesFor(tick));
      const started = performance.now();
      await runScheduledCollection(
        { time: tick.toISOString() },
        {
          settings,
          apiKey: async () => KEY,
          publish: (envelopes) => publisher.publish(envelopes),
          store,
          log,
          metrics: new MemoryMetrics(),
        },
      );
      const publishedAfter = performance.now() - started;
      await waitFor(async () => (await rowsReadable(lake, partition)) === 121, 60_000);
      kafkaRuns.push({ publishedAfter, readableAfter: performance.now() - started });

      // Reference: the same run with no Kafka in between (collect, then write in-process).
      const referenceLake = mkdtempSync(join(tmpdir(), 'bench-kafka-ref-'));
      try {
        const reference = await timed(async () => {
          const collect = await collectRun({
            client: new SeoulApiClient({ baseUrl, apiKey: KEY }),
            places: ALL_PLACES,
            runId: `ref-${run}`,
            collectedAt: tick,
            concurrency: 8,
            log,
          });
          const records = collect.envelopes.map((envelope, offset) => sourceRecordOf(envelope, offset));
          await writeBatch(records, { store: new LocalFolderStore(referenceLake), catalog: NO_CATALOG, log });
          return rowsReadable(referenceLake, partition);
        });
        if (reference.result !== 121) throw new Error(`reference run wrote ${reference.result} rows`);
        inProcessRuns.push(reference.ms);
      } finally {
        rmSync(referenceLake, { recursive: true, force: true });
      }
    }
  } finally {
    await emulator.stop();
    await publisher.close();
    await simulator.stop();
    await deleteTopic(kafka, topic, log).catch(() => false);
    rmSync(lake, { recursive: true, force: true });
  }
  const published = median(kafkaRuns.map((r) => r.publishedAfter));
  const readable = median(kafkaRuns.map((r) => r.readableAfter));
  const reference = median(inProcessRuns);
  figure('tick → 121 envelopes acknowledged by Kafka (median of 3)', seconds(published));
  figure('tick → partition readable by DuckDB, via Kafka (median of 3)', seconds(readable));
  figure('  of which Kafka → emulator (500 ms window) → writer', seconds(readable - published));
  figure('same run in-process, no Kafka (reference, median of 3)', seconds(reference));
  figure('via Kafka / in-process (lower is better)', ratio(readable / reference));
}

function sourceRecordOf(envelope: Envelope, offset: number): SourceRecord {
  const message = toMessage(envelope);
  return {
    topic: 'bench',
    partition: 0,
    offset,
    timestamp: Date.now(),
    key: Buffer.from(message.key),
    value: message.value,
    headers: message.headers,
  };
}

/** `count` envelopes: all places over consecutive 20-minute runs. */
function backlogEnvelopes(count: number): Envelope[] {
  const start = Date.parse('2026-07-01T00:00:00Z');
  return Array.from({ length: count }, (_, index) => {
    const place = ALL_PLACES[index % ALL_PLACES.length] as (typeof ALL_PLACES)[number];
    const collectedAt = new Date(start + Math.floor(index / ALL_PLACES.length) * 20 * 60_000);
    return buildEnvelope({
      dataset: 'citydata_ppltn',
      runId: 'bench',
      collectedAt,
      fetchedAt: collectedAt,
      place,
      payload: simulatedRecord(place, collectedAt),
    });
  });
}

/** A 100,000-record backlog replayed through the emulator and the writer, beside the writer alone. */
async function backlogReplay(brokers: string[]): Promise<void> {
  heading(`kafka: backlog replay of ${BACKLOG.toLocaleString('en-US')} records (catch-up after an outage)`);
  const log = new MemoryLog();
  const kafka = createKafka({ brokers, auth: { kind: 'plain' } }, { clientId: 'bench', log });
  const topic = unique('backlog');
  await ensureTopic(kafka, { topic, numPartitions: 3 }, log);
  const envelopes = backlogEnvelopes(BACKLOG);
  const publisher = new EnvelopePublisher({ kafka, topic, log, target: brokers.join(',') });
  try {
    const publish = await timed(() => publisher.publish(envelopes));
    await publisher.close();
    const valueBytes = envelopes.reduce((total, e) => total + toMessage(e).value.length, 0);
    figure(
      'published (idempotent, acks=all)',
      `${seconds(publish.ms)}, ${perSecond(BACKLOG, publish.ms)}, ${mib(valueBytes)}`,
    );

    const store = new MemoryStore();
    let rows = 0;
    const events: MskEvent[] = [];
    const emulator = new MskEventSourceEmulator({
      kafka,
      topic,
      groupId: `${topic}.writer`,
      log,
      batchSize: BATCH_SIZE,
      handler: async (event) => {
        const result = await writeMskBatch(event, {
          store,
          catalog: NO_CATALOG,
          log,
          metrics: new MemoryMetrics(),
        });
        rows += result.rows.population ?? 0;
        events.push(event);
        return result;
      },
    });
    const replay = await timed(async () => {
      await emulator.start();
      await waitFor(async () => rows >= BACKLOG, 600_000);
      await emulator.stop();
    });
    figure(
      'replayed through emulator + writer (Parquet in memory)',
      `${seconds(replay.ms)}, ${events.length} events`,
    );
    figure('  records per second', perSecond(BACKLOG, replay.ms));

    // Reference: writeBatch alone on exactly the batches the emulator delivered (decoded beforehand,
    // not timed), so the ratio is what Kafka, the emulator and the event encoding add.
    const batches = events.map((event) => decodeMskEvent(event));
    const referenceStore = new MemoryStore();
    const reference = await timed(async () => {
      for (const batch of batches)
        await writeBatch(batch, { store: referenceStore, catalog: NO_CATALOG, log });
    });
    figure(
      'writeBatch alone on the same batches (reference)',
      `${seconds(reference.ms)}, ${perSecond(BACKLOG, reference.ms)}`,
    );
    figure('via Kafka / writer alone (lower is better)', ratio(replay.ms / reference.ms));
    figure('files written (Kafka path / reference)', `${store.files.size} / ${referenceStore.files.size}`);

    // For scale: the same records in publish order (one run's places together) make fewer, larger files.
    const inOrder = envelopes.map((envelope, offset) => sourceRecordOf(envelope, offset));
    const orderedStore = new MemoryStore();
    const ordered = await timed(async () => {
      for (let start = 0; start < inOrder.length; start += BATCH_SIZE) {
        await writeBatch(inOrder.slice(start, start + BATCH_SIZE), {
          store: orderedStore,
          catalog: NO_CATALOG,
          log,
        });
      }
    });
    figure(
      `writeBatch alone, publish order, batches of ${BATCH_SIZE}`,
      `${seconds(ordered.ms)}, ${perSecond(BACKLOG, ordered.ms)}, ${orderedStore.files.size} files`,
    );
  } finally {
    await publisher.close();
    await deleteTopic(kafka, topic, log).catch(() => false);
  }
}

export async function benchKafka(): Promise<void> {
  const brokers = parseBrokerList(process.env.KAFKA_BROKERS);
  if (!brokers) {
    heading('kafka: skipped');
    figure('KAFKA_BROKERS is not set', 'start a broker: test/integration/env/kafka.sh start');
    return;
  }
  await endToEnd(brokers);
  await backlogReplay(brokers);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchKafka();
