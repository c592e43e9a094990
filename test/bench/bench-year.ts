/**
 * The benchmark year: 72 runs a day × 121 places, 12 forecasts each and an outcome per place and
 * run, written by DuckDB straight into the lake layout (one Parquet file per table and minute
 * partition, KST partition values, the schema's columns in order).
 *
 * Generated one KST day at a time into a DuckDB whose memory is capped: every day is a few
 * thousand rows, so the peak stays the same whatever the number of days (it was ~13 GB when the
 * whole year was built in memory first).
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ALL_PLACES } from '../../lambdas/core/places.js';

export const RUNS_PER_DAY = 72;
/** 00:00 KST on the first simulated day. */
const FIRST_DAY_KST = '2025-07-01 00:00:00';

const sqlText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Deterministic pseudo-random numbers in [0, 1) from a key, in SQL: DuckDB's hash() of a string.
 * Places have a capacity and a daily curve (peak in the afternoon), like the API simulator;
 * forecasts miss by more the further ahead they look.
 */
const rand = (key: string) => `((hash(${key}) % 1000000) / 1000000.0)`;

/** The share of capacity present at a KST time, as in the simulator's daily curve. */
const share = (ts: string, noiseKey: string, spread = '0.1') => {
  const hourOfDay = `(extract(hour FROM ${ts} + INTERVAL 9 HOUR) + extract(minute FROM ${ts}) / 60.0)`;
  const peak = `CASE category WHEN '공원' THEN 15 WHEN '발달상권' THEN 19 ELSE 13 END`;
  return `(
    (0.12 + 0.88 * exp(-pow(least(abs(${hourOfDay} - ${peak}), 24 - abs(${hourOfDay} - ${peak})), 2) / 18))
    * (1 - ${spread} + 2 * ${spread} * ${rand(noiseKey)}))`;
};
const level = (s: string) =>
  `CASE WHEN ${s} < 0.45 THEN '여유' WHEN ${s} < 0.65 THEN '보통' WHEN ${s} < 0.85 THEN '약간 붐빔' ELSE '붐빔' END`;
const step = (n: string) => `CASE WHEN ${n} < 10000 THEN 500 WHEN ${n} < 100000 THEN 2000 ELSE 5000 END`;
const lower = (n: string) => `CAST(floor(${n} / ${step(n)}) * ${step(n)} AS INTEGER)`;
const upper = (n: string) => `CAST(floor(${n} / ${step(n)}) * ${step(n)} + ${step(n)} AS INTEGER)`;

/** One day's rows, in the temp tables `population`, `population_forecast`, `collection_outcomes`. */
function dayStatements(day: number): string[] {
  const first = day * RUNS_PER_DAY;
  return [
    `CREATE OR REPLACE TEMP TABLE asked AS
     SELECT r.run_no, r.collected_at, 'bench-' || r.run_no AS run_id, p.*,
            ${rand("p.area_code || 'o' || r.run_no")} AS u,
            3000 + hash(p.area_code) % 160000 AS capacity
     FROM (SELECT i AS run_no,
                  TIMESTAMP '${FIRST_DAY_KST}' - INTERVAL 9 HOUR + i * INTERVAL 20 MINUTE AS collected_at
           FROM range(${first}, ${first + RUNS_PER_DAY}) AS t(i)) AS r
     CROSS JOIN places AS p`,
    // ~97.5 % ok, 1.5 % no data, 1 % failed.
    `CREATE OR REPLACE TEMP TABLE collection_outcomes AS
     SELECT collected_at, run_id, area_code,
            CASE WHEN u < 0.975 THEN 'ok' WHEN u < 0.99 THEN 'no-data' ELSE 'failed' END AS status,
            CASE WHEN u < 0.975 THEN NULL WHEN u < 0.99 THEN 'INFO-200: no data' ELSE 'HTTP 503 after 3 attempts' END AS reason,
            CAST(CASE WHEN u < 0.99 THEN 1 ELSE 3 END AS INTEGER) AS attempts,
            CAST(100 + u * 400 AS INTEGER) AS duration_ms
     FROM asked`,
    `CREATE OR REPLACE TEMP TABLE observed AS
     SELECT *, capacity * s AS people FROM (
       SELECT a.*, a.collected_at - INTERVAL 25 MINUTE AS population_time,
              ${share('a.collected_at - INTERVAL 25 MINUTE', "a.area_code || 'p' || a.run_no")} AS s
       FROM asked AS a WHERE a.u < 0.975)`,
    `CREATE OR REPLACE TEMP TABLE population AS
     SELECT collected_at, collected_at + INTERVAL 1500 MILLISECOND AS fetched_at, run_id, area_code, area_name, category,
            ${level('s')} AS area_congest_level, ${level('s')} || ' (simulated)' AS area_congest_message,
            ${lower('people')} AS area_population_min, ${upper('people')} AS area_population_max,
            round(45 + 10 * ${rand("area_code || 'm' || run_no")}, 1) AS male_population_rate,
            round(55 - 10 * ${rand("area_code || 'm' || run_no")}, 1) AS female_population_rate,
            CAST(1.5 AS DOUBLE) AS population_rate_0, CAST(4.5 AS DOUBLE) AS population_rate_10, CAST(24.0 AS DOUBLE) AS population_rate_20, CAST(21.0 AS DOUBLE) AS population_rate_30,
            CAST(18.0 AS DOUBLE) AS population_rate_40, CAST(15.0 AS DOUBLE) AS population_rate_50, CAST(10.0 AS DOUBLE) AS population_rate_60, CAST(6.0 AS DOUBLE) AS population_rate_70,
            round(25 + 40 * ${rand("area_code || 'r' || run_no")}, 1) AS resident_population_rate,
            round(75 - 40 * ${rand("area_code || 'r' || run_no")}, 1) AS non_resident_population_rate,
            false AS replace_yn, true AS forecast_yn, population_time
     FROM observed`,
    `CREATE OR REPLACE TEMP TABLE population_forecast AS
     SELECT collected_at, area_code, population_time, forecast_time,
            ${level('fs')} AS forecast_congest_level,
            ${lower('fp')} AS forecast_population_min, ${upper('fp')} AS forecast_population_max
     FROM (
       SELECT *, capacity * fs AS fp FROM (
         SELECT o.collected_at, o.area_code, o.population_time, o.capacity, o.category,
                date_trunc('hour', o.population_time) + h.h * INTERVAL 1 HOUR AS forecast_time,
                ${share("date_trunc('hour', o.population_time) + h.h * INTERVAL 1 HOUR", "o.area_code || 'f' || o.run_no || '-' || h.h", '(0.05 + 0.02 * h.h)')} AS fs
         FROM observed AS o CROSS JOIN range(1, 13) AS h(h)))`,
  ];
}

/** Writes one temp table into the lake, one file per minute partition (as the writer does). */
function partitionedCopy(table: string, lake: string, day: number): string {
  const kst = (format: string) => `strftime(collected_at + INTERVAL 9 HOUR, '${format}')`;
  return `
    COPY (
      SELECT *, ${kst('%Y')} AS year, ${kst('%m')} AS month, ${kst('%d')} AS day, ${kst('%H')} AS hour,
             ${kst('%M')} AS minute
      FROM ${table} ORDER BY collected_at
    ) TO ${sqlText(join(lake, table))} (
      FORMAT PARQUET, COMPRESSION SNAPPY, PARTITION_BY (year, month, day, hour, minute),
      OVERWRITE_OR_IGNORE, FILENAME_PATTERN ${sqlText(`bench-day${day}-{i}`)})`;
}

export interface GeneratedYear {
  readonly runs: number;
  readonly population: number;
  readonly forecasts: number;
  readonly outcomes: number;
}

/**
 * Writes `days` simulated days into `lake`, day by day, starting `firstDay` days after the first
 * simulated day (to add days to a lake generated before); returns the row counts.
 */
export async function generateYear(
  lake: string,
  days: number,
  { firstDay = 0, onDay = () => {} }: { firstDay?: number; onDay?: (day: number) => void } = {},
): Promise<GeneratedYear> {
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: '1GB',
    threads: '2',
    preserve_insertion_order: 'false',
  });
  const db = await instance.connect();
  const totals = { runs: 0, population: 0, forecasts: 0, outcomes: 0 };
  try {
    await db.run("SET TimeZone = 'UTC'");
    const places = ALL_PLACES.map(
      (p, i) => `(${i}, ${sqlText(p.code)}, ${sqlText(p.name)}, ${sqlText(p.category)})`,
    ).join(',\n');
    await db.run(
      `CREATE TABLE places (idx INTEGER, area_code VARCHAR, area_name VARCHAR, category VARCHAR); INSERT INTO places VALUES ${places}`,
    );
    const count = async (table: string) =>
      Number((await db.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJson()[0]?.[0]);
    for (let day = firstDay; day < firstDay + days; day++) {
      for (const statement of dayStatements(day)) await db.run(statement);
      for (const table of ['population', 'population_forecast', 'collection_outcomes'])
        await db.run(partitionedCopy(table, lake, day));
      totals.runs += RUNS_PER_DAY;
      totals.population += await count('population');
      totals.forecasts += await count('population_forecast');
      totals.outcomes += await count('collection_outcomes');
      onDay(day);
    }
    return totals;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
