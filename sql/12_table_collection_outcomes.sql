-- GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.
--
-- collection_outcomes: One row per place asked in each collection run, with its outcome and the
-- reason if not ok. Key: (run_id, area_code).
-- Filled by the COPY loader, which merges by the key, so loading a partition twice leaves no
-- duplicates. Columns in the schema's order: COPY from Parquet maps columns by position.
--
-- DISTKEY(area_code): completeness per place groups by area_code, and the per-run completeness
--   view joins population on (run_id, area_code): collocated like the other two tables.
-- SORTKEY(collected_at, area_code): completeness is read for recent runs first.
CREATE TABLE IF NOT EXISTS collection_outcomes (
  collected_at TIMESTAMP NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  area_code VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(1024),
  attempts INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
)
DISTKEY (area_code)
COMPOUND SORTKEY (collected_at, area_code);
