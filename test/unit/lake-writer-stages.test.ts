import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionCatalog } from '../../lambdas/core/catalog/partition-catalog.js';
import type { CollectResult } from '../../lambdas/core/collector.js';
import { summarizeRun } from '../../lambdas/core/run-summary.js';
import { commitFiles, encodeGroups } from '../../lambdas/core/writers/lake-writer.js';
import { outcomesFile } from '../../lambdas/core/writers/outcomes-writer.js';
import {
  keepLatestAnswers,
  type RouteInput,
  routeInputs,
  routeRecords,
} from '../../lambdas/core/writers/route.js';
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
      groups.map((g) => [g.stem, g.answers.size, g.raw.length, g.rejected.length]),
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

  describe('the optional step: one answer per place and collection time across groups', () => {
    // Three raw files of one partition, each answering for the same place and run slot.
    const answer = (stem: string, fetchedAt: string, runId: string): RouteInput => ({
      stem,
      decoded: {
        kind: 'envelope',
        envelope: envelopeFor(sampleRecord(SAMPLES.yeouido), { fetchedAt, runId }),
      },
      source: { raw: `raw/${stem}.jsonl.gz`, line: 1 },
      arrivedAt: new Date('2026-07-16T14:20:00Z'),
      archived: true,
    });
    const survivor = (inputs: RouteInput[]) => {
      const { groups } = routeInputs(inputs, NOW, new MemoryLog());
      const kept = keepLatestAnswers(groups);
      assert.equal(kept.size, 1);
      const holders = groups.filter((g) => g.answers.size > 0);
      assert.equal(holders.length, 1, 'exactly one group keeps the answer');
      // Its rows go with it: the population row and the 12 forecast hours of the recorded answer.
      assert.deepEqual(
        [...(holders[0]?.answers.values() ?? [])].map((a) => a.rows.map((rows) => rows.length)),
        [[1, 12]],
      );
      return holders[0]?.stem;
    };

    it('keeps the latest fetch, wherever it stands among the files', () => {
      const early = answer('a', '2026-07-16T14:20:01Z', 'run-1');
      const late = answer('b', '2026-07-16T14:21:30Z', 'run-2');
      assert.equal(survivor([early, late]), 'b');
      assert.equal(survivor([late, early]), 'b');
    });

    it('on the same fetch time keeps the greater run id, as the warehouse merge orders them', () => {
      const one = answer('a', '2026-07-16T14:20:01Z', 'run-9');
      const other = answer('b', '2026-07-16T14:20:01Z', 'run-1');
      assert.equal(survivor([one, other]), 'a');
      assert.equal(survivor([other, one]), 'a');
    });

    it('on a full tie keeps the later file', () => {
      const one = answer('a', '2026-07-16T14:20:01Z', 'run-1');
      const same = answer('b', '2026-07-16T14:20:01Z', 'run-1');
      assert.equal(survivor([one, same]), 'b');
    });

    it('does not archive what was read from raw/', () => {
      const { groups } = routeInputs([answer('a', '2026-07-16T14:20:01Z', 'run-1')], NOW, new MemoryLog());
      assert.deepEqual(
        groups.map((g) => g.raw.length),
        [0],
      );
    });
  });
});
