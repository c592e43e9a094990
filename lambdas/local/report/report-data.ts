import type { DuckDBConnection } from '@duckdb/node-api';
import { type PlainRow, readRows } from './rows.js';

/** How many of the latest runs the run-by-run charts show: one day at one run every 20 minutes. */
export const RECENT_RUNS = 72;
/** How many of the busiest places the daily band chart follows. */
export const BAND_PLACES = 5;
/** How many days the daily band chart covers. */
export const BAND_DAYS = 31;

/**
 * Everything the report shows, read from the analysis views (never from the tables directly):
 * the report is a picture of the same answers the warehouse gives in Query Editor v2.
 */
export interface ReportData {
  readonly summary: PlainRow;
  readonly congestion: PlainRow[];
  readonly latestDayRanges: PlainRow[];
  readonly dailyBands: PlainRow[];
  readonly ageBands: PlainRow[];
  readonly sexByCategory: PlainRow[];
  readonly residentByCategory: PlainRow[];
  readonly residentTopVisitors: PlainRow[];
  readonly forecastByHorizon: PlainRow[];
  readonly completenessRuns: PlainRow[];
  readonly freshnessRuns: PlainRow[];
  readonly missingPlaces: PlainRow[];
  /** Seconds each query took, by name: what the benchmark reports. */
  readonly timings: Readonly<Record<string, number>>;
}

/** The report's questions, each as SQL over the views (the subset both engines share). */
export const REPORT_QUERIES = {
  summary: `
    SELECT
      (SELECT COUNT(*) FROM v_completeness_by_run) AS runs,
      (SELECT COUNT(DISTINCT area_code) FROM v_congestion_over_time) AS places,
      (SELECT COUNT(*) FROM v_congestion_over_time) AS observations,
      (SELECT MIN(collected_at_kst) FROM v_completeness_by_run) AS first_run_kst,
      (SELECT MAX(collected_at_kst) FROM v_completeness_by_run) AS last_run_kst`,
  congestion: `
    WITH recent AS (
      SELECT collected_at FROM (SELECT DISTINCT collected_at FROM v_congestion_over_time) AS runs
      ORDER BY collected_at DESC LIMIT ${RECENT_RUNS}
    )
    SELECT c.area_code, c.area_name, c.category, c.collected_at, c.collected_at_kst, c.congestion_level,
           c.congestion_rank, c.population_min, c.population_max
    FROM v_congestion_over_time AS c JOIN recent AS r ON r.collected_at = c.collected_at
    ORDER BY c.category, c.area_code, c.collected_at`,
  latestDayRanges: `
    SELECT area_code, area_name, category, kst_date, observations, population_min, population_max,
           population_mid_avg, busiest_at_kst
    FROM v_population_daily_range
    WHERE kst_date = (SELECT MAX(kst_date) FROM v_population_daily_range)
    ORDER BY population_max DESC, area_code`,
  dailyBands: `
    WITH days AS (
      SELECT kst_date FROM (SELECT DISTINCT kst_date FROM v_population_daily_range) AS d
      ORDER BY kst_date DESC LIMIT ${BAND_DAYS}
    ),
    busiest AS (
      SELECT area_code FROM v_population_daily_range
      WHERE kst_date IN (SELECT kst_date FROM days)
      GROUP BY area_code ORDER BY MAX(population_max) DESC, area_code LIMIT ${BAND_PLACES}
    )
    SELECT r.area_code, r.area_name, r.kst_date, r.population_min, r.population_max, r.population_mid_avg
    FROM v_population_daily_range AS r
    WHERE r.area_code IN (SELECT area_code FROM busiest) AND r.kst_date IN (SELECT kst_date FROM days)
    ORDER BY r.area_code, r.kst_date`,
  ageBands: `
    SELECT band, band_order, ROUND(AVG(share_pct), 1) AS share_pct, COUNT(*) AS places
    FROM v_age_sex_distribution WHERE dimension = 'age'
    GROUP BY band, band_order ORDER BY band_order`,
  sexByCategory: `
    SELECT category,
           ROUND(AVG(CASE WHEN band = 'male' THEN share_pct END), 1) AS male_pct,
           ROUND(AVG(CASE WHEN band = 'female' THEN share_pct END), 1) AS female_pct,
           COUNT(DISTINCT area_code) AS places
    FROM v_age_sex_distribution WHERE dimension = 'sex'
    GROUP BY category ORDER BY category`,
  residentByCategory: `
    SELECT category, ROUND(AVG(resident_pct), 1) AS resident_pct, ROUND(AVG(non_resident_pct), 1) AS non_resident_pct,
           COUNT(*) AS places
    FROM v_resident_share GROUP BY category ORDER BY category`,
  residentTopVisitors: `
    SELECT area_code, area_name, category, resident_pct, non_resident_pct
    FROM v_resident_share ORDER BY non_resident_pct DESC, area_code LIMIT 15`,
  forecastByHorizon: 'SELECT * FROM v_forecast_accuracy_by_horizon ORDER BY horizon_hours',
  completenessRuns: `
    SELECT * FROM (
      SELECT * FROM v_completeness_by_run ORDER BY collected_at DESC LIMIT ${RECENT_RUNS}
    ) AS recent ORDER BY collected_at`,
  freshnessRuns: `
    SELECT * FROM (
      SELECT * FROM v_freshness_by_run ORDER BY collected_at DESC LIMIT ${RECENT_RUNS}
    ) AS recent ORDER BY collected_at`,
  missingPlaces: `
    SELECT * FROM v_missing_runs_by_place WHERE runs_missing > 0
    ORDER BY runs_missing DESC, area_code LIMIT 15`,
} as const;

export type ReportQuery = keyof typeof REPORT_QUERIES;

/** Runs every report query on a connection where the lake and the views are open. */
export async function readReportData(connection: DuckDBConnection): Promise<ReportData> {
  const timings: Record<string, number> = {};
  const results: Partial<Record<ReportQuery, PlainRow[]>> = {};
  for (const [name, sql] of Object.entries(REPORT_QUERIES) as [ReportQuery, string][]) {
    const started = performance.now();
    results[name] = await readRows(connection, sql);
    timings[name] = (performance.now() - started) / 1000;
  }
  const all = results as Record<ReportQuery, PlainRow[]>;
  return { ...all, summary: all.summary[0] ?? {}, timings };
}
