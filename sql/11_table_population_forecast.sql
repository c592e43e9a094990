-- GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.
--
-- population_forecast: One row per forecast hour of each place and run (the 12-hour forecast in
-- FCST_PPLTN). Key: (area_code, collected_at, forecast_time).
-- Filled by the COPY loader, which merges by the key, so loading a partition twice leaves no
-- duplicates. Columns in the schema's order: COPY from Parquet maps columns by position.
--
-- DISTKEY(area_code): the same as population, so the forecast-accuracy join (same place, forecast
--   hour = observed hour) is collocated on each slice.
-- SORTKEY(forecast_time, area_code): accuracy is computed for forecast hours that have been
--   observed, i.e. a range of forecast_time; sorting on it lets the join's range scan skip blocks.
CREATE TABLE IF NOT EXISTS population_forecast (
  collected_at TIMESTAMP NOT NULL,
  area_code VARCHAR(16) NOT NULL,
  population_time TIMESTAMP NOT NULL,
  forecast_time TIMESTAMP NOT NULL,
  forecast_congest_level VARCHAR(64) NOT NULL,
  forecast_population_min INTEGER NOT NULL,
  forecast_population_max INTEGER NOT NULL
)
DISTKEY (area_code)
COMPOUND SORTKEY (forecast_time, area_code);
