/**
 * `npm run generate:sql`: writes what `sql/` derives from the one schema definition.
 * - the native tables' `CREATE TABLE` files (a new warehouse gets the tables as the code has them);
 * - when a table that holds history changed, a versioned migration `sql/migrations/NNNN_*.sql`
 *   (`ALTER TABLE … ADD COLUMN`) and its entry in `sql/migrations/journal.json`, which the SQL runner
 *   applies once on deploy. Removing, renaming or retyping a column is refused unless `--destructive`
 *   says the loss is meant (docs/lake-and-sql.md gives the procedure).
 * `--check`: writes nothing, exits 1 naming every file that is missing or differs and any migration
 * that is due (CI runs this).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WAREHOUSE_TABLES } from '../lambdas/core/tables.js';
import { generatedSqlFiles, staleSqlFiles } from '../lambdas/core/warehouse/ddl.js';
import {
  encodeJournal,
  migrationFileText,
  migrationsDir,
  readJournal,
} from '../lambdas/core/warehouse/migrations/files.js';
import { currentSnapshot, JOURNAL_FILE, newJournal } from '../lambdas/core/warehouse/migrations/journal.js';
import { journalEntry, planMigration } from '../lambdas/core/warehouse/migrations/plan.js';

const USAGE = `Usage: npm run generate:sql [-- --check | --destructive]

Writes what sql/ derives from the one schema definition: the native tables' CREATE TABLE files, and,
when a table that holds history changed, a versioned migration sql/migrations/NNNN_*.sql with its
entry in sql/migrations/journal.json (applied once by the SQL runner on deploy).
  --check        write nothing; exit 1 naming every file that is missing or differs, and a migration
                 that is due (CI runs this)
  --destructive  allow a migration that drops a column (docs/lake-and-sql.md gives the procedure)
  -h, --help     this text`;
const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    destructive: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const sqlDir = join(import.meta.dirname, '..', 'sql');
const problems: string[] = [];

const stale = staleSqlFiles(sqlDir);
if (values.check) {
  if (stale.length > 0) problems.push(`stale generated SQL: ${stale.map((n) => `sql/${n}`).join(', ')}`);
} else {
  const files = generatedSqlFiles();
  for (const name of stale) {
    writeFileSync(join(sqlDir, name), files.get(name) as string);
    console.log(`wrote sql/${name}`);
  }
}

const existing = readJournal(sqlDir);
const journal = existing ?? newJournal(WAREHOUSE_TABLES);
const plan = planMigration(currentSnapshot(journal), WAREHOUSE_TABLES, { destructive: values.destructive });
if (plan.refused.length > 0) {
  for (const reason of plan.refused) console.error(`refused: ${reason}`);
  console.error(
    'no migration written: the schema in code cannot be reached from the warehouse without losing history',
  );
  process.exit(1);
}
if (values.check) {
  if (!existing) problems.push(`no sql/migrations/${JOURNAL_FILE}`);
  if (!plan.empty) problems.push(`a migration is due (${plan.changes.join('; ')})`);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\nrun \`npm run generate:sql\` and commit`);
    process.exit(1);
  }
  console.log('sql/ generated files and migrations match the table declarations');
} else {
  const dir = migrationsDir(sqlDir);
  mkdirSync(dir, { recursive: true });
  if (!plan.empty) {
    const number = String(journal.migrations.length + 1).padStart(4, '0');
    const id = `${number}_${plan.slug}`;
    writeFileSync(join(dir, `${id}.sql`), migrationFileText(id, plan.changes, plan.statements));
    const next = { ...journal, migrations: [...journal.migrations, journalEntry(id, plan)] };
    writeFileSync(join(dir, JOURNAL_FILE), encodeJournal(next));
    console.log(`wrote sql/migrations/${id}.sql:\n${plan.changes.map((c) => `  ${c}`).join('\n')}`);
  } else if (!existing || !existsSync(join(dir, JOURNAL_FILE))) {
    writeFileSync(join(dir, JOURNAL_FILE), encodeJournal(journal));
    console.log(`wrote sql/migrations/${JOURNAL_FILE} (the tables as they are: no migration yet)`);
  }
}
