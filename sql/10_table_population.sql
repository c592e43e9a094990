-- GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.
--
-- population: One row per place per collection run: congestion, population range and shares. Key:
-- (area_code, collected_at).
-- Filled by the COPY loader, which merges by the key, so loading a partition twice leaves no
-- duplicates. Columns in the schema's order: COPY from Parquet maps columns by position.
--
-- DISTKEY(area_code): every view groups by place, and the forecast-accuracy view joins
--   population_forecast to population on area_code; with the same distribution key on both tables
--   that join runs on each slice without moving rows. 121 places spread evenly enough.
-- SORTKEY(collected_at, area_code): views and Query Editor questions are bounded in time
--   ("last 7 days", "this month"), so zone maps skip every block outside the range; the loader's
--   merge deletes one partition's collection time, which touches only a few blocks.
CREATE TABLE IF NOT EXISTS population (
  collected_at TIMESTAMP NOT NULL,
  fetched_at TIMESTAMP NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  area_code VARCHAR(16) NOT NULL,
  area_name VARCHAR(256) NOT NULL,
  category VARCHAR(64) NOT NULL,
  area_congest_level VARCHAR(64) NOT NULL,
  area_congest_message VARCHAR(1024) NOT NULL,
  area_population_min INTEGER NOT NULL,
  area_population_max INTEGER NOT NULL,
  male_population_rate DOUBLE PRECISION NOT NULL,
  female_population_rate DOUBLE PRECISION NOT NULL,
  population_rate_0 DOUBLE PRECISION NOT NULL,
  population_rate_10 DOUBLE PRECISION NOT NULL,
  population_rate_20 DOUBLE PRECISION NOT NULL,
  population_rate_30 DOUBLE PRECISION NOT NULL,
  population_rate_40 DOUBLE PRECISION NOT NULL,
  population_rate_50 DOUBLE PRECISION NOT NULL,
  population_rate_60 DOUBLE PRECISION NOT NULL,
  population_rate_70 DOUBLE PRECISION NOT NULL,
  resident_population_rate DOUBLE PRECISION NOT NULL,
  non_resident_population_rate DOUBLE PRECISION NOT NULL,
  replace_yn BOOLEAN NOT NULL,
  forecast_yn BOOLEAN NOT NULL,
  population_time TIMESTAMP NOT NULL
)
DISTKEY (area_code)
COMPOUND SORTKEY (collected_at, area_code);
