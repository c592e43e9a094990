import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PENDING_RUNS } from '../../lambdas/cli/lake-files.js';
import { notePendingRun } from '../../lambdas/cli/pipeline/run-journal.js';
import {
  finishLocalRuns,
  type LocalRunDeps,
  recoverUnfinishedRuns,
  runOnce,
} from '../../lambdas/cli/pipeline/runner.js';
import { InProcessQueue } from '../../lambdas/cli/transport/in-process-queue.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { selectPlaces } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { readParquet } from '../support/duckdb.js';
import { FullDiskStore } from '../support/full-disk-store.js';
import { HostileApi } from '../support/hostile-api.js';
import { MemoryLog } from '../support/memory-log.js';

const KEY = 'ordering-test-key';
const PLACES = selectPlaces(['POI001', 'POI002', 'POI003']);
const AT = new Date('2026-07-16T14:20:00Z');
const NEXT = new Date('2026-07-16T14:40:00Z');

/** Outcomes last: a place says ok only once its row (or rejection) is in the lake. */
describe('local run: archive, tables, then outcomes', () => {
  const api = new HostileApi({ key: KEY, now: () => new Date('2026-07-16T14:35:00Z') });
  let baseUrl: string;
  let folder: string;
  let store: FullDiskStore;
  let log: MemoryLog;
  let outcomesSeenByWriter: string[][];

  const deps = (): LocalRunDeps => {
    const transport = new InProcessQueue({
      deliver: async (batch) => {
        outcomesSeenByWriter.push(await store.list('collection_outcomes/'));
        return writeBatch(batch, { store, catalog: NO_CATALOG, log });
      },
      log,
      maxDeliveries: 1,
    });
    const client = new SeoulApiClient({ baseUrl, apiKey: KEY, timeoutMs: 2_000, log });
    return {
      client,
      places: PLACES,
      transport,
      store,
      log,
      concurrency: 3,
      runTimeoutMs: 10_000,
      simulated: true,
    };
  };
  const outcomes = async () =>
    (await readParquet(
      `${folder}/collection_outcomes/**/*.parquet`,
      'SELECT run_id, area_code, status, reason FROM data ORDER BY run_id, area_code',
    )) as { run_id: string; area_code: string; status: string; reason: string | null }[];
  const rows = async () =>
    (
      await readParquet(
        `${folder}/population/**/*.parquet`,
        'SELECT run_id, area_code FROM data ORDER BY 1, 2',
      )
    ).map((r) => `${r.run_id}|${r.area_code}`);

  before(async () => {
    baseUrl = await api.start();
  });
  after(() => api.stop());
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'run-ordering-'));
    store = new FullDiskStore(new LocalFolderStore(folder));
    log = new MemoryLog();
    outcomesSeenByWriter = [];
  });

  it('writes the outcomes only after the writer has written the answers', async () => {
    const summary = await runOnce(deps(), AT);
    assert.deepEqual(outcomesSeenByWriter, [[]], 'no outcome existed while the writer wrote');
    assert.equal(summary.places.ok, 3);
    assert.equal((await outcomes()).length, 3);
    assert.equal((await rows()).length, 3);
    assert.deepEqual(await store.list(PENDING_RUNS), [], 'the run is no longer pending');
  });

  it('a disk that fills during the writer: no ok outcome; at exit the places fail with the reason', async () => {
    const d = deps();
    store.full = (key) => key.startsWith('raw/') || key.startsWith('population');
    const summary = await runOnce(d, AT);
    assert.deepEqual(summary.waiting, { places: 3, reason: 'lake not writable: ENOSPC' });
    assert.deepEqual(await outcomes().catch(() => []), [], 'no outcome claims anything yet');
    const notice = await finishLocalRuns(d);
    assert.match(
      notice ?? '',
      /3 answer\(s\) could not be written \(lake not writable: ENOSPC\) and were dropped/,
    );
    const written = await outcomes();
    assert.equal(written.length, 3);
    for (const outcome of written) {
      assert.equal(outcome.status, 'failed');
      assert.match(outcome.reason ?? '', /^answer not written to the lake: lake not writable: ENOSPC/);
    }
  });

  it('a disk that fills and frees again: the waiting run is completed and settled by the next one', async () => {
    const d = deps();
    store.full = (key) => key.startsWith('population');
    const first = await runOnce(d, AT);
    assert.equal(first.waiting?.reason, 'lake not writable: ENOSPC');
    store.full = () => false;
    const second = await runOnce(d, NEXT);
    assert.equal(second.places.ok, 3);
    const written = await outcomes();
    assert.equal(written.length, 6);
    assert.ok(written.every((o) => o.status === 'ok'));
    assert.deepEqual(
      (await rows()).map((r) => r.split('|')[0]).sort(),
      [...written.map((o) => o.run_id)].sort(),
      'every ok outcome has its row',
    );
  });

  it('after a crash between the archive and the tables, the next start restores the rows and settles the run', async () => {
    // What a kill leaves: the run's note, its answers in raw/ but no table file, a temporary file.
    const d = deps();
    store.full = (key) => key.startsWith('population');
    const crashed = await runOnce(d, AT);
    store.full = () => false;
    const deadPid = 2 ** 22 + 12_345; // above Linux's PID limit: never a live process
    const partition = 'year=2026/month=07/day=16/hour=23/minute=20';
    writeFileSync(join(folder, 'raw', partition, `x.jsonl.gz.${deadPid}-abcd.tmp`), 'half');
    await notePendingRun(store, {
      runId: 'sim-never-collected',
      collectedAt: NEXT.toISOString(),
      places: ['POI001'],
    });

    const restarted = deps();
    const recovery = await recoverUnfinishedRuns(restarted);
    assert.deepEqual(recovery.removedTemporaryFiles, [`raw/${partition}/x.jsonl.gz.${deadPid}-abcd.tmp`]);
    assert.deepEqual(recovery.settledRuns.map((r) => [r.ok, r.failed]).sort(), [
      [0, 1],
      [3, 0],
    ]);
    assert.equal(
      (await rows()).filter((r) => r.startsWith(crashed.runId)).length,
      3,
      'rows rebuilt from raw/',
    );
    const never = (await outcomes()).filter((o) => o.run_id === 'sim-never-collected');
    assert.deepEqual(never, [
      {
        run_id: 'sim-never-collected',
        area_code: 'POI001',
        status: 'failed',
        reason: 'not collected: the process ended before the run finished',
      },
    ]);
    const leftovers = (await readdir(folder, { recursive: true })).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
    assert.deepEqual(await store.list(PENDING_RUNS), []);
  });
});
