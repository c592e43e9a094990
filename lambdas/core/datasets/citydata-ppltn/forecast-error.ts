import { FORECAST_ERROR } from './tables.js';

/**
 * Forecast errors, kept up to date as the actuals arrive instead of re-joining every forecast to
 * every observation at each query (that join took 13–16 s over a simulated year).
 *
 * A forecast for hour H is checked against the first observation of its place published in that
 * hour (population_time from H to H+59 min, earliest first). So a loaded partition can only change
 * the errors of the (place, hour) pairs it touches: the hours its observations fall in (population)
 * or the hours its forecasts are for (population_forecast). The merge recomputes exactly those
 * pairs — delete, then insert from the tables — so it gives the same rows whatever the order in
 * which partitions arrive, and loading one twice changes nothing.
 *
 * Every statement here is the same text on Redshift and DuckDB (the SQL both share).
 */
export const FORECAST_ERROR_TABLE = FORECAST_ERROR.name;
export const FORECAST_ERROR_COLUMNS = FORECAST_ERROR.columns;

/** The (place, hour) pairs a loaded partition touches: rebuilt from its staging table each time. */
export const TOUCHED_HOURS_TABLE = 'stage_forecast_hours';

const columnList = FORECAST_ERROR_COLUMNS.map((c) => c.name).join(', ');

/**
 * The checked forecasts, as a SELECT over `population_forecast` and `population`. With `touched`,
 * only the (area_code, forecast_time) pairs of that table: what the merge recomputes; without, all
 * of them: the from-scratch answer (the lake view of `npm run query`, and the tests' reference).
 */
export function forecastErrorSelect(touched?: string): string {
  const observedIn = touched
    ? `FROM population AS p JOIN ${touched} AS t ON t.area_code = p.area_code ` +
      `AND p.population_time >= t.forecast_time AND p.population_time < t.forecast_time + INTERVAL '1 hour'`
    : 'FROM population AS p';
  const forecastsIn = touched
    ? `FROM population_forecast AS f JOIN ${touched} AS t ON t.area_code = f.area_code AND t.forecast_time = f.forecast_time`
    : 'FROM population_forecast AS f';
  return `SELECT
  f.area_code,
  f.collected_at,
  f.forecast_time,
  CAST(
    CAST(EXTRACT(EPOCH FROM f.forecast_time) - EXTRACT(EPOCH FROM DATE_TRUNC('hour', f.population_time)) AS DOUBLE PRECISION) / 3600
    AS INTEGER
  ) AS horizon_hours,
  f.forecast_congest_level,
  o.area_congest_level AS observed_congest_level,
  o.population_time AS observed_population_time,
  CAST(f.forecast_population_min + f.forecast_population_max AS DOUBLE PRECISION) / 2 AS forecast_mid,
  CAST(o.area_population_min + o.area_population_max AS DOUBLE PRECISION) / 2 AS observed_mid
${forecastsIn}
JOIN (
  SELECT
    p.area_code,
    DATE_TRUNC('hour', p.population_time) AS observed_hour,
    p.population_time,
    p.area_congest_level,
    p.area_population_min,
    p.area_population_max,
    ROW_NUMBER() OVER (
      PARTITION BY p.area_code, DATE_TRUNC('hour', p.population_time) ORDER BY p.population_time, p.collected_at
    ) AS nth_in_hour
  ${observedIn}
) AS o
  ON o.area_code = f.area_code AND o.observed_hour = f.forecast_time AND o.nth_in_hour = 1`;
}

/**
 * The (place, hour) pairs a staged partition of `table` touches: the hours of its rows, and, for
 * observations, the hours of the rows it replaces (a re-run may have seen another hour). None for
 * tables that hold neither forecasts nor observations.
 */
function touchedHours(table: string, staging: string): string | undefined {
  if (table === 'population_forecast') return `SELECT DISTINCT area_code, forecast_time FROM ${staging}`;
  if (table !== 'population') return undefined;
  const hourOf = (alias: string) =>
    `${alias}.area_code, DATE_TRUNC('hour', ${alias}.population_time) AS forecast_time`;
  return (
    `SELECT DISTINCT area_code, forecast_time FROM (SELECT ${hourOf('s')} FROM ${staging} AS s ` +
    `UNION ALL SELECT ${hourOf('p')} FROM population AS p JOIN ${staging} AS s ` +
    'ON s.area_code = p.area_code AND s.collected_at = p.collected_at) AS hours'
  );
}

/**
 * The statements that keep `forecast_error` up to date when a partition of `table` is merged from
 * `staging`, in the merge's transaction: `before` runs once the staging table is filled (it notes
 * the touched hours, replaced rows included), `after` once the merge is done (it deletes the
 * errors of those hours and inserts them again from the tables). Empty for other tables.
 */
export function forecastErrorStatements(
  table: string,
  staging: string,
): { readonly before: string[]; readonly after: string[] } {
  const touched = touchedHours(table, staging);
  if (!touched) return { before: [], after: [] };
  const sameHour = ['area_code', 'forecast_time']
    .map((k) => `${FORECAST_ERROR_TABLE}.${k} = ${TOUCHED_HOURS_TABLE}.${k}`)
    .join(' AND ');
  return {
    before: [
      `DROP TABLE IF EXISTS ${TOUCHED_HOURS_TABLE}`,
      `CREATE TEMP TABLE ${TOUCHED_HOURS_TABLE} AS ${touched}`,
    ],
    after: [
      `DELETE FROM ${FORECAST_ERROR_TABLE} USING ${TOUCHED_HOURS_TABLE} WHERE ${sameHour}`,
      `INSERT INTO ${FORECAST_ERROR_TABLE} (${columnList}) ${forecastErrorSelect(TOUCHED_HOURS_TABLE)}`,
      `DROP TABLE ${TOUCHED_HOURS_TABLE}`,
    ],
  };
}
