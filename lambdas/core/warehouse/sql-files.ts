import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS, settingFromEnv } from '../settings.js';
import { SqlTemplateError } from './errors.js';
import { fillPlaceholders, placeholderNames, splitStatements } from './sql-text.js';

/** One numbered file of `sql/`. */
export interface SqlFile {
  /** File name, e.g. `20_view_congestion_over_time.sql`; files run in name order. */
  readonly name: string;
  readonly text: string;
}

/** `NN_name.sql`: the number fixes the order, and a new file never has to renumber the others. */
const SQL_FILE = /^\d{2,}_[a-z0-9_]+\.sql$/;

/**
 * Analysis views (`NN_view_*.sql`) use only SQL that Redshift and DuckDB share: the very same
 * files run in the warehouse and over the local lake. The other files (external schema, native
 * tables) are Redshift only.
 */
export function isPortableViewFile(name: string): boolean {
  return /^\d{2,}_view_[a-z0-9_]+\.sql$/.test(name);
}

/**
 * Where the SQL files are: `SQL_DIR` when set; else a `sql/` folder next to the running bundle
 * (the Lambda bundle copies it there); else the repository's `sql/` (local runs and tests).
 */
export function defaultSqlDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = settingFromEnv(SETTINGS.sqlDir, env);
  if (configured) return configured;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'sql'), join(here, '..', '..', '..', 'sql')];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}

/** Reads every `NN_name.sql` of a folder, in name order. Other files are ignored. */
export function loadSqlFiles(dir: string): SqlFile[] {
  if (!existsSync(dir)) throw new SqlTemplateError(`SQL folder ${dir} does not exist`);
  const names = readdirSync(dir)
    .filter((name) => SQL_FILE.test(name))
    .sort();
  if (names.length === 0) throw new SqlTemplateError(`SQL folder ${dir} holds no NN_name.sql file`);
  return names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** The statements of a file, placeholders filled; fails before anything runs if one has no value. */
export function statementsOf(file: SqlFile, values: Readonly<Record<string, string>> = {}): string[] {
  try {
    return splitStatements(fillPlaceholders(file.text, values));
  } catch (error) {
    throw new SqlTemplateError(`${file.name}: ${(error as Error).message}`, { cause: error });
  }
}

/** Every placeholder used by a set of files: what the runner must be given values for. */
export function placeholdersOf(files: readonly SqlFile[]): string[] {
  return [...new Set(files.flatMap((file) => placeholderNames(file.text)))].sort();
}

/**
 * A digest of the files' names and contents (and of the migrations, by id and checksum). Given to
 * the SQL runner's custom resource as a property, it makes CloudFormation send an Update (and so
 * re-run the files and apply a new migration) whenever one changes.
 */
export function sqlFilesDigest(files: readonly SqlFile[], migrations: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.name}\0${file.text}\0`);
  for (const migration of migrations) hash.update(`migration\0${migration}\0`);
  return hash.digest('hex');
}

/**
 * The files that make the schema and the tables (`00_*`, `NN_table_*`): they run before the
 * migrations, which alter those tables; the views and grants run after, on the migrated tables.
 */
export function runsBeforeMigrations(name: string): boolean {
  return /^00_/.test(name) || /^\d{2,}_table_[a-z0-9_]+\.sql$/.test(name);
}
