import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TableSpec } from '../../core/schema.js';
import { regularFilesUnder } from '../../core/storage/folder-walk.js';
import { TABLES } from '../../core/tables.js';

/** One table's KST day folder of the lake and how many Parquet files it holds. */
export interface LakeDay {
  readonly table: TableSpec;
  /** `year=YYYY/month=MM/day=DD` */
  readonly path: string;
  readonly files: number;
}

/** Real folders under `dir` named `prefix…`: a linked folder is never entered (nor `dir`, if a link). */
const sorted = (dir: string, prefix: string) =>
  existsSync(dir) && lstatSync(dir).isDirectory()
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name.startsWith(prefix))
        .map((entry) => entry.name)
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
          const files = regularFilesUnder(join(root, year, month, day), '.parquet').files.length;
          if (files > 0) days.push({ table, path, files });
        }
  }
  const order = TABLES.map((table) => table.name as string);
  return days.sort(
    (a, b) => a.path.localeCompare(b.path) || order.indexOf(a.table.name) - order.indexOf(b.table.name),
  );
}

/** `[year, month, day]` of a `year=…/month=…/day=…` path. */
export const dayOf = (path: string) => path.split('/').map((part) => Number(part.split('=')[1]));
