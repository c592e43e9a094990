-- Native copy of the lake's collection_outcomes table: one row per place asked in each run (ok,
-- no-data or failed, with the reason), keyed by (run_id, area_code). Column list = the one schema
-- definition, in order (COPY from Parquet maps by position).
--
-- DISTKEY(area_code): completeness per place groups by area_code, and the per-run completeness
--   view joins population on (run_id, area_code): collocated like the other two tables.
-- SORTKEY(collected_at): completeness is read for recent runs first.
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
