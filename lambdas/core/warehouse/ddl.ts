import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redshiftType, TABLES, type TableSpec, WAREHOUSE_TABLES } from '../schema.js';

/**
 * The native warehouse tables' `CREATE TABLE` files, generated from the one schema definition by
 * `npm run generate:sql` (and checked by `npm run generate:sql -- --check` in CI). They stay
 * readable files in `sql/` so a reader and the SQL runner see plain SQL.
 */

/** `name TYPE [NOT NULL]` lines of a `CREATE TABLE` body, in column order. */
export function redshiftColumnList(table: TableSpec): string {
  return table.columns
    .map((c) => `  ${c.name} ${redshiftType(c)}${c.nullable ? '' : ' NOT NULL'}`)
    .join(',\n');
}

/** The file name of a native table's DDL: numbered from 10, in the order of `WAREHOUSE_TABLES`. */
export function ddlFileName(table: TableSpec, tables: readonly TableSpec[] = WAREHOUSE_TABLES): string {
  const index = tables.findIndex((t) => t.name === table.name);
  if (index < 0) throw new Error(`${table.name} is not a warehouse table`);
  return `${10 + index}_table_${table.name}.sql`;
}

/** Words of a sentence in lines of at most 96 characters (the comment prefix makes 99). */
function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 96)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

const comment = (text: string) =>
  text
    .split('\n')
    .map((line) => (line === '' ? '--' : `-- ${line}`))
    .join('\n');

/** The whole DDL file of one native table: header comment, `CREATE TABLE`, distribution and sort key. */
export function createTableFile(table: TableSpec): string {
  const { distribution, sortKey, why } = table.redshift;
  const lakeTable = TABLES.some((t) => t.name === table.name);
  const header = [
    'GENERATED from lambdas/core/schema.ts by `npm run generate:sql`: edit the schema, not this file.',
    '',
    ...wrap(`${table.name}: ${table.description} Key: (${table.key.join(', ')}).`),
    ...(lakeTable
      ? wrap(
          'Filled by the COPY loader, which merges by the key, so loading a partition twice leaves no ' +
            "duplicates. Columns in the schema's order: COPY from Parquet maps columns by position.",
        )
      : []),
    '',
    why,
  ].join('\n');
  const placement = [
    distribution === 'ALL' ? 'DISTSTYLE ALL' : `DISTKEY (${distribution.key})`,
    `COMPOUND SORTKEY (${sortKey.join(', ')});`,
  ].join('\n');
  return `${comment(header)}\nCREATE TABLE IF NOT EXISTS ${table.name} (\n${redshiftColumnList(table)}\n)\n${placement}\n`;
}

/** Every generated DDL file, by file name. */
export function generatedSqlFiles(tables: readonly TableSpec[] = WAREHOUSE_TABLES): Map<string, string> {
  return new Map(tables.map((table) => [ddlFileName(table, tables), createTableFile(table)]));
}

/** The generated files that are missing from a folder or differ from what the schema gives. */
export function staleSqlFiles(sqlDir: string, tables: readonly TableSpec[] = WAREHOUSE_TABLES): string[] {
  return [...generatedSqlFiles(tables)]
    .filter(([name, text]) => {
      const path = join(sqlDir, name);
      return !existsSync(path) || readFileSync(path, 'utf8') !== text;
    })
    .map(([name]) => name);
}
