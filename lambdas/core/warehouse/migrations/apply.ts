import type { Log } from '../../logger.js';
import { WarehouseStatementError } from '../errors.js';
import type { Warehouse } from '../warehouse.js';
import type { Migration } from './files.js';
import { altersColumnType } from './plan.js';

/** The table that records every migration applied, once each (a warehouse table of the schema). */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** The tables of the current schema (before the `CREATE TABLE` files run): who needs migrating. */
export const EXISTING_TABLES_QUERY =
  "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'LOCAL TEMPORARY') ";

export async function existingTables(warehouse: Pick<Warehouse, 'query'>): Promise<Set<string>> {
  return new Set((await warehouse.query(EXISTING_TABLES_QUERY)).map((row) => String(row.table_name)));
}

export interface MigrationResult {
  /** Applied now, with their statements run. */
  readonly applied: string[];
  /** Recorded now without running: their tables were created at the current version. */
  readonly recorded: string[];
  /** Recorded before. */
  readonly already: number;
}

const tableOf = (statement: string) => /^\s*ALTER\s+TABLE\s+([a-z_][a-z0-9_]*)/i.exec(statement)?.[1];

/**
 * Applies the migrations not yet recorded, in order, each with its record in one transaction: a
 * migration is applied once, or not at all (a widening of VARCHAR columns, which Redshift cannot
 * run in a transaction, statement by statement and then its record). A table created by this deploy's `CREATE TABLE` file
 * already has its current columns, so its migrations are recorded without running (`existedBefore`
 * says which tables were there before the files ran). A recorded migration whose file changed since
 * is refused: what was applied is not what the file says.
 */
export async function applyMigrations(
  warehouse: Pick<Warehouse, 'query' | 'batch' | 'execute'>,
  migrations: readonly Migration[],
  existedBefore: ReadonlySet<string>,
  log: Log,
  now: () => Date = () => new Date(),
): Promise<MigrationResult> {
  const recordedRows = await warehouse.query(`SELECT migration_id, checksum FROM ${MIGRATIONS_TABLE}`);
  const recorded = new Map(recordedRows.map((row) => [String(row.migration_id), String(row.checksum)]));
  const result: MigrationResult = { applied: [], recorded: [], already: 0 };
  for (const migration of migrations) {
    const before = recorded.get(migration.id);
    if (before !== undefined) {
      if (before !== migration.checksum)
        throw new WarehouseStatementError(
          `migration ${migration.id} was applied, and its file has changed since: write a new migration instead of editing one`,
          undefined,
        );
      (result as { already: number }).already += 1;
      continue;
    }
    const statements = migration.statements.filter((statement) => {
      const table = tableOf(statement);
      return table === undefined || existedBefore.has(table);
    });
    const record =
      `INSERT INTO ${MIGRATIONS_TABLE} (migration_id, checksum, statements_run, applied_at) ` +
      'VALUES (:migration_id, :checksum, CAST(:statements_run AS INTEGER), CAST(:applied_at AS TIMESTAMP))';
    const values = {
      migration_id: migration.id,
      checksum: migration.checksum,
      statements_run: statements.length,
      applied_at: now().toISOString().replace('T', ' ').replace('Z', ''),
    };
    try {
      if (statements.some(altersColumnType)) {
        // Redshift refuses ALTER COLUMN … TYPE inside a transaction block ("ALTER TABLE"): each
        // statement commits on its own, then the record. The generator keeps such a migration to
        // widenings only (one column each, usually one); a failure fails the deploy naming the
        // migration, with the widenings before it done and the migration not recorded.
        for (const statement of statements) await warehouse.execute(statement);
        await warehouse.execute(record, values);
      } else await warehouse.batch([...statements, record], values);
    } catch (error) {
      throw new WarehouseStatementError(`migration ${migration.id}: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
    (statements.length > 0 ? result.applied : result.recorded).push(migration.id);
    log.info('migration recorded', { migration: migration.id, statements: statements.length });
  }
  return result;
}
