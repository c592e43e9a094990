import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PartitionCatalog } from '../../lambdas/core/catalog/partition-catalog.js';
import { StorageError } from '../../lambdas/core/errors.js';
import { METRIC, rowsWrittenMetric } from '../../lambdas/core/metric-names.js';
import { encodeMskEvent, MskEventError } from '../../lambdas/core/msk-event.js';
import type { PartitionValues } from '../../lambdas/core/schema.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import type { TableName } from '../../lambdas/core/tables.js';
import { writeMskBatch } from '../../lambdas/writer/msk-batch.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';

describe('writer core (MSK batch)', () => {
  const lakes: string[] = [];
  const lake = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'writer-core-'));
    lakes.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of lakes) await rm(dir, { recursive: true, force: true });
  });

  const registered: { table: TableName; partitions: readonly PartitionValues[] }[] = [];
  const catalog: PartitionCatalog = {
    registerPartitions: async (table, partitions) => {
      registered.push({ table, partitions });
    },
  };

  it('writes an MSK event to the lake, quarantines poison, registers partitions and reports metrics', async () => {
    const dir = await lake();
    const yeouido = envelopeFor(sampleRecord(SAMPLES.yeouido), { collectedAt: '2026-07-16T14:20:00Z' });
    const records = sourceRecords([yeouido, 'not json {', Buffer.from(JSON.stringify({ hello: 'world' }))], {
      firstOffset: 40,
    });
    const event = encodeMskEvent(records, {
      eventSourceArn: 'arn:aws:kafka:ap-northeast-2:123456789012:cluster/c/1',
    });
    const metrics = new MemoryMetrics();
    const now = new Date('2026-07-16T14:40:00Z');
    const result = await writeMskBatch(JSON.parse(JSON.stringify(event)), {
      store: new LocalFolderStore(dir),
      catalog,
      log: new MemoryLog(),
      metrics,
      now: () => now,
    });

    assert.equal(result.rows.population, 1);
    assert.equal(result.rejectedRecords, 2);
    const rows = await readParquet(join(dir, 'population/**/*.parquet'));
    assert.deepEqual(
      rows.map((row) => row.area_code),
      ['POI072'],
    );
    // PPLTN_TIME of the sample is 2026-07-16 23:10 KST = 14:10 UTC: 30 minutes before "now".
    assert.equal(result.freshnessSeconds, 1800);
    assert.equal(metrics.value(METRIC.dataFreshness), 1800);
    assert.equal(metrics.value(rowsWrittenMetric('population')), 1);
    assert.equal(metrics.value(rowsWrittenMetric('population_forecast')), result.rows.population_forecast);
    assert.equal(metrics.value(METRIC.recordsRejected), 2);
    assert.equal(metrics.value(METRIC.recordsFlagged), 0);
    assert.equal(metrics.value(METRIC.partitionsRegistered), 1);
    assert.deepEqual(registered.map((r) => r.table).sort(), ['population', 'population_forecast']);
  });

  it('reports no freshness when no row was written', async () => {
    const metrics = new MemoryMetrics();
    const event = encodeMskEvent(sourceRecords(['garbage']), { eventSourceArn: 'arn' });
    const result = await writeMskBatch(event, {
      store: new LocalFolderStore(await lake()),
      catalog,
      log: new MemoryLog(),
      metrics,
    });
    assert.equal(result.freshnessSeconds, undefined);
    assert.equal(metrics.value(METRIC.dataFreshness), undefined);
    assert.equal(metrics.value(METRIC.recordsRejected), 1);
  });

  it('throws on a storage failure, so the batch is delivered again', async () => {
    const failing = {
      location: 'broken',
      put: async () => {
        throw new StorageError('disk full');
      },
      get: async () => Buffer.alloc(0),
      delete: async () => undefined,
      list: async () => [],
    };
    const event = encodeMskEvent(sourceRecords([envelopeFor(sampleRecord(SAMPLES.yeouido))]), {
      eventSourceArn: 'arn',
    });
    await assert.rejects(
      writeMskBatch(event, { store: failing, catalog, log: new MemoryLog(), metrics: new MemoryMetrics() }),
      StorageError,
    );
  });

  it('throws on an event that is not an MSK event', async () => {
    await assert.rejects(
      writeMskBatch(
        { Records: [] },
        {
          store: new LocalFolderStore(await lake()),
          catalog,
          log: new MemoryLog(),
          metrics: new MemoryMetrics(),
        },
      ),
      MskEventError,
    );
  });
});
