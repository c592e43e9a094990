import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InProcessQueue } from '../../lambdas/cli/transport/in-process-queue.js';
import type { SourceRecord } from '../../lambdas/core/source-record.js';
import type { BatchWriteResult } from '../../lambdas/core/writers/lake-writer.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { MemoryLog } from '../support/memory-log.js';

const result = (records: number): BatchWriteResult => ({
  records,
  rows: { population: records, population_forecast: 0 },
  rawRecords: records,
  rejectedRecords: 0,
  flaggedRecords: 0,
  files: [],
  partitions: [],
});
const envelopes = (n: number) => Array.from({ length: n }, () => envelopeFor(sampleRecord(SAMPLES.yeouido)));

describe('in-process queue', () => {
  it('delivers records in batches with offsets, keyed like Kafka messages', async () => {
    const batches: SourceRecord[][] = [];
    const queue = new InProcessQueue({
      deliver: async (b) => {
        batches.push(b);
        return result(b.length);
      },
      log: new MemoryLog(),
      batchSize: 2,
    });
    assert.deepEqual(await queue.publish(envelopes(5)), { published: 5, refused: [] });
    assert.equal(queue.pending, 5);
    const results = await queue.drain();
    assert.deepEqual(
      batches.map((b) => b.map((r) => r.offset)),
      [[0, 1], [2, 3], [4]],
    );
    assert.equal(results.length, 3);
    assert.equal(queue.pending, 0);
    const first = batches[0]?.[0];
    assert.equal(first?.key?.toString(), 'POI072');
    assert.equal(first?.headers.schemaVersion, '1');
    assert.match(first?.topic ?? '', /^inproc-seoul\.citydata_ppltn-\d{8}T\d{6}-[0-9a-f]{4}$/);
  });

  it('delivers a failed batch again, the very same records, until it succeeds', async () => {
    const seen: number[][] = [];
    let failures = 1;
    const queue = new InProcessQueue({
      deliver: async (batch) => {
        seen.push(batch.map((r) => r.offset));
        if (failures-- > 0) throw new Error('disk full');
        return result(batch.length);
      },
      log: new MemoryLog(),
    });
    await queue.publish(envelopes(3));
    await queue.drain();
    assert.deepEqual(seen, [
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('keeps the records queued when delivery keeps failing, and says so', async () => {
    const log = new MemoryLog();
    const queue = new InProcessQueue({
      deliver: async () => Promise.reject(new Error('disk full')),
      log,
      maxDeliveries: 2,
    });
    await queue.publish(envelopes(2));
    await assert.rejects(queue.drain(), /disk full/);
    assert.equal(queue.pending, 2);
    assert.equal(log.lines.filter((l) => l.message === 'batch delivery failed').length, 2);
  });

  it('keeps counting offsets across drains', async () => {
    const offsets: number[] = [];
    const queue = new InProcessQueue({
      deliver: async (b) => {
        offsets.push(...b.map((r) => r.offset));
        return result(b.length);
      },
      log: new MemoryLog(),
      batchSize: 2,
    });
    await queue.publish(envelopes(3));
    await queue.drain();
    await queue.publish(envelopes(2));
    assert.equal(queue.pending, 2);
    await queue.drain();
    assert.deepEqual(offsets, [0, 1, 2, 3, 4]);
  });

  it('lets go of a record once it is delivered (a long demo held every answer it ever carried)', async () => {
    // A full garbage collection on demand: V8's own gc(), reached without --expose-gc at start.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const delivered: WeakRef<SourceRecord>[] = [];
    const queue = new InProcessQueue({
      deliver: async (b) => {
        for (const record of b) delivered.push(new WeakRef(record));
        return result(b.length);
      },
      log: new MemoryLog(),
      batchSize: 3,
    });
    await queue.publish(envelopes(7));
    await queue.drain();
    assert.equal(delivered.length, 7);
    // A WeakRef's target stays alive until the job that made it ends: collect in a later one.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.deepEqual(
      delivered.filter((ref) => ref.deref() !== undefined).map((ref) => ref.deref()?.offset),
      [],
      'records still held after delivery',
    );
  });

  it('names its source differently in every process, so two processes never share a file name', () => {
    const a = new InProcessQueue({ deliver: async () => result(0), log: new MemoryLog() });
    const b = new InProcessQueue({ deliver: async () => result(0), log: new MemoryLog() });
    assert.notEqual(
      (a as unknown as { sourceName: string }).sourceName,
      (b as unknown as { sourceName: string }).sourceName,
    );
  });
});
