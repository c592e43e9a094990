import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { ANALYSIS_VIEWS, applyViews } from '../../lambdas/cli/analysis/views.js';
import { readRows } from '../../lambdas/cli/report/rows.js';
import { defaultSqlDir, isPortableViewFile, loadSqlFiles } from '../../lambdas/core/warehouse/sql-files.js';
import { buildFixtureLake } from './warehouse-fixture.js';

/**
 * Every analysis view of sql/, run by DuckDB over a lake written by the real writer from the
 * known runs of warehouse-fixture.ts. Expected numbers are worked out by hand from that table.
 */
describe('analysis views over the fixture lake', () => {
  let connection: DuckDBConnection;
  let close: () => void;

  before(async () => {
    ({ connection, close } = await openLake(await buildFixtureLake()));
    await applyViews(connection);
  });
  after(() => close());

  const rows = (sql: string) => readRows(connection, sql);

  it('creates every view from the sql/ view files', async () => {
    const names = await rows(
      "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'v\\_%' ESCAPE '\\' ORDER BY view_name",
    );
    assert.deepEqual(
      names.map((row) => row.view_name),
      [...ANALYSIS_VIEWS].sort(),
    );
  });

  it('congestion over time: one row per place and run, KST times and a rank per level', async () => {
    assert.deepEqual(await rows('SELECT count(*) AS n FROM v_congestion_over_time'), [{ n: 12 }]);
    assert.deepEqual(
      await rows(
        `SELECT area_code, collected_at_kst, population_time_kst, kst_date, kst_hour, congestion_level, congestion_rank,
                population_min, population_max, population_mid
         FROM v_congestion_over_time WHERE area_code = 'POI001' ORDER BY collected_at`,
      ),
      [
        ['2026-07-16 13:20:00', '2026-07-16 13:00:00', '2026-07-16', 13, '보통', 2, 20000, 22000, 21000],
        ['2026-07-16 13:40:00', '2026-07-16 13:15:00', '2026-07-16', 13, '약간 붐빔', 3, 24000, 26000, 25000],
        ['2026-07-16 14:20:00', '2026-07-16 14:05:00', '2026-07-16', 14, '붐빔', 4, 30000, 32000, 31000],
        ['2026-07-16 14:40:00', '2026-07-16 14:30:00', '2026-07-16', 14, '약간 붐빔', 3, 25000, 27000, 26000],
        ['2026-07-16 15:20:00', '2026-07-16 15:10:00', '2026-07-16', 15, '약간 붐빔', 3, 26000, 28000, 27000],
        // 00:20 KST on the 17th is still the 16th in UTC: the KST columns must say the 17th.
        ['2026-07-17 00:20:00', '2026-07-17 00:05:00', '2026-07-17', 0, '여유', 1, 4000, 4500, 4250],
      ].map(([collected, population, date, hour, level, rank, min, max, mid]) => ({
        area_code: 'POI001',
        collected_at_kst: collected,
        population_time_kst: population,
        kst_date: date,
        kst_hour: hour,
        congestion_level: level,
        congestion_rank: rank,
        population_min: min,
        population_max: max,
        population_mid: mid,
      })),
    );
  });

  it('daily range: lowest and highest population per place and KST day, and when', async () => {
    assert.deepEqual(
      await rows(
        `SELECT area_code, kst_date, observations, population_min, population_max, population_mid_avg,
                quietest_at_kst, busiest_at_kst
         FROM v_population_daily_range ORDER BY kst_date, area_code`,
      ),
      [
        {
          area_code: 'POI001',
          kst_date: '2026-07-16',
          observations: 5,
          population_min: 20000,
          population_max: 32000,
          population_mid_avg: 26000, // (21000 + 25000 + 31000 + 26000 + 27000) / 5
          quietest_at_kst: '2026-07-16 13:00:00',
          busiest_at_kst: '2026-07-16 14:05:00',
        },
        {
          area_code: 'POI009',
          kst_date: '2026-07-16',
          observations: 3,
          population_min: 6000,
          population_max: 13000,
          population_mid_avg: 9750, // (11000 + 12000 + 6250) / 3
          quietest_at_kst: '2026-07-16 15:10:00',
          busiest_at_kst: '2026-07-16 14:00:00',
        },
        {
          area_code: 'POI072',
          kst_date: '2026-07-16',
          observations: 2,
          population_min: 8000,
          population_max: 14000,
          population_mid_avg: 10625, // (8250 + 13000) / 2
          quietest_at_kst: '2026-07-16 13:00:00',
          busiest_at_kst: '2026-07-16 14:05:00',
        },
        {
          area_code: 'POI001',
          kst_date: '2026-07-17',
          observations: 1,
          population_min: 4000,
          population_max: 4500,
          population_mid_avg: 4250,
          quietest_at_kst: '2026-07-17 00:05:00',
          busiest_at_kst: '2026-07-17 00:05:00',
        },
        {
          area_code: 'POI072',
          kst_date: '2026-07-17',
          observations: 1,
          population_min: 3000,
          population_max: 3500,
          population_mid_avg: 3250,
          quietest_at_kst: '2026-07-17 00:05:00',
          busiest_at_kst: '2026-07-17 00:05:00',
        },
      ],
    );
  });

  it('age and sex: the mean share per place and band, in long form', async () => {
    const shares = await rows(
      `SELECT area_code, dimension, band, share_pct FROM v_age_sex_distribution
       ORDER BY area_code, dimension DESC, band_order`,
    );
    const of = (code: string) =>
      shares.filter((row) => row.area_code === code).map((row) => [row.band, row.share_pct]);
    assert.deepEqual(of('POI001'), [
      // male 48.0 in five runs and 44.0 in R3: 284 / 6 = 47.33; female 316 / 6 = 52.67
      ['male', 47.3],
      ['female', 52.7],
      ['0-9', 1],
      ['10-19', 4],
      ['20-29', 25],
      ['30-39', 22],
      ['40-49', 18],
      ['50-59', 15],
      ['60-69', 10],
      ['70+', 5],
    ]);
    assert.deepEqual(of('POI009'), [
      ['male', 46],
      ['female', 54],
      ['0-9', 1.5],
      ['10-19', 3.5],
      ['20-29', 30],
      ['30-39', 25],
      ['40-49', 15],
      ['50-59', 12],
      ['60-69', 8],
      ['70+', 5],
    ]);
    assert.equal(shares.length, 30);
    assert.deepEqual(
      await rows("SELECT DISTINCT observations FROM v_age_sex_distribution WHERE area_code = 'POI072'"),
      [{ observations: 3 }],
    );
  });

  it('resident share over time: one row per place and run, whose mean is v_resident_share', async () => {
    assert.deepEqual(await rows('SELECT count(*) AS n FROM v_resident_share_over_time'), [{ n: 12 }]);
    assert.deepEqual(
      await rows(
        `SELECT collected_at_kst, resident_pct, non_resident_pct FROM v_resident_share_over_time
         WHERE area_code = 'POI001' ORDER BY collected_at LIMIT 2`,
      ),
      [
        { collected_at_kst: '2026-07-16 13:20:00', resident_pct: 36, non_resident_pct: 64 },
        { collected_at_kst: '2026-07-16 13:40:00', resident_pct: 30, non_resident_pct: 70 },
      ],
    );
    assert.deepEqual(
      await rows(
        `SELECT t.area_code FROM (
           SELECT area_code, ROUND(AVG(resident_pct), 1) AS mean FROM v_resident_share_over_time GROUP BY area_code
         ) AS t JOIN v_resident_share AS r ON r.area_code = t.area_code WHERE r.resident_pct <> t.mean`,
      ),
      [],
    );
  });

  it('resident share: the mean resident and non-resident share per place', async () => {
    assert.deepEqual(
      await rows(
        'SELECT area_code, observations, resident_pct, non_resident_pct FROM v_resident_share ORDER BY area_code',
      ),
      [
        // resident 36.0 in R1, 30.0 in the five others: 186 / 6
        { area_code: 'POI001', observations: 6, resident_pct: 31, non_resident_pct: 69 },
        // 20.0, 20.0 and 26.0
        { area_code: 'POI009', observations: 3, resident_pct: 22, non_resident_pct: 78 },
        { area_code: 'POI072', observations: 3, resident_pct: 40, non_resident_pct: 60 },
      ],
    );
  });

  it('forecast accuracy: each forecast against the first observation of its place and hour', async () => {
    assert.deepEqual(
      await rows(
        `SELECT area_code, collected_at_kst, forecast_time_kst, horizon_hours, forecast_congest_level,
                observed_congest_level, observed_at_kst, level_hit, mid_error
         FROM v_forecast_accuracy ORDER BY area_code, forecast_time, collected_at`,
      ),
      [
        // POI001, hour 14: R3 (14:05, 붐빔) is the first observation; R3b (14:30, 약간 붐빔) is not used.
        [
          'POI001',
          '2026-07-16 13:20:00',
          '2026-07-16 14:00:00',
          1,
          '붐빔',
          '붐빔',
          '2026-07-16 14:05:00',
          1,
          -2000,
        ],
        [
          'POI001',
          '2026-07-16 13:40:00',
          '2026-07-16 14:00:00',
          1,
          '약간 붐빔',
          '붐빔',
          '2026-07-16 14:05:00',
          0,
          -4000,
        ],
        [
          'POI001',
          '2026-07-16 13:20:00',
          '2026-07-16 15:00:00',
          2,
          '붐빔',
          '약간 붐빔',
          '2026-07-16 15:10:00',
          0,
          4000,
        ],
        [
          'POI001',
          '2026-07-16 13:40:00',
          '2026-07-16 15:00:00',
          2,
          '약간 붐빔',
          '약간 붐빔',
          '2026-07-16 15:10:00',
          1,
          0,
        ],
        [
          'POI001',
          '2026-07-16 14:20:00',
          '2026-07-16 15:00:00',
          1,
          '약간 붐빔',
          '약간 붐빔',
          '2026-07-16 15:10:00',
          1,
          -2000,
        ],
        [
          'POI001',
          '2026-07-16 14:40:00',
          '2026-07-16 15:00:00',
          1,
          '붐빔',
          '약간 붐빔',
          '2026-07-16 15:10:00',
          0,
          4000,
        ],
        [
          'POI009',
          '2026-07-16 13:40:00',
          '2026-07-16 14:00:00',
          1,
          '여유',
          '보통',
          '2026-07-16 14:00:00',
          0,
          -3750,
        ],
        [
          'POI009',
          '2026-07-16 13:40:00',
          '2026-07-16 15:00:00',
          2,
          '여유',
          '여유',
          '2026-07-16 15:10:00',
          1,
          0,
        ],
        [
          'POI009',
          '2026-07-16 14:20:00',
          '2026-07-16 15:00:00',
          1,
          '보통',
          '여유',
          '2026-07-16 15:10:00',
          0,
          4750,
        ],
        // POI072's forecast for 15:00 has no observation (R4 failed there): it is not compared.
        [
          'POI072',
          '2026-07-16 13:20:00',
          '2026-07-16 14:00:00',
          1,
          '보통',
          '보통',
          '2026-07-16 14:05:00',
          1,
          0,
        ],
      ].map(([code, collected, forecast, horizon, level, observed, observedAt, hit, error]) => ({
        area_code: code,
        collected_at_kst: collected,
        forecast_time_kst: forecast,
        horizon_hours: horizon,
        forecast_congest_level: level,
        observed_congest_level: observed,
        observed_at_kst: observedAt,
        level_hit: hit,
        mid_error: error,
      })),
    );
  });

  it('forecast accuracy by horizon: hit rate and midpoint errors', async () => {
    assert.deepEqual(await rows('SELECT * FROM v_forecast_accuracy_by_horizon ORDER BY horizon_hours'), [
      {
        horizon_hours: 1,
        forecasts: 7,
        level_hits: 3,
        level_hit_pct: 42.9, // 3 / 7
        mid_abs_error_avg: 2928.6, // (2000 + 4000 + 2000 + 4000 + 3750 + 4750 + 0) / 7
        mid_error_avg: -428.6, // (-2000 - 4000 - 2000 + 4000 - 3750 + 4750 + 0) / 7
        // (2000/31000 + 4000/31000 + 2000/27000 + 4000/27000 + 3750/12000 + 4750/6250 + 0) / 7
        mid_abs_error_pct_avg: 21.3,
      },
      {
        horizon_hours: 2,
        forecasts: 3,
        level_hits: 2,
        level_hit_pct: 66.7,
        mid_abs_error_avg: 1333.3, // (4000 + 0 + 0) / 3
        mid_error_avg: 1333.3,
        mid_abs_error_pct_avg: 4.9, // 4000/27000 / 3
      },
    ]);
  });

  it('completeness by run: expected, collected, no data, failed, missing, and skipped slots', async () => {
    assert.deepEqual(
      await rows(
        `SELECT collected_at_kst, places_expected, places_collected, places_ok, places_no_data, places_failed,
                places_missing, minutes_since_previous_run, slots_missed_before
         FROM v_completeness_by_run ORDER BY collected_at`,
      ),
      [
        ['2026-07-16 13:20:00', 3, 2, 2, 0, 1, 1, null, null],
        ['2026-07-16 13:40:00', 3, 2, 2, 1, 0, 1, 20, 0],
        ['2026-07-16 14:20:00', 3, 3, 3, 0, 0, 0, 40, 1], // 14:00 never ran
        ['2026-07-16 14:40:00', 1, 1, 1, 0, 0, 0, 20, 0], // a run limited to POI001
        ['2026-07-16 15:20:00', 3, 2, 2, 0, 1, 1, 40, 1],
        ['2026-07-17 00:20:00', 2, 2, 2, 0, 0, 0, 540, 26], // 15:40 … 00:00 never ran
      ].map(([at, expected, collected, ok, noData, failed, missing, minutes, slots]) => ({
        collected_at_kst: at,
        places_expected: expected,
        places_collected: collected,
        places_ok: ok,
        places_no_data: noData,
        places_failed: failed,
        places_missing: missing,
        minutes_since_previous_run: minutes,
        slots_missed_before: slots,
      })),
    );
  });

  it('counts skipped slots in the cadence setting: every 60 minutes, a 40-minute gap skips none', async () => {
    await applyViews(connection, undefined, 60);
    try {
      const slots = await rows('SELECT slots_missed_before FROM v_completeness_by_run ORDER BY collected_at');
      // gaps of 20, 40, 20, 40 and 540 minutes: rounded to whole hours, 8 slots were missed before the last
      assert.deepEqual(
        slots.map((row) => row.slots_missed_before),
        [null, 0, 0, 0, 0, 8],
      );
    } finally {
      await applyViews(connection);
    }
  });

  it('missing runs by place: how many runs lack the place, and why, from its first to its last asked run', async () => {
    // POI009 is last asked in R4: R5, which does not ask it (as after a retirement), does not count.
    assert.deepEqual(
      await rows(
        `SELECT area_code, runs_total, runs_collected, runs_missing, runs_no_data, runs_failed, runs_not_asked,
                last_collected_at_kst, first_run_at_kst, last_asked_at_kst
         FROM v_missing_runs_by_place ORDER BY area_code`,
      ),
      [
        ['POI001', 6, 6, 0, 0, 0, 0, '2026-07-17 00:20:00', '2026-07-16 13:20:00', '2026-07-17 00:20:00'],
        ['POI009', 5, 3, 2, 0, 1, 1, '2026-07-16 15:20:00', '2026-07-16 13:20:00', '2026-07-16 15:20:00'],
        ['POI072', 6, 3, 3, 1, 1, 1, '2026-07-17 00:20:00', '2026-07-16 13:20:00', '2026-07-17 00:20:00'],
      ].map(([code, total, collected, missing, noData, failed, notAsked, last, first, lastAsked]) => ({
        area_code: code,
        runs_total: total,
        runs_collected: collected,
        runs_missing: missing,
        runs_no_data: noData,
        runs_failed: failed,
        runs_not_asked: notAsked,
        last_collected_at_kst: last,
        first_run_at_kst: first,
        last_asked_at_kst: lastAsked,
      })),
    );
  });

  it('freshness by run: minutes between collection and the data time', async () => {
    assert.deepEqual(
      await rows(
        `SELECT collected_at_kst, places, freshness_avg_minutes, freshness_min_minutes, freshness_max_minutes
         FROM v_freshness_by_run ORDER BY collected_at`,
      ),
      [
        ['2026-07-16 13:20:00', 2, 20, 20, 20],
        ['2026-07-16 13:40:00', 2, 25, 25, 25],
        ['2026-07-16 14:20:00', 3, 16.7, 15, 20], // POI009's data time was 14:00, the others' 14:05
        ['2026-07-16 14:40:00', 1, 10, 10, 10],
        ['2026-07-16 15:20:00', 2, 10, 10, 10],
        ['2026-07-17 00:20:00', 2, 15, 15, 15],
      ].map(([at, places, avg, min, max]) => ({
        collected_at_kst: at,
        places,
        freshness_avg_minutes: avg,
        freshness_min_minutes: min,
        freshness_max_minutes: max,
      })),
    );
  });
});

describe('analysis views over an empty lake', () => {
  it('return no rows rather than failing', async () => {
    const { connection, close } = await openLake(mkdtempSync(join(tmpdir(), 'empty-lake-')));
    try {
      await applyViews(connection);
      for (const view of ANALYSIS_VIEWS) {
        const reader = await connection.runAndReadAll(`SELECT * FROM ${view}`);
        assert.equal(reader.currentRowCount, 0, view);
        assert.ok(reader.columnNames().length > 3, `${view} keeps its columns`);
      }
    } finally {
      close();
    }
  });
});

describe('the view files', () => {
  const views = loadSqlFiles(defaultSqlDir()).filter((file) => isPortableViewFile(file.name));

  it('exist for every analysis', () => {
    assert.ok(views.length >= 7, views.map((file) => file.name).join(', '));
  });

  // Constructs that only one of the two engines accepts. The views must keep to what both share.
  const ONE_ENGINE_ONLY: [RegExp, string][] = [
    [/::/, 'Postgres-style cast (use CAST(x AS type))'],
    [/\bconvert_timezone\b|\bat\s+time\s+zone\b/i, "time-zone function (use + INTERVAL '9 hours')"],
    [
      /\b(getdate|sysdate|now|current_timestamp)\b/i,
      'current time (differs, and is leader-node only in Redshift)',
    ],
    [
      /\b(datediff|dateadd|date_diff|date_add)\s*\(/i,
      'date arithmetic function (use EXTRACT(EPOCH …) and INTERVAL)',
    ],
    [/\bqualify\b/i, 'QUALIFY (use ROW_NUMBER() in a subquery)'],
    [/\bfilter\s*\(/i, 'aggregate FILTER (use SUM(CASE …))'],
    [/\b(listagg|string_agg|list|array_agg)\s*\(/i, 'list aggregate'],
    [/\bgenerate_series\b/i, 'generate_series (leader-node only in Redshift)'],
    [/\bilike\b/i, 'ILIKE'],
    [
      /\{\{(?!run_interval_minutes\}\})/,
      'placeholder other than the cadence (view files take no deployment values)',
    ],
  ];
  for (const [pattern, what] of ONE_ENGINE_ONLY) {
    it(`use no ${what}`, () => {
      for (const file of views) {
        const code = file.text.replace(/--[^\n]*/g, '');
        assert.doesNotMatch(code, pattern, `${file.name} uses ${what}`);
      }
    });
  }
});
