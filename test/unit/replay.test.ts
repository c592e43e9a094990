import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { rebuildPartition } from '../../lambdas/cli/replay/rebuild-partition.js';
import { replay } from '../../lambdas/cli/replay/replay.js';
import { planReplay } from '../../lambdas/cli/replay/replay-plan.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { StorageError } from '../../lambdas/core/errors.js';
import { decodeJsonLinesGzip, encodeJsonLinesGzip } from '../../lambdas/core/lake/jsonl.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { writeLiveLake } from '../support/live-lake.js';
import { MemoryLog } from '../support/memory-log.js';
import { FailingStore } from '../support/stores.js';

const SLOTS = [0, 1, 2].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
const PLACES = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
const P0 = 'year=2026/month=07/day=16/hour=14/minute=00';
const P1 = 'year=2026/month=07/day=16/hour=14/minute=20';

/** Every file of the lake's tables and rejected/, read back: Parquet by DuckDB, gzip lines decoded. */
async function tables(lake: string): Promise<Record<string, unknown>> {
  const read = async (table: string, order: string) =>
    readParquet(join(lake, `${table}/**/*.parquet`), `SELECT * FROM data ORDER BY ${order}`);
  const rejectedDir = join(lake, 'rejected');
  const rejected = files(rejectedDir).flatMap((path) => decodeJsonLinesGzip(readFileSync(path)));
  return {
    population: await read('population', 'area_code, collected_at'),
    population_forecast: await read('population_forecast', 'area_code, collected_at, forecast_time'),
    rejected,
  };
}

function files(folder: string): string[] {
  try {
    return readdirSync(folder, { recursive: true })
      .map((entry) => join(folder, String(entry)))
      .filter((path) => statSync(path).isFile())
      .sort();
  } catch {
    return [];
  }
}

/** A live lake of three runs of three places, plus one record the normalizer rejects and one poison record. */
async function liveLake(): Promise<{ lake: string; store: LocalFolderStore }> {
  const lake = mkdtempSync(join(tmpdir(), 'replay-'));
  const store = new LocalFolderStore(lake);
  await writeLiveLake(store, SLOTS, PLACES);
  const broken = { ...sampleRecord(SAMPLES.yeouido), AREA_PPLTN_MIN: 'many' };
  await writeBatch(
    sourceRecords([envelopeFor(broken, { collectedAt: SLOTS[1]?.toISOString() }), 'not json at all'], {
      topic: 'other',
      timestamp: SLOTS[1]?.getTime(),
    }),
    { store, catalog: NO_CATALOG, log: new MemoryLog() },
  );
  return { lake, store };
}

const dropTables = (lake: string) => {
  rmSync(join(lake, 'population'), { recursive: true, force: true });
  rmSync(join(lake, 'population_forecast'), { recursive: true, force: true });
};

describe('replay', () => {
  for (const workers of [0, 2]) {
    it(`rebuilds deleted tables with exactly the rows the live path wrote (${workers} worker threads)`, async () => {
      const { lake } = await liveLake();
      const live = await tables(lake);
      assert.equal((live.population as unknown[]).length, 9);
      assert.equal((live.rejected as unknown[]).length, 2);
      const liveFiles = files(lake).map((path) => path.slice(lake.length));
      dropTables(lake);
      rmSync(join(lake, 'rejected'), { recursive: true });
      const summary = await replay({ location: { kind: 'folder', path: lake }, workers });
      assert.equal(summary.partitions, 3);
      assert.equal(summary.envelopes, 10);
      assert.equal(summary.rows.population, 9);
      assert.equal(summary.rejectedRecords, 1);
      const replayed = await tables(lake);
      assert.deepEqual(replayed.population, live.population);
      assert.deepEqual(replayed.population_forecast, live.population_forecast);
      // The poison record was never an envelope: raw/ cannot hold it, so it is gone with rejected/.
      const [rejected] = replayed.rejected as Record<string, unknown>[];
      const liveRejected = (live.rejected as Record<string, unknown>[]).find((line) => line.runId);
      assert.deepEqual(
        { ...rejected, rejectedAt: undefined, source: undefined },
        { ...liveRejected, rejectedAt: undefined, source: undefined },
      );
      // The same file names as the live writer's: outputs are named after their raw files.
      const liveWithoutPoison = liveFiles.filter(
        (f) => !f.startsWith('/rejected/') || f.includes('/other-0-0.'),
      );
      assert.deepEqual(
        files(lake).map((path) => path.slice(lake.length)),
        liveWithoutPoison,
      );
    });
  }

  it('changes nothing on an untouched lake, and nothing the second time', async () => {
    const { lake } = await liveLake();
    const before = new Map(files(lake).map((path) => [path, readFileSync(path)]));
    const mtimes = new Map(files(lake).map((path) => [path, statSync(path).mtimeMs]));
    for (const round of [1, 2]) {
      const summary = await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
      assert.equal(summary.written, 0, `round ${round} wrote files`);
      assert.equal(summary.removed.length, 0);
      assert.equal(summary.unchanged, 7);
      assert.deepEqual(files(lake), [...before.keys()]);
      for (const [path, bytes] of before) {
        assert.ok(readFileSync(path).equals(bytes), `${path} changed`);
        assert.equal(statSync(path).mtimeMs, mtimes.get(path), `${path} was rewritten`);
      }
    }
  });

  it('keeps poison lines of rejected/ and the time and source of earlier rejections', async () => {
    const { lake } = await liveLake();
    const live = (await tables(lake)).rejected;
    dropTables(lake);
    await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
    assert.deepEqual((await tables(lake)).rejected, live);
  });

  it('removes a planted duplicate file, and keeps files holding rows raw/ does not have', async () => {
    const { lake } = await liveLake();
    const live = await tables(lake);
    const [original] = files(join(lake, 'population', P0));
    copyFileSync(original as string, join(lake, 'population', P0, 'planted-copy.parquet'));
    // A run whose raw file is gone: its table files are the only copy left, which replay must keep.
    const orphan = (files(join(lake, 'population', P1))[0] as string).slice(lake.length + 1);
    rmSync(join(lake, orphan.replace('population/', 'raw/').replace(/\.parquet$/, '.jsonl.gz')));
    const summary = await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
    assert.deepEqual(summary.removed, [`population/${P0}/planted-copy.parquet`]);
    assert.deepEqual(
      summary.kept.map((k) => [k.key, k.reason]),
      [orphan, orphan.replace('population/', 'population_forecast/')].map((key) => [
        key,
        `${key.startsWith('population/') ? 3 : 36} row(s) whose (place, collection time) is not in raw/`,
      ]),
    );
    assert.deepEqual(await tables(lake), live);
  });

  it('keeps one row per place and collection time across a partition (the latest answer wins)', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'replay-dup-'));
    const store = new LocalFolderStore(lake);
    const record = sampleRecord(SAMPLES.yeouido);
    const deps = { store, catalog: NO_CATALOG, log: new MemoryLog() };
    await writeBatch(
      sourceRecords([envelopeFor(record, { runId: 'first', fetchedAt: '2026-07-16T14:20:01Z' })], {
        topic: 'a',
      }),
      deps,
    );
    await writeBatch(
      sourceRecords([envelopeFor(record, { runId: 'retry', fetchedAt: '2026-07-16T14:21:30Z' })], {
        topic: 'b',
      }),
      deps,
    );
    assert.equal((await readParquet(join(lake, 'population/**/*.parquet'))).length, 2);
    await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
    const rows = await readParquet(join(lake, 'population/**/*.parquet'));
    assert.deepEqual(
      rows.map((r) => r.run_id),
      ['retry'],
    );
  });

  it('replays only the partitions from --since to --until, inclusive', async () => {
    const { lake } = await liveLake();
    dropTables(lake);
    const summary = await replay({
      location: { kind: 'folder', path: lake },
      workers: 0,
      since: new Date('2026-07-16T05:20:00Z'),
      until: new Date('2026-07-16T05:20:59.999Z'),
    });
    assert.equal(summary.partitions, 1);
    assert.deepEqual(readdirSync(join(lake, 'population', 'year=2026/month=07/day=16/hour=14')), [
      'minute=20',
    ]);
  });

  it('replays a loose archive anywhere under raw/, into the partitions of its envelopes', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'replay-loose-'));
    const envelopes = SLOTS.slice(0, 2).map((slot) =>
      envelopeFor(sampleRecord(SAMPLES.yeouido), {
        collectedAt: slot.toISOString(),
        fetchedAt: slot.toISOString(),
      }),
    );
    const path = join(lake, 'raw', 'restored from backup', 'old archive.jsonl.gz');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, encodeJsonLinesGzip(envelopes));
    const summary = await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
    assert.equal(summary.partitions, 2);
    assert.deepEqual(
      files(join(lake, 'population')).map((p) => p.slice(lake.length)),
      [
        `/population/${P0}/restored-restored_from_backup_old_archive.parquet`,
        `/population/${P1}/restored-restored_from_backup_old_archive.parquet`,
      ],
    );
  });

  it('reports a broken raw line and an envelope filed in the wrong partition, and replays the rest', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'replay-broken-'));
    const good = envelopeFor(sampleRecord(SAMPLES.yeouido), { collectedAt: SLOTS[0]?.toISOString() });
    const elsewhere = envelopeFor(sampleRecord(SAMPLES.yeouido), { collectedAt: SLOTS[1]?.toISOString() });
    const path = join(lake, 'raw', P0, 'mixed.jsonl.gz');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(`${JSON.stringify(good)}\n{"half": \n${JSON.stringify(elsewhere)}\n`));
    const summary = await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
    assert.equal(summary.rows.population, 1);
    assert.deepEqual(
      summary.unreadable.map((u) => [u.key, u.line]),
      [[`raw/${P0}/mixed.jsonl.gz`, 2]],
    );
    assert.match(summary.unreadable[0]?.reason ?? '', /not JSON/);
    assert.deepEqual(summary.misfiled, [{ key: `raw/${P0}/mixed.jsonl.gz`, line: 3, belongsTo: P1 }]);
  });

  it('with --places, rebuilds only the partitions holding those places', async () => {
    const { lake } = await liveLake();
    dropTables(lake);
    const summary = await replay({
      location: { kind: 'folder', path: lake },
      workers: 0,
      places: ['POI072'],
    });
    // POI072 is in every run, and its rejected record is in the second: all three, whole.
    assert.equal(summary.partitionsRebuilt, 3);
    assert.equal(summary.rows.population, 9);
    const none = await replay({ location: { kind: 'folder', path: lake }, workers: 0, places: ['POI002'] });
    assert.equal(none.partitionsRebuilt, 0);
    assert.equal(none.written + none.unchanged, 0);
  });

  it('on a dry run says what it would write and remove, and changes nothing', async () => {
    const { lake } = await liveLake();
    dropTables(lake);
    const before = files(lake);
    const summary = await replay({ location: { kind: 'folder', path: lake }, workers: 0, dryRun: true });
    assert.equal(summary.written, 6);
    assert.equal(summary.unchanged, 1);
    assert.deepEqual(files(lake), before);
  });

  it('stopped by a storage failure midway, leaves every file whole (old or new), and a second run finishes', async () => {
    const { lake, store } = await liveLake();
    const live = await tables(lake);
    const planted = join(lake, 'population', P1, 'planted-copy.parquet');
    copyFileSync(files(join(lake, 'population', P1))[0] as string, planted);
    dropTables(lake);
    mkdirSync(dirname(planted), { recursive: true });
    writeFileSync(planted, readFileSync(files(join(lake, 'raw', P1))[0] as string)); // garbage, not Parquet
    const failing = new FailingStore(store, 3);
    const plan = await planReplay(failing, {});
    await assert.rejects(
      (async () => {
        for (const job of plan.partitions) await rebuildPartition({ ...job, dryRun: false }, failing);
      })(),
      StorageError,
    );
    // No temporary file is left, and what was written reads whole; removals had not started.
    assert.equal(files(lake).filter((p) => p.endsWith('.tmp')).length, 0);
    assert.equal(failing.puts, 3);
    await readParquet(join(lake, `population/${P0}/*.parquet`));
    assert.ok(files(join(lake, 'population', P1)).includes(planted));
    const summary = await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
    assert.deepEqual(summary.removed, [`population/${P1}/planted-copy.parquet`]);
    assert.deepEqual(await tables(lake), live);
  });
});
