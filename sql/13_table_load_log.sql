-- GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.
--
-- load_log: One row per lake partition and table loaded into the warehouse. Key: (table_name,
-- partition_path).
--
-- The loader compares a partition's current number of Parquet files with file_count; a
-- partition that is new, or got another file since, is loaded again, and its row here is replaced
-- in the same transaction as the merge. A failed load is noted with file_count -1; a scheduled load
-- starts no later than the newest partition loaded and the oldest failed one.
-- DISTSTYLE ALL: a few rows per run; every slice holds a copy, so the loader's lookup is local.
-- SORTKEY(partition_path): paths sort in time order (year=…/month=…/…), and the loader reads
--   the log from a starting partition onwards.
CREATE TABLE IF NOT EXISTS load_log (
  table_name VARCHAR(64) NOT NULL,
  partition_path VARCHAR(64) NOT NULL,
  file_count INTEGER NOT NULL,
  rows_loaded BIGINT NOT NULL,
  loaded_at TIMESTAMP NOT NULL
)
DISTSTYLE ALL
COMPOUND SORTKEY (partition_path);
