-- What the COPY loader loaded, and when: one row per lake partition and table. The loader
-- compares a partition's current number of Parquet files with file_count here; a partition that
-- is new, or got another file since (a late batch, a re-run), is loaded again. The merge keeps
-- that reload free of duplicates, and the row here is replaced in the same transaction.
--
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
SORTKEY (partition_path);
