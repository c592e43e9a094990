-- Question: how good are Seoul's own 12-hour forecasts?
--
-- v_forecast_accuracy: one row per forecast whose hour has since been observed. A forecast for
--   14:00 is compared with the first observation of the same place published in that hour
--   (population_time from 14:00 to 14:59, earliest first). horizon_hours counts from the hour of
--   the observation the forecast came with: a 13:35 record's forecast for 14:00 has horizon 1.
--   level_hit is 1 when the forecast congestion level equals the observed one; mid_error is the
--   forecast range's midpoint minus the observed range's midpoint (positive = over-forecast).
-- v_forecast_accuracy_by_horizon: the same, summed up per horizon.
DROP VIEW IF EXISTS v_forecast_accuracy_by_horizon CASCADE;
DROP VIEW IF EXISTS v_forecast_accuracy CASCADE;

-- The comparison itself is kept in the table forecast_error, brought up to date by the loader as
-- each partition arrives (lambdas/core/warehouse/forecast-error.ts), so this view reads checked
-- forecasts instead of joining every forecast to every observation at each query.
CREATE VIEW v_forecast_accuracy AS
SELECT
  area_code,
  collected_at,
  collected_at + INTERVAL '9 hours' AS collected_at_kst,
  forecast_time,
  forecast_time + INTERVAL '9 hours' AS forecast_time_kst,
  horizon_hours,
  forecast_congest_level,
  observed_congest_level,
  observed_population_time + INTERVAL '9 hours' AS observed_at_kst,
  CASE WHEN forecast_congest_level = observed_congest_level THEN 1 ELSE 0 END AS level_hit,
  forecast_mid,
  observed_mid,
  forecast_mid - observed_mid AS mid_error
FROM forecast_error;

CREATE VIEW v_forecast_accuracy_by_horizon AS
SELECT
  horizon_hours,
  COUNT(*) AS forecasts,
  SUM(level_hit) AS level_hits,
  ROUND(CAST(SUM(level_hit) AS DOUBLE PRECISION) * 100 / COUNT(*), 1) AS level_hit_pct,
  ROUND(AVG(ABS(mid_error)), 1) AS mid_abs_error_avg,
  ROUND(AVG(mid_error), 1) AS mid_error_avg,
  ROUND(AVG(ABS(mid_error) / NULLIF(observed_mid, 0)) * 100, 1) AS mid_abs_error_pct_avg
FROM v_forecast_accuracy
GROUP BY horizon_hours;
