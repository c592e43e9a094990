import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionCatalog } from '../../lambdas/core/catalog/partition-catalog.js';
import type { CollectResult } from '../../lambdas/core/collector.js';
import { summarizeRun } from '../../lambdas/core/run-summary.js';
import { commitFiles, encodeGroups, routeRecords } from '../../lambdas/core/writers/lake-writer.js';
import { outcomesFile } from '../../lambdas/core/writers/outcomes-writer.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryStore } from '../support/memory-store.js';

const NOW = () => new Date('2026-07-16T14:21:00Z');

describe('the write path as stages', () => {
  const records = sourceRecords([envelopeFor(sampleRecord(SAMPLES.yeouido)), 'not json'], {
    firstOffset: 40,
  });

  it('routes records into file groups without any I/O, poison included', () => {
    const { groups, flaggedRecords } = routeRecords(records, NOW, new MemoryLog());
    assert.equal(flaggedRecords, 0);
    assert.deepEqual(
      groups.map((g) => [g.stem, g.population.size, g.raw.length, g.rejected.length]),
      [['seoul.citydata_ppltn-0-40', 1, 1, 1]],
    );
  });

  it('encodes the files, one per area that has something to hold: the archive first, the tables last', async () => {
    const { groups } = routeRecords(records, NOW, new MemoryLog());
    const keys: string[] = [];
    for await (const file of encodeGroups(groups)) keys.push(file.key);
    assert.deepEqual(
      keys.map((key) => key.split('/')[0]),
      ['raw', 'rejected', 'population', 'population_forecast'],
    );
  });

  it('commits by putting every file, then registering the table partitions written', async () => {
    const events: string[] = [];
    const store = new MemoryStore();
    const put = store.put.bind(store);
    store.put = async (key, body) => {
      events.push(`put ${key.split('/')[0]}`);
      await put(key, body);
    };
    const catalog: PartitionCatalog = {
      registerPartitions: async (table, partitions) => {
        events.push(`register ${table} ${partitions.length}`);
      },
    };
    const { groups } = routeRecords(records, NOW, new MemoryLog());
    const committed = await commitFiles(encodeGroups(groups), { store, catalog });
    assert.deepEqual(events, [
      'put raw',
      'put rejected',
      'put population',
      'put population_forecast',
      'register population 1',
      'register population_forecast 1',
    ]);
    assert.deepEqual([...store.files.keys()], committed.keys);
  });

  it("commits a run's outcomes file the same way, and the summary reports it explicitly", async () => {
    const collect = {
      runId: '20260716T1420Z-abcdef',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      envelopes: [],
      outcomes: [{ code: 'POI072', status: 'ok', attempts: 1, durationMs: 12 }],
    } as unknown as CollectResult;
    const store = new MemoryStore();
    const file = await outcomesFile(collect);
    const committed = await commitFiles([file], {
      store,
      catalog: { registerPartitions: async () => undefined },
    });
    assert.deepEqual(committed.keys, [
      'collection_outcomes/year=2026/month=07/day=16/hour=23/minute=20/20260716T1420Z-abcdef.parquet',
    ]);
    const summary = summarizeRun({
      collect,
      published: 1,
      writes: [],
      outcomes: { key: file.key, partition: 'year=2026/month=07/day=16/hour=23/minute=20' },
      simulated: false,
      durationMs: 1,
    });
    assert.deepEqual(summary.written?.files, committed.keys);
    assert.deepEqual(summary.written?.partitions, ['year=2026/month=07/day=16/hour=23/minute=20']);
  });
});
