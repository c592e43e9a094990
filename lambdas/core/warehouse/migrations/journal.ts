import type { ColumnSpec, ColumnType, TableSpec } from '../../schema.js';

/**
 * The history of the warehouse tables' columns, as drizzle-kit keeps it: the schema in code is
 * the truth, and each change of a table that already holds history is a versioned migration,
 * generated from the difference between the code and the last snapshot (`npm run generate:sql`),
 * applied once and recorded. The journal (`sql/migrations/journal.json`) holds the columns of
 * every table as first created (`baseline`) and, for each migration, the columns of the tables it
 * changed. From it follow the current snapshot (what the code must equal, or a migration is due)
 * and every version of a table's files in the lake (what the loader must know to COPY old files).
 */

/** One column as the journal records it: what decides its place in a file and in the warehouse. */
export interface JournalColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** For strings: the VARCHAR size in bytes. */
  readonly maxBytes?: number;
}

export interface JournalMigration {
  /** `0001_population_add_forecast_hours`: the file name without `.sql`, in order. */
  readonly id: string;
  /** The columns, after this migration, of each table it changed. */
  readonly tables: Readonly<Record<string, readonly JournalColumn[]>>;
  /**
   * Columns were dropped or renamed (generated with `--destructive`): files written before it no
   * longer match the table by position, so they must be rewritten from raw/ (replay) before the
   * loader takes them again.
   */
  readonly destructive?: boolean;
}

export interface Journal {
  readonly format: 1;
  readonly baseline: Readonly<Record<string, readonly JournalColumn[]>>;
  readonly migrations: readonly JournalMigration[];
}

export const JOURNAL_FILE = 'journal.json';
/** Where the migrations are, under `sql/`. */
export const MIGRATIONS_FOLDER = 'migrations';

export function journalColumn(column: ColumnSpec): JournalColumn {
  return {
    name: column.name,
    type: column.type,
    nullable: column.nullable === true,
    ...(column.maxBytes !== undefined ? { maxBytes: column.maxBytes } : {}),
  };
}

/** Every table's columns as the code declares them now. */
export function snapshotOf(tables: readonly TableSpec[]): Record<string, JournalColumn[]> {
  return Object.fromEntries(tables.map((table) => [table.name, table.columns.map(journalColumn)]));
}

/** The journal of a warehouse whose tables are as the code has them now and that has no history. */
export function newJournal(tables: readonly TableSpec[]): Journal {
  return { format: 1, baseline: snapshotOf(tables), migrations: [] };
}

/** Every table's columns after the last migration. */
export function currentSnapshot(journal: Journal): Record<string, readonly JournalColumn[]> {
  const snapshot: Record<string, readonly JournalColumn[]> = { ...journal.baseline };
  for (const migration of journal.migrations) Object.assign(snapshot, migration.tables);
  return snapshot;
}

/** One version of a table's files: the columns a file of that version holds, in their order. */
export interface FileVersion {
  /** 1 for the baseline, +1 for each migration of the table. */
  readonly version: number;
  readonly columns: readonly JournalColumn[];
  /** The migration that made it, absent for version 1. */
  readonly migration?: string;
  /** Files of this version must be rewritten from raw/ before they load (a later destructive migration). */
  readonly stale: boolean;
}

/** The versions of one table's files, oldest first; the last is what the writer writes now. */
export function fileVersions(journal: Journal, table: string): FileVersion[] {
  const baseline = journal.baseline[table];
  const versions: FileVersion[] = baseline ? [{ version: 1, columns: baseline, stale: false }] : [];
  for (const migration of journal.migrations) {
    const columns = migration.tables[table];
    if (!columns) continue;
    if (migration.destructive) for (const [i, v] of versions.entries()) versions[i] = { ...v, stale: true };
    versions.push({ version: versions.length + 1, columns, migration: migration.id, stale: false });
  }
  return versions;
}

/** The version of a table's files written now (1 until the table's first migration). */
export function currentVersion(journal: Journal, table: string): number {
  return Math.max(1, fileVersions(journal, table).length);
}
