import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { runCli } from '../support/cli.js';
import { queryDuckDb } from '../support/duckdb.js';
import { writeLiveLake } from '../support/live-lake.js';

/**
 * Containment through the commands a person runs: a lake whose partition folders are links to
 * folders outside it (the case: replay followed one and deleted a file there), with a link
 * to a file outside and a dead writer's temporary file behind a link. `check`, `check --fix`,
 * `replay` and `demo --once` run on it; nothing outside changes (every path, size, byte and
 * modification time), check names each link, and --fix ends naming exactly what it cannot fix.
 */
const SLOTS = [0, 1, 2].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
const PLACES = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
const P1 = 'year=2026/month=07/day=16/hour=14/minute=20';
const P2 = 'year=2026/month=07/day=16/hour=14/minute=40';

/** Every entry under a folder with its size, bytes' hash and modification time. */
function snapshot(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      const info = statSync(path);
      const hash = info.isFile()
        ? createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)
        : 'dir';
      return `${path.slice(folder.length)} ${info.size} ${hash} ${info.mtimeMs}`;
    })
    .sort();
}

describe('containment: no command reaches outside the lake (command line)', () => {
  let lake: string;
  let outside: string;
  let outsideBefore: string[];
  before(async () => {
    lake = mkdtempSync(join(tmpdir(), 'contained-'));
    outside = mkdtempSync(join(tmpdir(), 'outside-'));
    await writeLiveLake(new LocalFolderStore(lake), SLOTS, PLACES);
    writeFileSync(join(lake, '_SIMULATED'), 'simulated\n');
    // population/P1 now lives outside, linked; beside its files, one raw/ never named (replay
    // once deleted such a file through the link) and a dead writer's temporary file.
    renameSync(join(lake, 'population', P1), join(outside, 'population-p1'));
    writeFileSync(join(outside, 'population-p1', 'someone-elses.parquet'), 'not a lake file');
    writeFileSync(join(outside, 'population-p1', 'x.parquet.999999-abcdef01.tmp'), 'a dead writer elsewhere');
    symlinkSync(join(outside, 'population-p1'), join(lake, 'population', P1));
    // raw/P2 is a link to a copy outside; a file link points at a raw archive outside.
    cpSync(join(lake, 'raw', P2), join(outside, 'raw-p2'), { recursive: true });
    rmSync(join(lake, 'raw', P2), { recursive: true });
    symlinkSync(join(outside, 'raw-p2'), join(lake, 'raw', P2));
    const [rawFile] = readdirSync(join(outside, 'raw-p2'));
    symlinkSync(join(outside, 'raw-p2', rawFile as string), join(lake, 'raw', P1, 'linked.jsonl.gz'));
    outsideBefore = snapshot(outside);
  });
  after(() => {
    rmSync(lake, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const notFollowed = [
    `population/${P1}: a symbolic link (never followed)`,
    `raw/${P1}/linked.jsonl.gz: a symbolic link (never followed)`,
    `raw/${P2}: a symbolic link (never followed)`,
  ];

  it('check names each link, never reads through one, and exits 1', async () => {
    const result = await runCli(['check', '--lake', lake], {}, 120_000);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const section = result.stdout.split('\n');
    const start = section.indexOf(
      `links, pipes and folders the layout does not expect (never followed or read) (3):`,
    );
    assert.ok(start >= 0, result.stdout);
    assert.deepEqual(
      section.slice(start + 1, start + 4),
      notFollowed.map((text) => `  ${text}  [not repairable from raw/]`),
    );
    assert.deepEqual(snapshot(outside), outsideBefore);
  });

  it('check --fix repairs nothing through a link, names what it cannot fix, and exits 1', async () => {
    const result = await runCli(['check', '--lake', lake, '--fix', '--workers', '2'], {}, 120_000);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    // P1's rows are behind the link: its replay is refused, by name, and its findings remain.
    assert.match(
      result.stdout,
      new RegExp(
        `^  not replayed: partition ${P1}: cannot list population/${P1}: a symbolic link \\(never followed\\)$`,
        'm',
      ),
    );
    for (const text of notFollowed)
      assert.match(
        result.stdout,
        new RegExp(`^  cannot repair from raw/: .*: ${text.replace(/[()]/g, '\\$&')}$`, 'm'),
      );
    const afterFix = result.stdout.slice(result.stdout.indexOf('after the fix:'));
    assert.match(afterFix, /^not fixed: the \d+ problem\(s\) above remain/m);
    assert.match(afterFix, new RegExp(`^  raw/${P1}/\\S+\\.jsonl\\.gz line 1: POI001 of run sim-`, 'm'));
    assert.deepEqual(snapshot(outside), outsideBefore);
  });

  it('replay never reads, writes or removes through a link, names each, and exits 1', async () => {
    const result = await runCli(['replay', '--lake', lake, '--workers', '2'], {}, 120_000);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    for (const text of notFollowed.slice(1))
      assert.match(result.stdout, new RegExp(`^  not replayed: ${text.replace(/[()]/g, '\\$&')}$`, 'm'));
    assert.match(result.stdout, new RegExp(`^  not replayed: partition ${P1}: `, 'm'));
    assert.deepEqual(snapshot(outside), outsideBefore);
  });

  it('query and report read no Parquet file through a link (a linked file, a linked folder)', async () => {
    // A lake of another place (POI002) outside; one of its files and one of its folders linked in.
    const stranger = join(outside, 'stranger-lake');
    await writeLiveLake(
      new LocalFolderStore(stranger),
      [new Date('2026-07-16T07:00:00Z')],
      [findPlace('POI002') as Place],
    );
    const strangerHour = join(stranger, 'population', 'year=2026/month=07/day=16/hour=16');
    const [minute] = readdirSync(strangerHour);
    const [file] = readdirSync(join(strangerHour, minute as string));
    symlinkSync(
      join(strangerHour, minute as string, file as string),
      join(lake, 'population', P2, 'linked.parquet'),
    );
    symlinkSync(strangerHour, join(lake, 'population', 'year=2026/month=07/day=16/hour=16'));
    outsideBefore = snapshot(outside);
    const query = await runCli(
      ['query', 'SELECT DISTINCT area_code FROM population ORDER BY 1', '--lake', lake, '--format', 'csv'],
      {},
      120_000,
    );
    assert.equal(query.status, 0, query.stderr);
    assert.deepEqual(query.stdout.trim().split(/\r?\n/), ['area_code', 'POI001', 'POI009', 'POI072']);
    const report = await runCli(['report', '--lake', lake], {}, 300_000);
    assert.equal(report.status, 0, report.stderr);
    const loaded = await queryDuckDb(
      `ATTACH '${join(lake, '_warehouse', 'analysis.duckdb')}' AS w (READ_ONLY)`,
      'SELECT DISTINCT area_code FROM w.population ORDER BY 1',
    );
    assert.deepEqual(
      loaded.map((row) => row.area_code),
      ['POI001', 'POI009', 'POI072'],
    );
    assert.deepEqual(snapshot(outside), outsideBefore);
  });

  it('demo --once writes its run and settles nothing through a link', async () => {
    const result = await runCli(['demo', '--once', '--lake', lake, '--places', 'POI001'], {}, 120_000);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(snapshot(outside), outsideBefore);
  });
});
