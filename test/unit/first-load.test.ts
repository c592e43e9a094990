import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { catchUpWithLake, openLocalWarehouse } from '../../lambdas/cli/analysis/local-warehouse.js';
import { ANALYSIS_VIEWS, applyViews } from '../../lambdas/cli/analysis/views.js';
import { type PlainRow, readRows } from '../../lambdas/cli/report/rows.js';
import { FORECAST_ERROR_COLUMNS } from '../../lambdas/core/datasets/citydata-ppltn/forecast-error.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { buildFixtureLake, FIXTURE_RUNS, type FixtureRun } from './warehouse-fixture.js';

/**
 * The first load of a lake into an empty analysis database (a cold `npm run report`, the end of
 * `demo --days N`) takes a shorter road than the merge: one insert per table and month, one row
 * per key chosen there, forecast errors computed once. The oracle is the lake read in place
 * (`openLake`: every Parquet file, one row per key by the schema's duplicate order, forecast
 * errors by the from-scratch join), never the load's own code.
 */
const R3 = FIXTURE_RUNS.find((run) => run.id === 'R3') as FixtureRun;

/** A second fetcher for R3's scheduled time: the same keys, other values, a later run id that wins. */
const R3_AGAIN: FixtureRun = {
  ...R3,
  id: 'R3-again',
  runId: '20260716T0520Z-zzzz03',
  observations: Object.fromEntries(
    Object.entries(R3.observations).map(([code, o]) => [code, { ...o, min: o.min + 500, max: o.max + 500 }]),
  ),
};

/** A run in the next month: the first load then has two units per table. */
const AUGUST: FixtureRun = {
  ...R3,
  id: 'R6',
  runId: '20260801T0120Z-aaaa06',
  collectedKst: '2026-08-01 10:20',
  outcomes: { POI001: 'ok', POI072: 'no-data' },
  observations: {
    POI001: {
      ...(R3.observations.POI001 as FixtureRun['observations'][string]),
      populationTime: '2026-08-01 10:05',
      forecasts: [
        ['2026-08-01 11:00', '보통', 18000, 20000],
        ['2026-08-01 12:00', '보통', 19000, 21000],
      ],
    },
  },
};

const RUNS = [...FIXTURE_RUNS, R3_AGAIN, AUGUST];
const TABLE_NAMES = [...TABLES.map((t) => t.name), 'forecast_error'];
const everyRow = (table: string) =>
  table === 'forecast_error'
    ? `SELECT ${FORECAST_ERROR_COLUMNS.map((c) => c.name).join(', ')} FROM forecast_error ORDER BY ALL`
    : `SELECT * FROM ${table} ORDER BY ALL`;

async function inPlace(lake: string, sqls: readonly string[]) {
  const opened = await openLake(lake);
  try {
    await applyViews(opened.connection);
    const answers = [];
    for (const sql of sqls) answers.push(await readRows(opened.connection, sql));
    return answers;
  } finally {
    opened.close();
  }
}

/** Every row of a table's Parquet files, read by DuckDB with nothing of the project's SQL. */
async function rawRows(lake: string, table: string): Promise<PlainRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    return await readRows(
      connection,
      `SELECT * FROM read_parquet('${join(lake, table)}/**/*.parquet', hive_partitioning = false, union_by_name = true)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const text = (value: PlainRow[string] | undefined) => String(value);
const hourOf = (time: string) => `${time.slice(0, 13)}:00:00`;
const seconds = (time: string) => Date.parse(`${time.replace(' ', 'T')}Z`) / 1000;

/**
 * The forecast errors by hand, from the raw rows: one row per key (population: latest fetch, then
 * run id; forecasts: latest population_time, then the larger range, then the level), each forecast
 * against the first observation of its place published in its hour (earliest population_time,
 * then collected_at).
 */
function handForecastErrors(population: PlainRow[], forecasts: PlainRow[]): string[] {
  const keep = (rows: PlainRow[], key: string[], better: (a: PlainRow, b: PlainRow) => boolean) => {
    const kept = new Map<string, PlainRow>();
    for (const row of rows) {
      const id = key.map((k) => text(row[k])).join('|');
      const held = kept.get(id);
      if (!held || better(row, held)) kept.set(id, row);
    }
    return [...kept.values()];
  };
  const observations = keep(population, ['area_code', 'collected_at'], (a, b) =>
    text(a.fetched_at) !== text(b.fetched_at)
      ? text(a.fetched_at) > text(b.fetched_at)
      : text(a.run_id) > text(b.run_id),
  );
  const firstInHour = new Map<string, PlainRow>();
  for (const o of observations) {
    const id = `${o.area_code}|${hourOf(text(o.population_time))}`;
    const held = firstInHour.get(id);
    const earlier =
      !held ||
      text(o.population_time) < text(held.population_time) ||
      (text(o.population_time) === text(held.population_time) &&
        text(o.collected_at) < text(held.collected_at));
    if (earlier) firstInHour.set(id, o);
  }
  const kept = keep(forecasts, ['area_code', 'collected_at', 'forecast_time'], (a, b) => {
    for (const [column, descending] of [
      ['population_time', true],
      ['forecast_population_max', true],
      ['forecast_population_min', true],
    ] as const) {
      if (a[column] === b[column]) continue;
      return descending === (a[column] as string | number) > (b[column] as string | number);
    }
    return text(a.forecast_congest_level) < text(b.forecast_congest_level);
  });
  return kept.flatMap((f) => {
    const o = firstInHour.get(`${f.area_code}|${text(f.forecast_time)}`);
    if (!o) return [];
    const horizon = Math.trunc(
      (seconds(text(f.forecast_time)) - seconds(hourOf(text(f.population_time)))) / 3600,
    );
    const mid = (min: PlainRow[string] | undefined, max: PlainRow[string] | undefined) =>
      (Number(min) + Number(max)) / 2;
    return [
      [
        f.area_code,
        f.collected_at,
        f.forecast_time,
        horizon,
        f.forecast_congest_level,
        o.area_congest_level,
        o.population_time,
        mid(f.forecast_population_min, f.forecast_population_max),
        mid(o.area_population_min, o.area_population_max),
      ].join('|'),
    ];
  });
}

describe('first load of a lake into an empty analysis database', () => {
  it('holds what the lake in place holds, in every table and view, duplicates and months included', async () => {
    const lake = await buildFixtureLake(mkdtempSync(join(tmpdir(), 'first-load-')), RUNS);
    const sqls = [
      ...TABLE_NAMES.map(everyRow),
      ...ANALYSIS_VIEWS.map((view) => `SELECT * FROM ${view} ORDER BY ALL`),
    ];
    const expected = await inPlace(lake, sqls);
    const local = await openLocalWarehouse(lake);
    try {
      const loaded = await catchUpWithLake(local.connection, lake);
      assert.equal(loaded.loaded, 3 * 3, 'three KST days (07-16, 07-17, 08-01) × three tables');
      await applyViews(local.connection);
      for (const [index, sql] of sqls.entries())
        assert.deepEqual(await readRows(local.connection, sql), expected[index], sql);
      const population = await readRows(
        local.connection,
        "SELECT run_id FROM population WHERE area_code = 'POI001' AND collected_at = TIMESTAMP '2026-07-16 05:20:00'",
      );
      assert.deepEqual(population, [{ run_id: R3_AGAIN.runId }], 'one row for the key, the later run');
    } finally {
      local.close();
    }
  });

  it('logs every day with its files and rows, so the next catch-up loads nothing', async () => {
    const lake = await buildFixtureLake(mkdtempSync(join(tmpdir(), 'first-load-')), RUNS);
    const local = await openLocalWarehouse(lake);
    try {
      await catchUpWithLake(local.connection, lake);
      const log = await readRows(
        local.connection,
        'SELECT table_name, partition_path, file_count, rows_loaded FROM load_log ORDER BY ALL',
      );
      // Hand count from the fixture: files per table and day folder, and rows kept per KST day.
      const files = (table: string, day: string) =>
        readdirSync(join(lake, table, day), { recursive: true }).filter((f) => String(f).endsWith('.parquet'))
          .length;
      const days = ['year=2026/month=07/day=16', 'year=2026/month=07/day=17', 'year=2026/month=08/day=01'];
      // Rows kept per KST day: 07-16 has R1 2, R2 2, R3 3 (R3-again's replace them), R3b 1, R4 2
      // observations, two forecasts each; 07-17 R5 2; 08-01 R6 1. Outcomes are keyed by run:
      // 3 per run of three places (R3-again's are rows of their own), R3b 1.
      const rows: Record<string, number[]> = {
        collection_outcomes: [3 + 3 + 3 + 3 + 1 + 3, 2, 2],
        population: [2 + 2 + 3 + 1 + 2, 2, 1],
        population_forecast: [2 * (2 + 2 + 3 + 1 + 2), 2 * 2, 2],
      };
      const expected = Object.entries(rows).flatMap(([table, counts]) =>
        days.map((day, i) => ({
          table_name: table,
          partition_path: day,
          file_count: files(table, day),
          rows_loaded: counts[i],
        })),
      );
      assert.deepEqual(log, expected);
      assert.equal((await catchUpWithLake(local.connection, lake)).loaded, 0);
    } finally {
      local.close();
    }
  });

  it('computes the forecast errors a hand join of the raw Parquet rows gives', async () => {
    const lake = await buildFixtureLake(mkdtempSync(join(tmpdir(), 'first-load-')), RUNS);
    const expected = handForecastErrors(
      await rawRows(lake, 'population'),
      await rawRows(lake, 'population_forecast'),
    ).sort();
    assert.ok(expected.length >= 3, `the fixture has checked forecasts: ${expected.length}`);
    const local = await openLocalWarehouse(lake);
    try {
      await catchUpWithLake(local.connection, lake);
      const loaded = await readRows(local.connection, everyRow('forecast_error'));
      assert.deepEqual(loaded.map((row) => Object.values(row).join('|')).sort(), expected);
    } finally {
      local.close();
    }
  });

  it('leaves the database empty when it fails, and the next report loads everything', async () => {
    const lake = await buildFixtureLake(mkdtempSync(join(tmpdir(), 'first-load-')), RUNS);
    // An unreadable file in the last month's unit: the load fails after the first units went in.
    const bad = join(lake, 'population_forecast/year=2026/month=08/day=01/hour=10/minute=20/broken.parquet');
    writeFileSync(bad, 'not parquet');
    const local = await openLocalWarehouse(lake);
    try {
      await assert.rejects(catchUpWithLake(local.connection, lake));
      for (const table of [...TABLE_NAMES, 'load_log']) {
        const [row] = await readRows(local.connection, `SELECT COUNT(*) AS n FROM ${table}`);
        assert.equal(row?.n, 0, `${table} after a failed first load`);
      }
    } finally {
      local.close();
    }
    rmSync(bad);
    const again = await openLocalWarehouse(lake);
    try {
      assert.equal((await catchUpWithLake(again.connection, lake)).loaded, 9);
      const [expected] = await inPlace(lake, [everyRow('forecast_error')]);
      assert.deepEqual(await readRows(again.connection, everyRow('forecast_error')), expected);
    } finally {
      again.close();
    }
  });
});
