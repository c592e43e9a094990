import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { columnList, TABLES, type TableSpec } from '../../core/schema.js';

/** One table's KST day folder of the lake and how many Parquet files it holds. */
export interface LakeDay {
  readonly table: TableSpec;
  /** `year=YYYY/month=MM/day=DD` */
  readonly path: string;
  readonly files: number;
}

const sorted = (dir: string, prefix: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.startsWith(prefix))
        .sort()
    : [];

/**
 * The day folders of every table with their file counts, oldest first. `skip` leaves out a day
 * before its files are counted (counting means listing 72 minute folders).
 */
export function listLakeDays(
  lake: string,
  skip: (table: TableSpec, path: string) => boolean = () => false,
): LakeDay[] {
  const days: LakeDay[] = [];
  for (const table of TABLES) {
    const root = join(lake, table.name);
    for (const year of sorted(root, 'year='))
      for (const month of sorted(join(root, year), 'month='))
        for (const day of sorted(join(root, year, month), 'day=')) {
          const path = `${year}/${month}/${day}`;
          if (skip(table, path)) continue;
          const files = readdirSync(join(root, year, month, day), { recursive: true }).filter((entry) =>
            String(entry).endsWith('.parquet'),
          ).length;
          if (files > 0) days.push({ table, path, files });
        }
  }
  const order = TABLES.map((table) => table.name as string);
  return days.sort(
    (a, b) => a.path.localeCompare(b.path) || order.indexOf(a.table.name) - order.indexOf(b.table.name),
  );
}

/** DuckDB reads every Parquet file of some day folders: the table's columns, in order. */
export function daysRead(lake: string, table: TableSpec, days: readonly LakeDay[]): string {
  const root = lake.replace(/\\/g, '/');
  const globs = days.map(
    (day) => `'${`${root}/${table.name}/${day.path}/*/*/*.parquet`.replace(/'/g, "''")}'`,
  );
  return `SELECT ${columnList(table)} FROM read_parquet([${globs.join(', ')}], hive_partitioning = false)`;
}

/** `[year, month, day]` of a `year=…/month=…/day=…` path. */
export const dayOf = (path: string) => path.split('/').map((part) => Number(part.split('=')[1]));
