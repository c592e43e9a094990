-- Question: how crowded is each place, run after run? One row per place per collection run, with
-- the congestion level as published and as a rank (1 = 여유 … 4 = 붐빔) that charts can colour.
--
-- Runs unchanged on Redshift (over the native tables) and on DuckDB (over the lake), so it uses
-- only SQL both share. Times are stored in UTC; Korea is UTC+9 all year with no daylight saving,
-- so "+ INTERVAL '9 hours'" is the KST wall clock in both engines (no time-zone function needed).
DROP VIEW IF EXISTS v_congestion_over_time CASCADE;

CREATE VIEW v_congestion_over_time AS
SELECT
  area_code,
  area_name,
  category,
  run_id,
  collected_at,
  collected_at + INTERVAL '9 hours' AS collected_at_kst,
  population_time + INTERVAL '9 hours' AS population_time_kst,
  CAST(population_time + INTERVAL '9 hours' AS DATE) AS kst_date,
  EXTRACT(HOUR FROM population_time + INTERVAL '9 hours') AS kst_hour,
  area_congest_level AS congestion_level,
  -- '매우 붐빔' is the top of the scale used until 2022; unknown labels get no rank.
  CASE area_congest_level
    WHEN '여유' THEN 1
    WHEN '보통' THEN 2
    WHEN '약간 붐빔' THEN 3
    WHEN '붐빔' THEN 4
    WHEN '매우 붐빔' THEN 4
  END AS congestion_rank,
  area_population_min AS population_min,
  area_population_max AS population_max,
  CAST(area_population_min + area_population_max AS DOUBLE PRECISION) / 2 AS population_mid
FROM population;
