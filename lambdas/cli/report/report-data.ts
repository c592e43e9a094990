import type { DuckDBConnection } from '@duckdb/node-api';
import { type PlainRow, readRows } from './rows.js';

/** How many of the latest runs the map steps through one by one (three days of runs). */
export const MAP_RUNS = 216;
/** How many of the latest runs the run-by-run charts (completeness, freshness) show: one day. */
export const RECENT_RUNS = 72;
/** How many places the missing-runs table lists (the most missed first); the page says how many more. */
export const MISSING_PLACES_SHOWN = 15;
/** How many hours of forecasts (up to the latest checked one) each place's forecast chart shows. */
export const FORECAST_HOURS = 72;
/** Horizons drawn against what happened, in hours ahead. */
export const FORECAST_HORIZONS = [1, 3, 6, 12] as const;

/**
 * How finely the per-place time series are aggregated, from the span of the lake: every run for a
 * few days, hourly for a few weeks, daily beyond. Keeps the page small (a year of runs would be
 * 3 million points) while the map and the latest charts still show single runs.
 */
export type Resolution = 'run' | 'hour' | 'day';
export function resolutionFor(firstRunKst: string, lastRunKst: string): Resolution {
  const days =
    (Date.parse(`${lastRunKst.slice(0, 19)}Z`) - Date.parse(`${firstRunKst.slice(0, 19)}Z`)) / 86_400_000;
  if (!(days > 3)) return 'run';
  return days <= 45 ? 'hour' : 'day';
}

/** The KST time bucket of a view's `collected_at_kst` at a resolution (SQL both engines share). */
const BUCKET: Record<Resolution, string> = {
  run: 'collected_at_kst',
  hour: "DATE_TRUNC('hour', collected_at_kst)",
  day: "DATE_TRUNC('day', collected_at_kst)",
};

/**
 * Everything the report shows, read from the analysis views (never from the tables directly):
 * the report is a picture of the same answers the warehouse gives in Query Editor v2.
 */
export interface ReportData {
  readonly summary: PlainRow;
  readonly resolution: Resolution;
  /** The map's frames: the latest runs one by one, and one frame per KST day before them. */
  readonly mapRuns: PlainRow[];
  readonly mapDays: PlainRow[];
  /** Per place and time bucket: population range and midpoint, mean congestion rank. */
  readonly placeSeries: PlainRow[];
  readonly residentSeries: PlainRow[];
  readonly ageSex: PlainRow[];
  readonly forecastSeries: PlainRow[];
  readonly forecastByPlace: PlainRow[];
  readonly forecastByHorizon: PlainRow[];
  readonly completenessRuns: PlainRow[];
  readonly freshnessRuns: PlainRow[];
  readonly missingPlaces: PlainRow[];
  /** Every place the lake holds rows of, with its name and category as the rows give them. */
  readonly placeNames: PlainRow[];
  /**
   * The places of the lake's place catalogue (`catalogue/places.json`), when it has one: a place
   * imported and not collected yet still appears in the report's lists. Set by `buildReport`.
   */
  readonly cataloguePlaces?: readonly { code: string; name: string; category: string }[];
  /** Seconds each query took, by name: what the benchmark reports. */
  readonly timings: Readonly<Record<string, number>>;
}

const SUMMARY = `
  SELECT
    (SELECT COUNT(*) FROM v_completeness_by_run) AS runs,
    (SELECT COUNT(DISTINCT area_code) FROM v_congestion_over_time) AS places,
    (SELECT COUNT(*) FROM v_congestion_over_time) AS observations,
    (SELECT MIN(collected_at_kst) FROM v_completeness_by_run) AS first_run_kst,
    (SELECT MAX(collected_at_kst) FROM v_completeness_by_run) AS last_run_kst`;

/** The report's questions, each as SQL over the views (the subset both engines share). */
export function reportQueries(
  resolution: Resolution,
): Record<Exclude<keyof ReportData, 'summary' | 'resolution' | 'timings' | 'cataloguePlaces'>, string> {
  const bucket = BUCKET[resolution];
  const recentRuns = `
    SELECT collected_at FROM (SELECT DISTINCT collected_at FROM v_congestion_over_time) AS runs
    ORDER BY collected_at DESC LIMIT ${MAP_RUNS}`;
  return {
    mapRuns: `
      SELECT c.collected_at_kst, c.area_code, c.congestion_rank, c.congestion_level, c.population_min,
             c.population_max, c.population_time_kst
      FROM v_congestion_over_time AS c
      WHERE c.collected_at IN (${recentRuns})
      ORDER BY c.collected_at, c.area_code`,
    mapDays: `
      SELECT DATE_TRUNC('day', collected_at_kst) AS day_kst, area_code, MAX(congestion_rank) AS congestion_rank,
             MIN(population_min) AS population_min, MAX(population_max) AS population_max, COUNT(*) AS observations
      FROM v_congestion_over_time
      WHERE collected_at < (SELECT MIN(collected_at) FROM (${recentRuns}) AS recent)
      GROUP BY DATE_TRUNC('day', collected_at_kst), area_code
      ORDER BY day_kst, area_code`,
    placeSeries: `
      SELECT area_code, ${bucket} AS t, MIN(population_min) AS population_min, MAX(population_max) AS population_max,
             ROUND(AVG(population_mid), 0) AS population_mid, ROUND(AVG(CAST(congestion_rank AS DOUBLE PRECISION)), 2) AS congestion_rank
      FROM v_congestion_over_time
      GROUP BY area_code, ${bucket}
      ORDER BY area_code, t`,
    residentSeries: `
      SELECT area_code, ${bucket} AS t, ROUND(AVG(resident_pct), 1) AS resident_pct
      FROM v_resident_share_over_time
      GROUP BY area_code, ${bucket}
      ORDER BY area_code, t`,
    ageSex: `
      SELECT area_code, dimension, band, band_order, share_pct, observations
      FROM v_age_sex_distribution ORDER BY area_code, dimension, band_order`,
    forecastSeries: `
      SELECT area_code, forecast_time_kst, horizon_hours, ROUND(AVG(forecast_mid), 0) AS forecast_mid,
             MAX(observed_mid) AS observed_mid
      FROM v_forecast_accuracy
      WHERE horizon_hours IN (${FORECAST_HORIZONS.join(', ')})
        AND forecast_time > (SELECT MAX(forecast_time) FROM v_forecast_accuracy) - INTERVAL '${FORECAST_HOURS} hours'
      GROUP BY area_code, forecast_time_kst, horizon_hours
      ORDER BY area_code, forecast_time_kst, horizon_hours`,
    forecastByPlace: `
      SELECT area_code, horizon_hours, COUNT(*) AS forecasts, SUM(level_hit) AS level_hits,
             ROUND(AVG(ABS(mid_error)), 1) AS mid_abs_error_avg
      FROM v_forecast_accuracy GROUP BY area_code, horizon_hours ORDER BY area_code, horizon_hours`,
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
      SELECT *, COUNT(*) OVER () AS places_missing FROM v_missing_runs_by_place WHERE runs_missing > 0
      ORDER BY runs_missing DESC, area_code LIMIT ${MISSING_PLACES_SHOWN}`,
    placeNames: `
      SELECT area_code, MAX(area_name) AS area_name, MAX(category) AS category
      FROM v_congestion_over_time GROUP BY area_code ORDER BY area_code`,
  };
}

/** Runs every report query on a connection where the lake's tables and the views are open. */
export async function readReportData(connection: DuckDBConnection): Promise<ReportData> {
  const timings: Record<string, number> = {};
  const timed = async (name: string, sql: string) => {
    const started = performance.now();
    const rows = await readRows(connection, sql);
    timings[name] = (performance.now() - started) / 1000;
    return rows;
  };
  const summary = (await timed('summary', SUMMARY))[0] ?? {};
  const resolution = resolutionFor(String(summary.first_run_kst ?? ''), String(summary.last_run_kst ?? ''));
  const results: Record<string, PlainRow[]> = {};
  for (const [name, sql] of Object.entries(reportQueries(resolution))) results[name] = await timed(name, sql);
  return {
    ...(results as unknown as Omit<ReportData, 'summary' | 'resolution' | 'timings' | 'cataloguePlaces'>),
    summary,
    resolution,
    timings,
  };
}
