import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { applyViews } from '../../lambdas/cli/analysis/views.js';
import { checkLake } from '../../lambdas/cli/check/check-lake.js';
import { readRows } from '../../lambdas/cli/report/rows.js';
import { CATALOGUE_KEY } from '../../lambdas/core/place-catalogue.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeLiveLake } from '../support/live-lake.js';

/**
 * Seoul adds a place and retires another: the lake holds runs before and after. Four runs ask for
 * POI001 and POI002; from the fifth on, POI002 is retired and POI132 (added) is asked instead.
 * Hand count: POI001 spans 8 runs, POI002 the first 4, POI132 the last 4; every run collected
 * every place it asked, so nothing is missing anywhere.
 */
const POI132: Place = { code: 'POI132', name: '새 공원', englishName: 'New Park', category: '공원' };
const BEFORE = ['POI001', 'POI002'].map((code) => findPlace(code) as Place);
const AFTER = [findPlace('POI001') as Place, POI132];
const SLOTS = Array.from(
  { length: 8 },
  (_, i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000),
);
const SETTINGS = { staleMinutes: 60, leftoverAgeMs: 60 * 60_000, runIntervalMinutes: 20 };

describe('a place added and a place retired, in the middle of the history', () => {
  let lake: string;
  let connection: DuckDBConnection;
  let close: () => void;

  before(async () => {
    lake = mkdtempSync(join(tmpdir(), 'place-changes-'));
    const store = new LocalFolderStore(lake);
    await writeLiveLake(store, SLOTS.slice(0, 4), BEFORE);
    await writeLiveLake(store, SLOTS.slice(4), AFTER, [POI132]);
    ({ connection, close } = await openLake(lake));
    await applyViews(connection);
  });
  after(() => close());

  it('counts each place only over the runs from its first to its last', async () => {
    assert.deepEqual(
      await readRows(
        connection,
        `SELECT area_code, runs_total, runs_collected, runs_missing, runs_not_asked, first_run_at_kst, last_asked_at_kst
         FROM v_missing_runs_by_place ORDER BY area_code`,
      ),
      [
        ['POI001', 8, 8, 0, 0, '2026-07-16 14:00:00', '2026-07-16 16:20:00'],
        ['POI002', 4, 4, 0, 0, '2026-07-16 14:00:00', '2026-07-16 15:00:00'],
        ['POI132', 4, 4, 0, 0, '2026-07-16 15:20:00', '2026-07-16 16:20:00'],
      ].map(([code, total, collected, missing, notAsked, first, last]) => ({
        area_code: code,
        runs_total: total,
        runs_collected: collected,
        runs_missing: missing,
        runs_not_asked: notAsked,
        first_run_at_kst: first,
        last_asked_at_kst: last,
      })),
    );
  });

  it('finds every run complete: each collected what it asked', async () => {
    const runs = await readRows(
      connection,
      'SELECT places_expected, places_collected, places_missing FROM v_completeness_by_run ORDER BY collected_at',
    );
    assert.equal(runs.length, 8);
    for (const run of runs)
      assert.deepEqual(run, { places_expected: 2, places_collected: 2, places_missing: 0 });
  });

  it('passes check, the catalogue file included; a broken catalogue or a stray beside it is named', async () => {
    mkdirSync(join(lake, 'catalogue'), { recursive: true });
    writeFileSync(
      join(lake, CATALOGUE_KEY),
      JSON.stringify({
        format: 1,
        source: 'test',
        places: [...AFTER, { ...BEFORE[1], retired: '2026-07-16T06:10:00Z' }],
      }),
    );
    assert.deepEqual((await checkLake({ kind: 'folder', path: lake }, SETTINGS)).problems, []);
    writeFileSync(join(lake, CATALOGUE_KEY), '{"format":1,"source":"test","places":[{"code":"POI1"}]}');
    writeFileSync(join(lake, 'catalogue', 'old.json'), '{}');
    const problems = (await checkLake({ kind: 'folder', path: lake }, SETTINGS)).problems;
    assert.deepEqual(
      problems.map((p) => p.check),
      ['stray', 'catalogue'],
    );
    assert.match(problems[1]?.text ?? '', /catalogue\/places\.json: .*place 1 \(POI1\): code "POI1"/);
    assert.match(
      problems[0]?.text ?? '',
      /catalogue\/old\.json: catalogue\/ holds only catalogue\/places\.json/,
    );
  });
});
