import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PartitionCatalog } from '../../lambdas/core/catalog/partition-catalog.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { StorageError } from '../../lambdas/core/errors.js';
import { decodeJsonLinesGzip } from '../../lambdas/core/lake/jsonl.js';
import type { PartitionValues } from '../../lambdas/core/schema.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import type { TableName } from '../../lambdas/core/tables.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import type { RejectedLine } from '../../lambdas/core/writers/route.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { FullDiskStore } from '../support/full-disk-store.js';
import { MemoryLog } from '../support/memory-log.js';
import { FailingStore } from '../support/stores.js';

const newLake = () => new LocalFolderStore(mkdtempSync(join(tmpdir(), 'lake-writer-')));
const yeouido = () => envelopeFor(sampleRecord(SAMPLES.yeouido));
// The recording is of 2026-09-07; its time is moved to this collection's, within a day of it.
const gwanghwamun = () =>
  envelopeFor({ ...sampleRecord(SAMPLES.noForecast), PPLTN_TIME: '2026-07-16 23:15' });
const PARTITION = 'year=2026/month=07/day=16/hour=23/minute=20';

class RecordingCatalog implements PartitionCatalog {
  readonly calls: [TableName, PartitionValues[]][] = [];
  async registerPartitions(table: TableName, partitions: readonly PartitionValues[]) {
    this.calls.push([table, [...partitions]]);
  }
}

describe('lake writer', () => {
  it('archives to raw/ before any table file: a disk that fills mid-batch leaves no row without its answer', async () => {
    const lake = newLake();
    const store = new FullDiskStore(lake);
    store.full = (key) => !key.startsWith('raw/');
    await assert.rejects(
      writeBatch(sourceRecords([yeouido(), gwanghwamun()], { firstOffset: 7 }), {
        store,
        catalog: NO_CATALOG,
        log: new MemoryLog(),
      }),
      (error: unknown) => error instanceof StorageError && /ENOSPC/.test(error.message),
    );
    assert.deepEqual(await lake.list(''), [`raw/${PARTITION}/seoul.citydata_ppltn-0-7.jsonl.gz`]);
    // Space again: the redelivered batch completes the same files.
    store.full = () => false;
    await writeBatch(sourceRecords([yeouido(), gwanghwamun()], { firstOffset: 7 }), {
      store,
      catalog: NO_CATALOG,
      log: new MemoryLog(),
    });
    assert.equal((await lake.list('population/')).length, 1);
  });

  it('writes raw, then population and forecast files in the KST minute partition, named after the source', async () => {
    const store = newLake();
    const result = await writeBatch(sourceRecords([yeouido(), gwanghwamun()], { firstOffset: 40 }), {
      store,
      catalog: NO_CATALOG,
      log: new MemoryLog(),
    });
    // collectedAt 2026-07-16T14:20Z is 23:20 in Seoul. The archive comes first (in write order).
    assert.deepEqual(result.files, [
      `raw/${PARTITION}/seoul.citydata_ppltn-0-40.jsonl.gz`,
      `population/${PARTITION}/seoul.citydata_ppltn-0-40.parquet`,
      `population_forecast/${PARTITION}/seoul.citydata_ppltn-0-40.parquet`,
    ]);
    assert.deepEqual(await store.list(''), [...result.files].sort());
    assert.deepEqual(
      {
        population: result.rows.population,
        forecast: result.rows.population_forecast,
        raw: result.rawRecords,
        rejected: result.rejectedRecords,
      },
      { population: 2, forecast: 12, raw: 2, rejected: 0 },
    );
    assert.deepEqual(result.partitions, [PARTITION]);
    // The newest of 여의도 (2026-07-16 23:10 KST) and 광화문·덕수궁 (2026-07-16 23:15 KST).
    assert.equal(result.newestObservedAt?.toISOString(), '2026-07-16T14:15:00.000Z');
    const rows = await readParquet(
      join(store.location, 'population', PARTITION, '*.parquet'),
      'SELECT area_code FROM data ORDER BY 1',
    );
    assert.deepEqual(
      rows.map((r) => r.area_code),
      ['POI009', 'POI072'],
    );
  });

  it('archives every envelope verbatim in raw/', async () => {
    const store = newLake();
    const envelopes = [yeouido(), gwanghwamun()];
    await writeBatch(sourceRecords(envelopes), { store, catalog: NO_CATALOG, log: new MemoryLog() });
    const raw = decodeJsonLinesGzip(await store.get(`raw/${PARTITION}/seoul.citydata_ppltn-0-0.jsonl.gz`));
    assert.deepEqual(raw, JSON.parse(JSON.stringify(envelopes)));
  });

  it('overwrites its own files when a batch is delivered again: no duplicate rows', async () => {
    const store = newLake();
    const batch = sourceRecords([yeouido(), gwanghwamun()], { firstOffset: 7 });
    const deps = { store, catalog: NO_CATALOG, log: new MemoryLog() };
    const first = await writeBatch(batch, deps);
    const second = await writeBatch(batch, deps);
    assert.deepEqual(second.files, first.files);
    const [count] = await readParquet(
      join(store.location, 'population/**/*.parquet'),
      'SELECT count(*) AS n FROM data',
    );
    assert.equal(count?.n, 2n);
  });

  it('keeps one row per place and collection time when a place arrives twice in a batch', async () => {
    const store = newLake();
    const early = envelopeFor(sampleRecord(SAMPLES.yeouido), {
      fetchedAt: '2026-07-16T14:20:01Z',
      runId: 'a',
    });
    const late = envelopeFor(sampleRecord(SAMPLES.yeouido), {
      fetchedAt: '2026-07-16T14:20:09Z',
      runId: 'b',
    });
    const result = await writeBatch(sourceRecords([early, late]), {
      store,
      catalog: NO_CATALOG,
      log: new MemoryLog(),
    });
    assert.equal(result.rows.population, 1);
    assert.equal(result.rows.population_forecast, 12);
    assert.equal(result.rawRecords, 2, 'both envelopes are still archived');
    const rows = await readParquet(join(store.location, 'population/**/*.parquet'));
    assert.deepEqual(
      rows.map((r) => r.run_id),
      ['b'],
    );
  });

  it('quarantines poison records with their reason and writes the rest of the batch', async () => {
    const store = newLake();
    const wrongSchema = JSON.stringify({ hello: 'world' });
    const badPayload = envelopeFor({ ...sampleRecord(SAMPLES.yeouido), AREA_PPLTN_MIN: 'many' });
    const log = new MemoryLog();
    const records = sourceRecords(
      [yeouido(), 'not json at all', wrongSchema, Buffer.from([0xff, 0xfe]), badPayload],
      {
        firstOffset: 100,
        timestamp: Date.parse('2026-07-16T14:20:05Z'),
      },
    );
    const result = await writeBatch(records, { store, catalog: NO_CATALOG, log });
    assert.equal(result.rows.population, 1);
    assert.equal(result.rejectedRecords, 4);
    assert.equal(result.rawRecords, 2, 'the bad-payload envelope is still archived raw');
    const rejected = decodeJsonLinesGzip(
      await store.get(`rejected/${PARTITION}/seoul.citydata_ppltn-0-100.jsonl.gz`),
    ) as RejectedLine[];
    assert.deepEqual(
      rejected.map((line) => [(line.source as { offset: number }).offset, line.reasons]),
      [
        [101, ['value is not JSON: an unexpected character']],
        [
          102,
          [
            'invalid envelope: schemaVersion is undefined, expected 1; dataset is missing; runId is missing; collectedAt is not an ISO-8601 UTC time: undefined; fetchedAt is not an ISO-8601 UTC time: undefined; place must have code, name and category; payload is not a JSON object',
          ],
        ],
        [103, ['value is not UTF-8']],
        [104, ['AREA_PPLTN_MIN is not a whole number: "many"']],
      ],
    );
    assert.equal(rejected[0]?.record, 'not json at all');
    assert.deepEqual(rejected[1]?.record, { hello: 'world' });
    assert.deepEqual(rejected[2]?.record, { base64: '//4=' });
    assert.equal(rejected[3]?.placeCode, 'POI072');
    assert.equal(log.lines.filter((line) => line.message === 'record rejected').length, 4);
  });

  it('keeps a record with an unknown congestion label, counted as flagged', async () => {
    const odd = envelopeFor({ ...sampleRecord(SAMPLES.yeouido), AREA_CONGEST_LVL: '혼잡' });
    const log = new MemoryLog();
    const result = await writeBatch(sourceRecords([odd]), { store: newLake(), catalog: NO_CATALOG, log });
    assert.equal(result.rows.population, 1);
    assert.equal(result.flaggedRecords, 1);
    assert.deepEqual(log.lines.find((line) => line.message === 'record flagged')?.extra?.warnings, [
      'AREA_CONGEST_LVL has an unknown congestion label: "혼잡"',
    ]);
  });

  it('splits a batch by minute partition and by Kafka partition', async () => {
    const store = newLake();
    const at2320 = yeouido();
    const at2340 = envelopeFor(sampleRecord(SAMPLES.yeouido), { collectedAt: '2026-07-16T14:40:00Z' });
    const records = [
      ...sourceRecords([at2320, at2340], { partition: 0, firstOffset: 5 }),
      ...sourceRecords([gwanghwamun()], { partition: 3, firstOffset: 9 }),
    ];
    const result = await writeBatch(records, { store, catalog: NO_CATALOG, log: new MemoryLog() });
    assert.deepEqual(
      result.files.filter((f) => f.startsWith('population/')),
      [
        `population/${PARTITION}/seoul.citydata_ppltn-0-5.parquet`,
        'population/year=2026/month=07/day=16/hour=23/minute=40/seoul.citydata_ppltn-0-6.parquet',
        `population/${PARTITION}/seoul.citydata_ppltn-3-9.parquet`,
      ],
    );
  });

  it('registers each written partition in the catalog once per table', async () => {
    const catalog = new RecordingCatalog();
    await writeBatch(sourceRecords([yeouido(), gwanghwamun()]), {
      store: newLake(),
      catalog,
      log: new MemoryLog(),
    });
    const partition = { year: '2026', month: '07', day: '16', hour: '23', minute: '20' };
    assert.deepEqual(catalog.calls, [
      ['population', [partition]],
      ['population_forecast', [partition]],
    ]);
  });

  it('fails the batch when storage fails, so that it is delivered again', async () => {
    const store = new FailingStore(newLake(), 2);
    await assert.rejects(
      writeBatch(sourceRecords([yeouido()]), { store, catalog: NO_CATALOG, log: new MemoryLog() }),
      StorageError,
    );
  });

  it('fails the batch when the catalog fails, naming the table', async () => {
    const catalog: PartitionCatalog = {
      registerPartitions: async () => Promise.reject(new Error('Glue is down')),
    };
    await assert.rejects(
      writeBatch(sourceRecords([yeouido()]), { store: newLake(), catalog, log: new MemoryLog() }),
      {
        name: 'StorageError',
        message: 'cannot register 1 partition(s) of population: Glue is down',
      },
    );
  });

  it('after a failure midway, the retried batch leaves exactly one row per place', async () => {
    const lake = newLake();
    const store = new FailingStore(lake, 2); // population file written, forecast file fails
    const batch = sourceRecords([yeouido(), gwanghwamun()], { firstOffset: 11 });
    const deps = { store, catalog: NO_CATALOG, log: new MemoryLog() };
    await assert.rejects(writeBatch(batch, deps));
    store.failing = false;
    await writeBatch(batch, deps);
    const [population] = await readParquet(
      join(lake.location, 'population/**/*.parquet'),
      'SELECT count(*) AS n FROM data',
    );
    const [forecast] = await readParquet(
      join(lake.location, 'population_forecast/**/*.parquet'),
      'SELECT count(*) AS n FROM data',
    );
    assert.deepEqual([population?.n, forecast?.n], [2n, 12n]);
  });
});
