import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PartitionJob, PartitionResult } from '../../lambdas/cli/replay/rebuild-partition.js';
import { planReplay } from '../../lambdas/cli/replay/replay-plan.js';
import { type FailedPartition, runOnWorkers } from '../../lambdas/cli/replay/worker-pool.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeLiveLake } from '../support/live-lake.js';

/**
 * The replay's worker pool never drops a partition: each job ends as a result or as a failure
 * with its reason, whether the rebuild throws or the worker thread itself dies (real threads; a
 * heap cap too small to load the worker makes them die).
 */
const SLOTS = Array.from({ length: 12 }, (_, i) => i).map(
  (i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000),
);

async function lakeJobs(): Promise<{ lake: string; jobs: PartitionJob[] }> {
  const lake = mkdtempSync(join(tmpdir(), 'workers-'));
  const store = new LocalFolderStore(lake);
  await writeLiveLake(store, SLOTS, [findPlace('POI001') as Place]);
  const plan = await planReplay(store, {});
  return { lake, jobs: plan.partitions.map((p) => ({ ...p, dryRun: true })) };
}

async function pool(jobs: PartitionJob[], lake: string, heapMb?: number) {
  const results: PartitionResult[] = [];
  const failures: FailedPartition[] = [];
  await runOnWorkers(
    { kind: 'folder', path: lake },
    jobs,
    2,
    (r) => results.push(r),
    (f) => failures.push(f),
    heapMb,
  );
  return { results, failures };
}

describe('replay worker pool', () => {
  it('names a partition whose rebuild throws, and rebuilds the others', async () => {
    const { lake, jobs } = await lakeJobs();
    assert.equal(jobs.length, 12);
    // The first partition's table folder is a file: its rebuild throws in the worker.
    const path = `population/year=2026/month=07/day=16/hour=14/minute=00`;
    rmSync(join(lake, path), { recursive: true });
    writeFileSync(join(lake, path), 'not a folder');
    const { results, failures } = await pool(jobs, lake);
    assert.deepEqual(
      failures.map((f) => f.partition),
      [path.slice('population/'.length)],
    );
    assert.match(failures[0]?.reason ?? '', /a file where a folder is expected/);
    assert.equal(results.length, 11);
  });

  it('fails, by name, every partition a dying worker held or never got to: none is dropped', async () => {
    const { lake, jobs } = await lakeJobs();
    const { results, failures } = await pool(jobs, lake, 4);
    assert.equal(results.length + failures.length, jobs.length);
    assert.equal(failures.length, jobs.length, 'no worker can load within 4 MB');
    assert.deepEqual(
      failures.map((f) => f.partition).sort(),
      jobs
        .map(
          (j) =>
            `year=${j.partition.year}/month=${j.partition.month}/day=${j.partition.day}/hour=${j.partition.hour}/minute=${j.partition.minute}`,
        )
        .sort(),
    );
    // Two workers of two jobs each, then two replacements, die holding their jobs; the rest were
    // never started and say so.
    assert.equal(failures.filter((f) => /^replay worker stopped: .*memory/.test(f.reason)).length, 8);
    assert.equal(
      failures.filter((f) =>
        /^not attempted: the replay workers kept stopping \(last: replay worker stopped/.test(f.reason),
      ).length,
      4,
    );
  });
});
