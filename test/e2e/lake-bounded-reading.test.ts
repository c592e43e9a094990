import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { spawnCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';
import { multiMemberBomb, singleMemberBomb } from '../support/gzip-bombs.js';
import { writeLiveLake } from '../support/live-lake.js';
import { followPeakRss } from '../support/peak-rss.js';

/**
 * Bounded reading, through the commands: a lake whose raw/ and rejected/ hold gzip bombs (one of
 * many members, 2.6 MB → 2.6 GiB, and one single member, 512 MiB), an endless line (1 GiB, no
 * newline) and a 20 MiB line followed by good envelopes. `replay`, `check` and `check --fix` each
 * name every offending file, process the rest, exit 1, and stay under 1 GiB of resident memory
 * (the kernel's high-water mark of the process, threads included).
 */
const SLOTS = [0, 1, 2].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
const PLACES = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
const P = [
  'year=2026/month=07/day=16/hour=14/minute=00',
  'year=2026/month=07/day=16/hour=14/minute=20',
  'year=2026/month=07/day=16/hour=14/minute=40',
] as const;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  peak: number;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, {});
    const rss = followPeakRss(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, peak: rss.peak() });
    });
  });
}

const rowsOf = (lake: string) =>
  readParquet(
    join(lake, 'population/**/*.parquet'),
    'SELECT area_code, collected_at, run_id FROM data ORDER BY ALL',
  );

describe('bounded reading: gzip bombs and endless lines (command line)', () => {
  let lake: string;
  let live: Record<string, unknown>[];
  before(async () => {
    lake = mkdtempSync(join(tmpdir(), 'bounded-'));
    await writeLiveLake(new LocalFolderStore(lake), SLOTS, PLACES);
    live = await rowsOf(lake);
    const raw = (partition: string, name: string) => join(lake, 'raw', partition, name);
    writeFileSync(raw(P[0], 'bomb.jsonl.gz'), multiMemberBomb(2600));
    await singleMemberBomb(raw(P[1], 'single-bomb.jsonl.gz'), 512);
    writeFileSync(raw(P[1], 'endless.jsonl.gz'), multiMemberBomb(1024, 'a'.charCodeAt(0)));
    // A 20 MiB line, then the good envelopes of P[2] again: the long line is named, the rest read.
    const [good] = readdirSync(join(lake, 'raw', P[2]));
    const goodLines = gunzipSync(readFileSync(raw(P[2], good as string)));
    writeFileSync(
      raw(P[2], 'long-line.jsonl.gz'),
      gzipSync(Buffer.concat([Buffer.alloc(20 * MIB, 'x'), Buffer.from('\n'), goodLines])),
    );
    writeFileSync(join(lake, 'raw', 'loose-bomb.jsonl.gz'), multiMemberBomb(300));
    mkdirSync(join(lake, 'rejected', P[0]), { recursive: true });
    writeFileSync(join(lake, 'rejected', P[0], 'bomb.jsonl.gz'), multiMemberBomb(300));
  });
  after(() => rmSync(lake, { recursive: true, force: true }));

  const sayPeak = (t: TestContext, what: string, result: Run) =>
    t.diagnostic(`${what}: peak RSS ${(result.peak / MIB).toFixed(0)} MiB, exit ${result.status}`);

  it('replay names each bomb and long line, rebuilds every table, exits 1, under 1 GiB', async (t) => {
    rmSync(join(lake, 'population'), { recursive: true });
    rmSync(join(lake, 'population_forecast'), { recursive: true });
    const result = await run(['replay', '--lake', lake, '--workers', '2']);
    sayPeak(t, 'replay', result);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const named = (pattern: string) =>
      assert.match(result.stdout, new RegExp(`^  not replayed: ${pattern}`, 'm'), result.stdout);
    named(`raw/${P[0]}/bomb\\.jsonl\\.gz: decompresses to more than 64 MiB`);
    named(`raw/${P[1]}/single-bomb\\.jsonl\\.gz: decompresses to more than 64 MiB`);
    named(`raw/${P[1]}/endless\\.jsonl\\.gz: decompresses to more than 64 MiB`);
    named(`raw/${P[2]}/long-line\\.jsonl\\.gz line 1: line longer than 16 MiB`);
    named('raw/loose-bomb\\.jsonl\\.gz: decompresses to more than 64 MiB');
    assert.match(result.stdout, /^replayed 3 of 3 partition\(s\)/m);
    // Every row the live writer wrote is back, none more (the long-line file repeats P[2]'s answers).
    assert.deepEqual(await rowsOf(lake), live);
    assert.ok(result.peak < GIB, `peak RSS ${result.peak}`);
  });

  it('check names each of them (never "healthy"), exits 1, under 1 GiB; --fix says it cannot repair them', async (t) => {
    const result = await run(['check', '--lake', lake]);
    sayPeak(t, 'check', result);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /healthy/);
    for (const pattern of [
      `raw/${P[0]}/bomb\\.jsonl\\.gz: decompresses to more than 64 MiB`,
      `raw/${P[1]}/single-bomb\\.jsonl\\.gz: decompresses to more than 64 MiB`,
      `raw/${P[1]}/endless\\.jsonl\\.gz: decompresses to more than 64 MiB`,
      `raw/${P[2]}/long-line\\.jsonl\\.gz line 1: line longer than 16 MiB`,
      'raw/loose-bomb\\.jsonl\\.gz: decompresses to more than 64 MiB',
      `rejected/${P[0]}/bomb\\.jsonl\\.gz: decompresses to more than 64 MiB`,
    ])
      assert.match(result.stdout, new RegExp(`^  ${pattern}.*\\[not repairable from raw/\\]$`, 'm'));
    assert.match(result.stdout, /: 6 problem\(s\) in 2 check\(s\); 0 repairable/);
    assert.ok(result.peak < GIB, `peak RSS ${result.peak}`);

    const fixed = await run(['check', '--lake', lake, '--fix', '--workers', '2']);
    sayPeak(t, 'check --fix', fixed);
    assert.equal(fixed.status, 1);
    assert.match(fixed.stdout, /^not fixed: the 6 problem\(s\) above remain \(6 not repairable from raw\/;/m);
    assert.ok(fixed.peak < GIB, `peak RSS ${fixed.peak}`);
  });
});
