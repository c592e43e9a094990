import { KST_ISO_OFFSET, type WallClockReading } from '../../core/kst-time.js';
import { formatTextTable } from '../text-table.js';
import type { Cell } from './cells.js';

/** The output formats of `npm run query -- … --format`. */
export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** For a person: `2026-12-02 22:35:00 KST`, to the second. */
const forPerson = (kst: WallClockReading) => `${kst.date} ${kst.time} KST`;
/** For a program: ISO 8601 with the offset, every digit kept: `2026-12-02T22:35:00.250+09:00`. */
const forProgram = (kst: WallClockReading) => `${kst.date}T${kst.time}${kst.fraction}${KST_ISO_OFFSET}`;

function tableText(cell: Cell): string {
  switch (cell.kind) {
    case 'null':
      return 'NULL';
    case 'time':
      return forPerson(cell.kst);
    case 'number':
      return cell.token;
    case 'boolean':
      return String(cell.value);
    case 'text':
      return cell.text;
    case 'structured':
      return JSON.stringify(cell.value);
  }
}

/** An aligned table for a terminal, with the row count. */
export function renderTable(columns: readonly string[], rows: readonly Cell[][]): string {
  return formatTextTable(
    columns,
    rows.map((row) => row.map(tableText)),
  );
}

/** RFC 4180: a field with a comma, a quote, CR or LF is quoted, and its quotes are doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvText(cell: Cell): string {
  switch (cell.kind) {
    // NULL is the empty field; an empty string is quoted (""), so a reader can tell them apart.
    case 'null':
      return '';
    case 'text':
      return cell.text === '' ? '""' : csvField(cell.text);
    case 'time':
      return forProgram(cell.kst);
    case 'number':
      return cell.token;
    case 'boolean':
      return String(cell.value);
    case 'structured':
      return csvField(JSON.stringify(cell.value));
  }
}

/**
 * CSV with a header row, records ending in CRLF (RFC 4180). Returned without the last record's
 * LF: the command's output adds the final newline.
 */
export function renderCsv(columns: readonly string[], rows: readonly Cell[][]): string {
  const records = [columns.map(csvField), ...rows.map((row) => row.map(csvText))];
  return `${records.map((fields) => fields.join(',')).join('\r\n')}\r`;
}

function jsonToken(cell: Cell): string {
  switch (cell.kind) {
    case 'null':
      return 'null';
    case 'time':
      return JSON.stringify(forProgram(cell.kst));
    // Written as the database's digits, not through a JS number: a BIGINT above 2^53 or a
    // DECIMAL keeps its exact value for a reader that can hold it.
    case 'number':
      return cell.token;
    case 'boolean':
      return String(cell.value);
    case 'text':
      return JSON.stringify(cell.text);
    case 'structured':
      return JSON.stringify(cell.value);
  }
}

/** A result column named twice cannot be a JSON object's key twice: the names that repeat. */
export function repeatedNames(columns: readonly string[]): string[] {
  return [...new Set(columns.filter((name, i) => columns.indexOf(name) !== i))];
}

/** JSON Lines: one object per row, keys in column order; nothing at all for no rows. */
export function renderJsonLines(columns: readonly string[], rows: readonly Cell[][]): string | undefined {
  if (rows.length === 0) return undefined;
  const keys = columns.map((name) => JSON.stringify(name));
  return rows.map((row) => `{${row.map((cell, i) => `${keys[i]}:${jsonToken(cell)}`).join(',')}}`).join('\n');
}
