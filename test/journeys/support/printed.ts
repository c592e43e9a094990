import assert from 'node:assert/strict';
import { parseCsvWithPython, parseJsonLinesWithPython } from './python.js';

/**
 * Reads what `npm run query` printed back into rows of text, each time as the KST reading it
 * shows (`YYYY-MM-DD HH:MM:SS`), after checking it carries its zone the way its format says:
 * `… KST` in a table, ISO 8601 with `+09:00` in CSV and JSON. A time without its zone fails.
 */
export type Format = 'table' | 'csv' | 'json';

const TABLE_TIME = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) KST$/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?\+09:00$/;
const LOOKS_LIKE_A_TIME = /\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;

export function timeOf(value: string, format: Format, where: string): string {
  if (!LOOKS_LIKE_A_TIME.test(value)) return value;
  const table = TABLE_TIME.exec(value);
  const iso = ISO_TIME.exec(value);
  if (format === 'table') {
    assert.ok(table, `${where}: ${JSON.stringify(value)} is not a KST time with its zone (table)`);
    return table[1] as string;
  }
  assert.ok(iso, `${where}: ${JSON.stringify(value)} is not ISO 8601 with +09:00 (${format})`);
  return `${iso[1]} ${iso[2]}`;
}

/**
 * The text table a command prints (`formatTextTable`): a header, a rule of dashes, rows split on
 * ` | `, then `(n rows)`; found anywhere in a screen (npm's own lines may come first).
 */
export function tableIn(screen: string): { columns: string[]; rows: string[][] } {
  const lines = screen.split('\n');
  const rule = lines.findIndex((line) => /^-+(-\+-+)*$/.test(line));
  assert.ok(rule > 0, `no table in:\n${screen.slice(0, 2000)}`);
  const end = lines.findIndex((line, i) => i > rule && /^\(\d+ rows?\)$/.test(line));
  assert.ok(end > rule, `a table ends with its row count:\n${screen.slice(-300)}`);
  const columns = (lines[rule - 1] ?? '').split(' | ').map((c) => c.trim());
  const rows = lines.slice(rule + 1, end).map((line) => line.split(' | ').map((c) => c.trim()));
  assert.equal(
    rows.length,
    Number(/\d+/.exec(lines[end] as string)?.[0]),
    'the row count says how many rows were printed',
  );
  return { columns, rows };
}

/** Rows of the printed result, in `columns` order, times as KST readings. */
export function printedRows(stdout: string, format: Format, columns: readonly string[]): string[][] {
  if (format === 'table') {
    const table = tableIn(stdout);
    assert.deepEqual(table.columns, columns);
    return table.rows.map((row) => row.map((value, i) => timeOf(value, format, columns[i] as string)));
  }
  if (format === 'csv') {
    const [header, ...records] = parseCsvWithPython(stdout);
    assert.deepEqual(header, columns);
    return records.map((row) => row.map((value, i) => timeOf(value, format, columns[i] as string)));
  }
  return parseJsonLinesWithPython(stdout).map((object) => {
    assert.deepEqual(Object.keys(object), columns);
    return columns.map((name) => {
      const value = object[name];
      return typeof value === 'string' ? timeOf(value, format, name) : String(value);
    });
  });
}
