-- GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.
--
-- forecast_error: One row per forecast whose hour has been observed: forecast against the first
-- observation of that hour. Key: (area_code, collected_at, forecast_time).
--
-- Each loaded partition recomputes only the (place, hour) pairs it touches, so
-- v_forecast_accuracy never re-joins every forecast to every observation.
-- DISTKEY(area_code): like the tables it is computed from, so the merge's joins stay on each slice.
-- SORTKEY(forecast_time, area_code): the merge deletes and inserts by (place, hour), and accuracy
--   questions are bounded in time.
CREATE TABLE IF NOT EXISTS forecast_error (
  area_code VARCHAR(16) NOT NULL,
  collected_at TIMESTAMP NOT NULL,
  forecast_time TIMESTAMP NOT NULL,
  horizon_hours INTEGER NOT NULL,
  forecast_congest_level VARCHAR(64) NOT NULL,
  observed_congest_level VARCHAR(64) NOT NULL,
  observed_population_time TIMESTAMP NOT NULL,
  forecast_mid DOUBLE PRECISION NOT NULL,
  observed_mid DOUBLE PRECISION NOT NULL
)
DISTKEY (area_code)
COMPOUND SORTKEY (forecast_time, area_code);
