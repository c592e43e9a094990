-- GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.
--
-- schema_migrations: One row per migration of sql/migrations/ applied to this warehouse. Key:
-- (migration_id).
--
-- The SQL runner reads it at each deploy to apply only the migrations not recorded, and
-- records each in the transaction that applies it: a migration runs once.
-- DISTSTYLE ALL: a handful of rows. SORTKEY(migration_id): ids sort in the order they apply.
CREATE TABLE IF NOT EXISTS schema_migrations (
  migration_id VARCHAR(128) NOT NULL,
  checksum VARCHAR(64) NOT NULL,
  statements_run INTEGER NOT NULL,
  applied_at TIMESTAMP NOT NULL
)
DISTSTYLE ALL
COMPOUND SORTKEY (migration_id);
