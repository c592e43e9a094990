-- Question: what are the fewest and the most people at each place on each day, and when?
-- One row per place and KST day (the day of the observation, population_time, in Korea).
-- population_min is the lowest lower bound published that day, population_max the highest upper
-- bound: the API gives a range, never an exact count.
DROP VIEW IF EXISTS v_population_daily_range CASCADE;

CREATE VIEW v_population_daily_range AS
WITH observed AS (
  SELECT
    area_code,
    area_name,
    category,
    population_time,
    area_population_min,
    area_population_max,
    CAST(population_time + INTERVAL '9 hours' AS DATE) AS kst_date
  FROM population
),
ranked AS (
  SELECT
    observed.*,
    ROW_NUMBER() OVER (
      PARTITION BY area_code, kst_date ORDER BY area_population_max DESC, population_time
    ) AS busiest_order,
    ROW_NUMBER() OVER (
      PARTITION BY area_code, kst_date ORDER BY area_population_min, population_time
    ) AS quietest_order
  FROM observed
)
SELECT
  area_code,
  MAX(area_name) AS area_name,
  MAX(category) AS category,
  kst_date,
  COUNT(*) AS observations,
  MIN(area_population_min) AS population_min,
  MAX(area_population_max) AS population_max,
  ROUND(AVG(CAST(area_population_min + area_population_max AS DOUBLE PRECISION) / 2), 1) AS population_mid_avg,
  MAX(CASE WHEN quietest_order = 1 THEN population_time + INTERVAL '9 hours' END) AS quietest_at_kst,
  MAX(CASE WHEN busiest_order = 1 THEN population_time + INTERVAL '9 hours' END) AS busiest_at_kst
FROM ranked
GROUP BY area_code, kst_date;
