import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { runCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { writeLiveLake } from '../support/live-lake.js';

/**
 * `npm run replay` never says "done" when it left something out: a lake with several kinds of bad
 * files at once, each in its own partition, is replayed by the command (a real process, worker
 * threads); every other partition is rebuilt, every bad file and partition is named with its
 * reason, and the exit status is 1. The oracle is the live writer's own tables, read by DuckDB
 * before they were deleted.
 */
const SLOTS = [0, 1, 2, 3, 4].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
const PLACES = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
const P = [
  'year=2026/month=07/day=16/hour=14/minute=00',
  'year=2026/month=07/day=16/hour=14/minute=20',
  'year=2026/month=07/day=16/hour=14/minute=40',
  'year=2026/month=07/day=16/hour=15/minute=00',
  'year=2026/month=07/day=16/hour=15/minute=20',
] as const;

const rowsOf = (lake: string) =>
  readParquet(
    join(lake, 'population/**/*.parquet'),
    `SELECT area_code, collected_at, fetched_at, run_id, area_population_min,
            regexp_extract(filename, 'year=.*minute=[0-9]+') AS partition
     FROM read_parquet('${join(lake, 'population/**/*.parquet')}', filename = true) ORDER BY ALL`,
  );

describe('npm run replay with bad files in raw/ (command line)', () => {
  let lake: string;
  before(async () => {
    lake = mkdtempSync(join(tmpdir(), 'replay-left-out-'));
    await writeLiveLake(new LocalFolderStore(lake), SLOTS, PLACES);
  });
  after(() => rmSync(lake, { recursive: true, force: true }));

  it('rebuilds every partition it can, names each file and partition it could not, and exits 1', async () => {
    const live = await rowsOf(lake);
    assert.equal(live.length, 15);
    rmSync(join(lake, 'population'), { recursive: true });
    rmSync(join(lake, 'population_forecast'), { recursive: true });
    const raw = (partition: string, name: string) => join(lake, 'raw', partition, name);
    // Kinds of bad entries, spread over the partitions.
    symlinkSync(join(lake, 'no-such-file'), raw(P[0], 'dangling.jsonl.gz'));
    execFileSync('mkfifo', [raw(P[0], 'pipe.jsonl.gz')]);
    mkdirSync(raw(P[1], 'folder.jsonl.gz'));
    // A link to a real archive outside the lake, with an answer no partition holds: never read.
    const outside = mkdtempSync(join(tmpdir(), 'replay-outside-'));
    const stranger = envelopeFor(sampleRecord(SAMPLES.yeouido), {
      runId: 'from-outside',
      collectedAt: SLOTS[4]?.toISOString(),
      fetchedAt: SLOTS[4]?.toISOString(),
    });
    writeFileSync(join(outside, 'a.jsonl.gz'), gzipSync(`${JSON.stringify(stranger)}\n`));
    symlinkSync(join(outside, 'a.jsonl.gz'), raw(P[4], 'linked.jsonl.gz'));
    writeFileSync(raw(P[2], 'torn.jsonl.gz'), 'not gzip at all');
    writeFileSync(raw(P[2], 'lines.jsonl.gz'), gzipSync('{"broken json\n{"not": "an envelope"}\n'));
    writeFileSync(raw(P[3], 'notes.txt'), 'a note');
    // The partition's table folder is a file: the rebuild of P[3] itself fails.
    mkdirSync(join(lake, 'population', 'year=2026/month=07/day=16/hour=15'), { recursive: true });
    writeFileSync(join(lake, 'population', P[3]), 'a file where a folder belongs');

    const rawListing = () =>
      readdirSync(join(lake, 'raw'), { recursive: true, withFileTypes: true })
        .map(
          (entry) =>
            `${entry.parentPath}/${entry.name} ${entry.isFile() ? lstatSync(join(entry.parentPath, entry.name)).size : 'not a file'}`,
        )
        .sort();
    const rawBefore = rawListing();
    const result = await runCli(['replay', '--lake', lake, '--workers', '2'], {}, 120_000);
    assert.equal(result.status, 1, `${result.stdout}\n${result.stderr}`);
    const named = (pattern: string) =>
      assert.match(result.stdout, new RegExp(`^  not replayed: ${pattern}`, 'm'), result.stdout);
    named(`raw/${P[0]}/dangling\\.jsonl\\.gz: a symbolic link \\(never followed\\)`);
    named(`raw/${P[0]}/pipe\\.jsonl\\.gz: a named pipe, not a file`);
    named(`raw/${P[1]}/folder\\.jsonl\\.gz: a folder where a file is expected`);
    named(`raw/${P[4]}/linked\\.jsonl\\.gz: a symbolic link \\(never followed\\)`);
    named(`raw/${P[2]}/torn\\.jsonl\\.gz: not gzip, or cut short`);
    named(`raw/${P[2]}/lines\\.jsonl\\.gz line 1: not JSON`);
    named(`raw/${P[2]}/lines\\.jsonl\\.gz line 2: invalid envelope`);
    named(`raw/${P[3]}/notes\\.txt: not a raw archive`);
    named(`partition ${P[3]}: cannot list population/${P[3]}: a file where a folder is expected`);
    assert.match(result.stdout, /^replayed 4 of 5 partition\(s\)/m);
    assert.match(result.stderr, /^error: 9 item\(s\) of raw\/ left out/m);

    // Every partition but the failed one holds exactly the rows the live writer wrote.
    const replayed = await rowsOf(lake);
    assert.deepEqual(
      replayed,
      live.filter((row) => row.partition !== P[3]),
    );
    assert.equal(replayed.length, 12);
    assert.ok(!existsSync(join(lake, 'rejected')), 'nothing of the linked archive reached rejected/');
    assert.deepEqual(rawListing(), rawBefore, 'raw/ is never changed');
    assert.deepEqual(readdirSync(outside), ['a.jsonl.gz']);
  });
});
