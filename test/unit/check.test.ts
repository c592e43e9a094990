import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { checkLake, fixLake } from '../../lambdas/cli/check/check-lake.js';
import type { CheckName, Problem } from '../../lambdas/cli/check/problems.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { POPULATION } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { COLLECTION_OUTCOMES } from '../../lambdas/core/schema.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { writeRunOutcomes } from '../../lambdas/core/writers/outcomes-writer.js';
import { queryDuckDb, readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { writeLiveLake } from '../support/live-lake.js';
import { MemoryLog } from '../support/memory-log.js';

const SLOTS = [0, 1, 2].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
const PLACES = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
const P0 = 'year=2026/month=07/day=16/hour=14/minute=00';
const P1 = 'year=2026/month=07/day=16/hour=14/minute=20';
const SETTINGS = { staleMinutes: 60, leftoverAgeMs: 60 * 60_000, runIntervalMinutes: 20 };

let base: string;
before(async () => {
  base = mkdtempSync(join(tmpdir(), 'check-base-'));
  await writeLiveLake(new LocalFolderStore(base), SLOTS, PLACES);
});
after(() => rmSync(base, { recursive: true, force: true }));

/** A copy of the healthy lake to plant a problem in. */
function copyOfBase(): string {
  const lake = mkdtempSync(join(tmpdir(), 'check-'));
  cpSync(base, lake, { recursive: true });
  return lake;
}
const only = (lake: string, area: string, partition: string) => {
  const folder = join(lake, area, partition);
  return join(folder, readdirSync(folder).sort()[0] as string);
};
const location = (lake: string) => ({ kind: 'folder' as const, path: lake });
const named = (problems: Problem[], check: CheckName) => problems.filter((p) => p.check === check);

async function writeRecords(lake: string, payload: Record<string, unknown>, slot: Date) {
  await writeBatch(
    sourceRecords(
      [envelopeFor(payload, { collectedAt: slot.toISOString(), fetchedAt: slot.toISOString() })],
      {
        topic: 'planted',
      },
    ),
    { store: new LocalFolderStore(lake), catalog: NO_CATALOG, log: new MemoryLog() },
  );
}

/** Plants the problem, expects check to name it (only it), and, if repairable, `--fix` to repair it. */
async function expectProblem(
  plant: (lake: string) => Promise<void> | void,
  check: CheckName,
  text: RegExp,
  repairable: boolean,
): Promise<void> {
  const lake = copyOfBase();
  await plant(lake);
  const { problems } = await checkLake(location(lake), SETTINGS);
  const found = named(problems, check);
  assert.ok(found.length > 0, `no ${check} problem in ${JSON.stringify(problems, null, 1)}`);
  assert.match(found[0]?.text ?? '', text);
  assert.equal(
    found.every((p) => p.repair !== undefined),
    repairable,
    `repairable should be ${repairable}: ${JSON.stringify(found)}`,
  );
  if (!repairable) return;
  const outcome = await fixLake(location(lake), problems, 0);
  assert.deepEqual(
    outcome.unrepairable,
    problems.filter((p) => !p.repair),
  );
  assert.deepEqual((await checkLake(location(lake), SETTINGS)).problems, outcome.unrepairable);
}

describe('check', () => {
  it('finds nothing wrong in a lake the live path wrote', async () => {
    const report = await checkLake(location(base), SETTINGS);
    assert.deepEqual(report.problems, []);
  });

  it("takes the report's analysis database (_warehouse/) as part of a healthy lake", async () => {
    const lake = copyOfBase();
    mkdirSync(join(lake, '_warehouse'));
    writeFileSync(join(lake, '_warehouse', 'analysis.duckdb'), 'derived');
    writeFileSync(join(lake, '_SIMULATED'), '');
    writeFileSync(join(lake, 'report.html'), '<html>');
    assert.deepEqual((await checkLake(location(lake), SETTINGS)).problems, []);
    writeFileSync(join(lake, 'notes.txt'), '');
    assert.deepEqual(
      named((await checkLake(location(lake), SETTINGS)).problems, 'stray').map((p) => p.text),
      ['notes.txt: unknown file at the top of the lake'],
    );
  });

  it('names an unreadable Parquet file, and --fix removes it', () =>
    expectProblem(
      (lake) => writeFileSync(join(lake, 'population', P0, 'torn.parquet'), 'PAR1 half a file'),
      'unreadable',
      new RegExp(`^population/${P0}/torn\\.parquet: `),
      true,
    ));

  it('names a Parquet file with another schema, and --fix removes it', () =>
    expectProblem(
      async (lake) => {
        const path = join(lake, 'population_forecast', P1, 'other.parquet');
        await queryDuckDb('', `COPY (SELECT 1 AS area_code, 'x' AS extra) TO '${path}' (FORMAT parquet)`);
      },
      'schema',
      new RegExp(
        `^population_forecast/${P1}/other\\.parquet: missing collected_at TIMESTAMP, .*unexpected area_code INTEGER`,
      ),
      true,
    ));

  it('names rows filed under the wrong partition, and --fix rewrites the file from raw/', () =>
    expectProblem(
      (lake) => cpSync(only(lake, 'population', P0), only(lake, 'population', P1)),
      'wrong-partition',
      new RegExp(
        `^population/${P1}/.*\\.parquet: 3 row\\(s\\) collected at 2026-07-16 14:00 KST belong in ${P0}$`,
      ),
      true,
    ));

  it('names a row held twice, with partition, place and files, and --fix removes the copy', () =>
    expectProblem(
      (lake) => cpSync(only(lake, 'population', P1), join(lake, 'population', P1, 'copy.parquet')),
      'duplicate',
      new RegExp(
        `^population ${P1}: POI001 collected at 2026-07-16 14:20 KST held 2 times, in copy\\.parquet, inproc-`,
      ),
      true,
    ));

  it('names raw envelopes in no table, and --fix replays them', () =>
    expectProblem(
      (lake) => rmSync(join(lake, 'population', P1), { recursive: true }),
      'unaccounted',
      new RegExp(`^raw/${P1}/.*\\.jsonl\\.gz line 1: POI001 of run sim-`),
      true,
    ));

  it('names a raw line that is not an envelope (not repairable)', () =>
    expectProblem(
      (lake) => writeFileSync(join(lake, 'raw', P0, 'other.jsonl.gz'), gzipSync('{"not": "an envelope"}\n')),
      'raw-unreadable',
      new RegExp(`^raw/${P0}/other\\.jsonl\\.gz line 1: invalid envelope: `),
      false,
    ));

  it('names an ok outcome whose row and envelope are both gone (not repairable)', () =>
    expectProblem(
      (lake) => {
        rmSync(join(lake, 'population', P1), { recursive: true });
        rmSync(join(lake, 'raw', P1), { recursive: true });
      },
      'ok-without-row',
      /^run sim-\S+ \(2026-07-16 14:20 KST\): POI001 ok but no population row and no envelope in raw\/$/,
      false,
    ));

  it('names a run with fewer places than asked, and why', () =>
    expectProblem(
      async (lake) => {
        const row = (area_code: string, status: string, reason: string | null) => ({
          collected_at: SLOTS[0] as Date,
          run_id: 'partial-run',
          area_code,
          status,
          reason,
          attempts: 4,
          duration_ms: 100,
        });
        const path = join(lake, 'collection_outcomes', P0, 'partial-run.parquet');
        writeFileSync(
          path,
          await encodeParquet(COLLECTION_OUTCOMES, [
            row('POI001', 'ok', null),
            row('POI009', 'failed', 'HTTP 503 after 4 attempts'),
          ]),
        );
      },
      'incomplete-run',
      /^run partial-run \(2026-07-16 14:00 KST\): 1 of 2 places \(0 no data, 1 failed: HTTP 503 after 4 attempts\)$/,
      false,
    ));

  it('names stale data', () =>
    expectProblem(
      (lake) =>
        writeRecords(
          lake,
          { ...sampleRecord(SAMPLES.yeouido), PPLTN_TIME: '2026-07-16 11:30' },
          SLOTS[1] as Date,
        ),
      'stale',
      /^run 20260716T1420Z-abcdef \(2026-07-16 14:20 KST\): 1 place\(s\) with data more than 60 min old \(worst 170 min\): POI072$/,
      false,
    ));

  it('names future-dated rows and rows from before the API, and --fix rebuilds the partition from raw/', async () => {
    // What an older writer (or another one) could have stored: one row's time moved.
    const plant = (time: string) => async (lake: string) => {
      const file = only(lake, 'population', P1);
      const rows = await readParquet(file);
      rows[0] = { ...rows[0], population_time: new Date(time) };
      writeFileSync(file, await encodeParquet(POPULATION, rows as never[]));
    };
    const text = (shown: string) =>
      new RegExp(
        `^population ${P1}: 1 row\\(s\\) with population_time from ${shown} to ${shown}, outside 2022-01-01 00:00 KST … a day after collection: POI\\d{3}$`,
      );
    for (const [time, shown] of [
      ['2026-07-18T05:20:00Z', '2026-07-18 14:20 KST'],
      ['9999-12-31T00:00:00Z', '9999-12-31 09:00 KST'],
    ] as const)
      await expectProblem(plant(time), 'out-of-window', text(shown), true);
    // Before the API, a row is stale too; the fix (a replay of its partition) clears both.
    for (const [time, shown] of [
      ['0050-01-01T00:00:00Z', '0050-01-01 09:00 KST'],
      ['2021-12-31T14:00:00Z', '2021-12-31 23:00 KST'],
    ] as const) {
      const lake = copyOfBase();
      await plant(time)(lake);
      const { problems } = await checkLake(location(lake), SETTINGS);
      const found = named(problems, 'out-of-window');
      assert.equal(found.length, 1, JSON.stringify(problems));
      assert.match(found[0]?.text ?? '', text(shown));
      assert.deepEqual(found[0]?.repair, { replay: P1 });
      await fixLake(location(lake), problems, 0);
      assert.deepEqual((await checkLake(location(lake), SETTINGS)).problems, []);
    }
  });

  it('names a congestion label outside the known set', () =>
    expectProblem(
      (lake) =>
        writeRecords(
          lake,
          { ...sampleRecord(SAMPLES.yeouido), AREA_CONGEST_LVL: '아주 붐빔' },
          SLOTS[1] as Date,
        ),
      'label',
      new RegExp(
        `^population\\.area_congest_level "아주 붐빔" in 1 row\\(s\\), first collected at 2026-07-16 14:20 KST \\(${P1}\\)$`,
      ),
      false,
    ));

  it('names stray files; --fix removes a temporary file left behind long ago', async () => {
    await expectProblem(
      (lake) => {
        const tmp = join(lake, 'population', P0, 'x.parquet.1a2b3c4d.tmp');
        writeFileSync(tmp, '');
        const old = new Date(Date.now() - 2 * 3_600_000);
        utimesSync(tmp, old, old);
      },
      'stray',
      new RegExp(`^population/${P0}/x\\.parquet\\.1a2b3c4d\\.tmp: temporary file, 120 min old$`),
      true,
    );
    await expectProblem(
      (lake) => {
        writeFileSync(join(lake, 'population', P0, 'notes.txt'), 'hello');
        mkdirSync(join(lake, 'elsewhere'));
        writeFileSync(join(lake, 'elsewhere', 'a.parquet'), '');
      },
      'stray',
      /^elsewhere\/a\.parquet: outside the lake's areas/,
      false,
    );
    const lake = copyOfBase();
    writeFileSync(join(lake, 'population', P0, 'fresh.parquet.99.tmp'), '');
    const [fresh] = named((await checkLake(location(lake), SETTINGS)).problems, 'stray');
    assert.match(fresh?.text ?? '', /temporary file, 0 min old \(may be in use\)$/);
    assert.equal(fresh?.repair, undefined);
  });

  it('names runs missing from the 20-minute schedule', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'check-gap-'));
    const later = new Date((SLOTS[2] as Date).getTime() + 40 * 60_000);
    await writeLiveLake(new LocalFolderStore(lake), [SLOTS[0] as Date, later], PLACES);
    const problems = named((await checkLake(location(lake), SETTINGS)).problems, 'missing-run');
    assert.deepEqual(
      problems.map((p) => p.text),
      ['no run from 2026-07-16 14:20 KST to 2026-07-16 15:00 KST (3 runs)'],
    );
  });

  it('passes a lake whose only findings are rejected records, and reports them by reason', async () => {
    const lake = copyOfBase();
    // A --once run a minute after the 14:20 slot: its own partition, no other row for its place.
    const slot = new Date((SLOTS[1] as Date).getTime() + 60_000);
    const P21 = 'year=2026/month=07/day=16/hour=14/minute=21';
    const runId = '20260716T0521Z-r3ject';
    // The API answered (the outcome is ok) and the writer could not use the answer: it is rejected.
    const broken = { ...sampleRecord(SAMPLES.yeouido), AREA_PPLTN_MIN: 'many' };
    await writeBatch(
      sourceRecords([envelopeFor(broken, { collectedAt: slot.toISOString(), runId })], { topic: 'rejects' }),
      { store: new LocalFolderStore(lake), catalog: NO_CATALOG, log: new MemoryLog() },
    );
    await writeRunOutcomes(
      {
        runId,
        collectedAt: slot,
        envelopes: [],
        outcomes: [{ code: 'POI072', status: 'ok', attempts: 1, durationMs: 5 }],
        durationMs: 5,
      },
      new LocalFolderStore(lake),
    );
    const report = await checkLake(location(lake), SETTINGS);
    assert.deepEqual(report.problems, []);
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]?.count, 1);
    assert.match(
      report.findings[0]?.text ?? '',
      new RegExp(`^1 × .*AREA_PPLTN_MIN.* \\(first: rejected/${P21}/rejects-0-0\\.jsonl\\.gz line 1\\)$`),
    );
    // Without its rejection, the same outcome is a problem again: the accounting is what passes it.
    rmSync(join(lake, 'rejected'), { recursive: true });
    const without = await checkLake(location(lake), SETTINGS);
    assert.deepEqual(
      named(without.problems, 'ok-without-row').map((p) => p.text),
      [
        `run ${runId} (2026-07-16 14:21 KST): POI072 ok but no population row; its envelope is in raw/${P21}/rejects-0-0.jsonl.gz`,
      ],
    );
  });

  it('names links, folders named like files and folders outside the layout; --fix leaves them and says so', async () => {
    const lake = copyOfBase();
    const outside = mkdtempSync(join(tmpdir(), 'check-outside-'));
    writeFileSync(join(outside, 'x.parquet'), 'outside');
    symlinkSync(outside, join(lake, 'population', 'year=2026', 'month=07', 'linked'));
    symlinkSync(join(outside, 'x.parquet'), join(lake, 'population', P0, 'linked.parquet'));
    mkdirSync(join(lake, 'raw', P0, 'folder.jsonl.gz'));
    mkdirSync(join(lake, 'population_forecast', 'year=2026', 'extra', 'deeper'), { recursive: true });
    mkdirSync(join(lake, 'somewhere'));
    const expected = [
      'population/year=2026/month=07/linked: a symbolic link (never followed)',
      `population/${P0}/linked.parquet: a symbolic link (never followed)`,
      `raw/${P0}/folder.jsonl.gz: a folder where a file is expected`,
      'population_forecast/year=2026/extra/: not a year=…/month=…/day=…/hour=…/minute=… folder of population_forecast/',
      'somewhere/: a folder the lake layout does not have',
    ].sort();
    const { problems } = await checkLake(location(lake), SETTINGS);
    assert.deepEqual(
      problems.map((p) => `${p.check} ${p.text}`).sort(),
      expected.map((t) => `not-followed ${t}`),
    );
    assert.ok(problems.every((p) => p.repair === undefined));
    const outcome = await fixLake(location(lake), problems, 0);
    assert.deepEqual(outcome.unrepairable, problems);
    assert.deepEqual((await checkLake(location(lake), SETTINGS)).problems, problems);
    assert.equal(readFileSync(join(outside, 'x.parquet'), 'utf8'), 'outside');
  });

  it('checks a Parquet file of population against the one schema (a correct file passes)', async () => {
    const lake = copyOfBase();
    const path = join(lake, 'population', P0, 'extra.parquet');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await encodeParquet(POPULATION, []));
    const { problems } = await checkLake(location(lake), SETTINGS);
    assert.deepEqual(problems, []);
  });
});
