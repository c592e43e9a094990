import { type ColumnSpec, redshiftType, type TableSpec } from '../../schema.js';
import { type JournalColumn, type JournalMigration, journalColumn } from './journal.js';

/**
 * What the code's tables differ from the last snapshot by, as a migration: the statements that
 * bring a warehouse of the snapshot to the code, or the reasons it cannot be generated safely.
 *
 * Safe, and generated without asking: a new table (its `CREATE TABLE` file creates it; the
 * migration only records it) and a new column at the end of a table that may be NULL (`ALTER
 * TABLE … ADD COLUMN`: Redshift appends it, so the table's column order stays the files' order,
 * which COPY from Parquet relies on; rows and files from before hold NULL there).
 *
 * Refused unless `destructive` says the loss is meant, each with what to do instead: a column
 * removed or renamed (history in the warehouse and old files no longer line up), a type or
 * nullability changed, a new column that may not be NULL (old rows have no value) or that is not
 * at the end (old files would no longer match by position). With `destructive`, removed columns
 * are dropped and the others refused still: the docs give the procedure (lake-and-sql.md).
 */
export interface MigrationPlan {
  /** Nothing differs: no migration is due. */
  readonly empty: boolean;
  readonly statements: string[];
  /** Short words for the file name: `population_add_forecast_hours`. */
  readonly slug: string;
  /** The columns of each table the migration changes, as they will be. */
  readonly tables: Record<string, JournalColumn[]>;
  readonly destructive: boolean;
  /** Why it cannot be generated; empty when it can. */
  readonly refused: string[];
  /** One line per change, for the generator's output. */
  readonly changes: string[];
}

const same = (a: JournalColumn, b: JournalColumn) =>
  a.type === b.type && a.nullable === b.nullable && a.maxBytes === b.maxBytes;

function columnDdl(column: ColumnSpec): string {
  return `${column.name} ${redshiftType(column)}`;
}

export function planMigration(
  snapshot: Readonly<Record<string, readonly JournalColumn[]>>,
  tables: readonly TableSpec[],
  options: { destructive?: boolean } = {},
): MigrationPlan {
  const statements: string[] = [];
  const refused: string[] = [];
  const changes: string[] = [];
  const slugs: string[] = [];
  const changed: Record<string, JournalColumn[]> = {};
  let destructive = false;

  for (const table of tables) {
    const before = snapshot[table.name];
    const now = table.columns.map(journalColumn);
    if (!before) {
      changed[table.name] = now;
      changes.push(`new table ${table.name} (created by its CREATE TABLE file)`);
      slugs.push(`create_${table.name}`);
      continue;
    }
    const names = new Set(now.map((c) => c.name));
    const old = new Map(before.map((c) => [c.name, c]));
    const removed = before.filter((c) => !names.has(c.name));
    const added = table.columns.filter((c) => !old.has(c.name));
    let tableChanged = false;

    for (const column of removed) {
      tableChanged = true;
      if (options.destructive) {
        destructive = true;
        // CASCADE: Redshift's views are bound to the columns they read, and RESTRICT (the default)
        // refuses to drop one a view reads ("ALTER TABLE", DROP COLUMN). The views it drops are
        // made again by their sql/ files, which the SQL runner applies right after the migrations.
        statements.push(`ALTER TABLE ${table.name} DROP COLUMN ${column.name} CASCADE`);
        changes.push(`${table.name}: drop column ${column.name} (destructive)`);
        slugs.push(`${table.name}_drop_${column.name}`);
      } else {
        refused.push(
          `${table.name}.${column.name} is gone from the schema: dropping a column loses its history` +
            (added.length > 0
              ? ` (if it was renamed to ${added.map((c) => c.name).join(' or ')}, see "Renaming a column" in docs/lake-and-sql.md)`
              : '') +
            '; to drop it on purpose, run npm run generate:sql -- --destructive',
        );
      }
    }
    for (const column of now) {
      const was = old.get(column.name);
      if (!was || same(was, column)) continue;
      const widened =
        was.type === 'string' &&
        column.type === 'string' &&
        was.nullable === column.nullable &&
        (column.maxBytes ?? 0) > (was.maxBytes ?? 0);
      if (widened) {
        tableChanged = true;
        statements.push(
          `ALTER TABLE ${table.name} ALTER COLUMN ${column.name} TYPE VARCHAR(${column.maxBytes})`,
        );
        changes.push(`${table.name}.${column.name}: VARCHAR(${was.maxBytes}) → VARCHAR(${column.maxBytes})`);
        slugs.push(`${table.name}_widen_${column.name}`);
        continue;
      }
      refused.push(
        `${table.name}.${column.name} changed from ${describe(was)} to ${describe(column)}: only a VARCHAR may grow in place; ` +
          'add a column with the new type instead (docs/lake-and-sql.md, "Changing a column")',
      );
    }
    const keptOrder = now.filter((c) => old.has(c.name)).map((c) => c.name);
    const oldOrder = before.filter((c) => names.has(c.name)).map((c) => c.name);
    if (keptOrder.join(',') !== oldOrder.join(',')) {
      tableChanged = true;
      refused.push(
        `${table.name}: columns reordered (${oldOrder.join(', ')} → ${keptOrder.join(', ')}): files and the warehouse table keep the old order, and COPY from Parquet maps columns by position; put them back`,
      );
    }
    const kept = keptOrder.length;
    for (const [index, spec] of table.columns.entries()) {
      if (old.has(spec.name)) continue;
      tableChanged = true;
      if (index < kept) {
        refused.push(
          `${table.name}.${spec.name} is added between existing columns: put it after ${now.filter((c) => old.has(c.name)).at(-1)?.name}, ` +
            'the last one (Redshift adds a column at the end, and COPY from Parquet maps columns by position)',
        );
        continue;
      }
      if (!spec.nullable) {
        refused.push(
          `${table.name}.${spec.name} is added as NOT NULL: the rows and files written before it have no value; declare it nullable: true`,
        );
        continue;
      }
      statements.push(`ALTER TABLE ${table.name} ADD COLUMN ${columnDdl(spec)}`);
      changes.push(
        `${table.name}: add column ${spec.name} ${redshiftType(spec)} (NULL for rows and files written before)`,
      );
      slugs.push(`${table.name}_add_${spec.name}`);
    }
    if (tableChanged) changed[table.name] = now;
  }
  // Redshift cannot alter a column inside a transaction block ("ALTER TABLE", ALTER COLUMN … TYPE),
  // so a widening runs statement by statement, outside the one transaction a migration otherwise
  // is (apply.ts): alone in its migration, nothing else of it can be half applied.
  const widenings = statements.filter(altersColumnType);
  if (widenings.length > 0 && widenings.length < statements.length)
    refused.push(
      'a VARCHAR widened goes in a migration of its own (Redshift cannot alter a column inside a transaction, and the other changes must stay in one): ' +
        'make the widening alone, run npm run generate:sql, then make the other changes and run it again',
    );
  for (const name of Object.keys(snapshot))
    if (!tables.some((t) => t.name === name))
      refused.push(
        `table ${name} is gone from the schema: its history stays in the warehouse; a table is never dropped by a migration`,
      );

  return {
    empty: Object.keys(changed).length === 0 && refused.length === 0,
    statements,
    slug: slugify(slugs),
    tables: changed,
    destructive,
    refused,
    changes,
  };
}

function describe(column: JournalColumn): string {
  const type = column.type === 'string' ? `VARCHAR(${column.maxBytes})` : column.type;
  return `${type}${column.nullable ? '' : ' NOT NULL'}`;
}

function slugify(parts: readonly string[]): string {
  const joined = parts.join('_and_').replace(/[^a-z0-9_]/g, '_');
  return joined.length <= 60 ? joined : `${joined.slice(0, 50).replace(/_+$/, '')}_and_more`;
}

/** The journal entry of a plan, once it is written as migration `id`. */
export function journalEntry(id: string, plan: MigrationPlan): JournalMigration {
  return { id, tables: plan.tables, ...(plan.destructive ? { destructive: true } : {}) };
}

/** `ALTER TABLE … ALTER COLUMN … TYPE …`: what Redshift refuses inside a transaction block. */
export function altersColumnType(statement: string): boolean {
  return /^\s*ALTER\s+TABLE\s+\S+\s+ALTER\s+COLUMN\s+\S+\s+TYPE\b/i.test(statement);
}
