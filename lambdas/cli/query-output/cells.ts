import { type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { parseWallClockReading, readingToKst, type WallClockReading } from '../../core/kst-time.js';

/**
 * One value of a query result, typed for the output formats. Every time is held as its KST
 * reading: the time convention (docs/lake-and-sql.md) says what a person sees is Korean time.
 */
export type Cell =
  | { readonly kind: 'null' }
  | { readonly kind: 'time'; readonly kst: WallClockReading }
  | { readonly kind: 'number'; readonly token: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'structured'; readonly value: unknown };

/**
 * Whether a timestamp column holds a Korean wall-clock reading rather than a stored instant: the
 * views name those `…_kst` (or `kst_…`), and a query that computes one should name it so too.
 */
export function isKstReadingColumn(name: string): boolean {
  return /(^kst_|_kst$)/i.test(name);
}

/** How a column's values become cells. */
type ColumnKind = 'kst-reading' | 'utc-reading' | 'instant-with-offset' | 'number' | 'other';

const READINGS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
]);

const NUMBERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
]);

function kindOf(name: string, type: DuckDBType): ColumnKind {
  // A TIMESTAMP has no zone: stored columns hold UTC readings of instants, `…_kst` columns hold
  // KST readings already. Converting a `…_kst` column again is what printed them 9 hours late.
  if (READINGS.has(type.typeId)) return isKstReadingColumn(name) ? 'kst-reading' : 'utc-reading';
  if (type.typeId === DuckDBTypeId.TIMESTAMP_TZ) return 'instant-with-offset';
  if (NUMBERS.has(type.typeId)) return 'number';
  return 'other';
}

/** `2026-12-02 13:40:00+00`, `…+05:30`: a TIMESTAMPTZ as DuckDB prints it, split from its offset. */
function splitOffset(text: string): { reading: string; offsetMinutes: number } | undefined {
  const match = /^(.*?)([+-])(\d{2})(?::?(\d{2}))?(?::\d{2})?$/.exec(text);
  if (!match) return undefined;
  const [, reading = '', sign, hours = '0', minutes = '0'] = match;
  return { reading, offsetMinutes: (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) };
}

function timeCell(kind: ColumnKind, text: string): Cell {
  if (kind === 'kst-reading') {
    const kst = parseWallClockReading(text);
    return kst ? { kind: 'time', kst } : { kind: 'text', text };
  }
  if (kind === 'utc-reading') {
    const utc = parseWallClockReading(text);
    return utc ? { kind: 'time', kst: readingToKst(utc) } : { kind: 'text', text };
  }
  const split = splitOffset(text);
  const reading = split && parseWallClockReading(split.reading);
  return split && reading
    ? { kind: 'time', kst: readingToKst(reading, split.offsetMinutes) }
    : { kind: 'text', text };
}

/** Turns one value of `getRowsJson()` into a cell, by its column's kind. */
function cellOf(kind: ColumnKind, value: unknown): Cell {
  if (value === null || value === undefined) return { kind: 'null' };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (kind === 'kst-reading' || kind === 'utc-reading' || kind === 'instant-with-offset')
    return typeof value === 'string' ? timeCell(kind, value) : { kind: 'structured', value };
  if (kind === 'number') {
    // Wide integers and decimals arrive as text (they may exceed 2^53): kept digit for digit.
    const token = String(value);
    return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token)
      ? { kind: 'number', token }
      : { kind: 'text', text: token };
  }
  if (typeof value === 'number') return { kind: 'number', token: String(value) };
  if (typeof value === 'string') return { kind: 'text', text: value };
  return { kind: 'structured', value };
}

/** The cells of a result: one array per row, in column order. */
export function cellsOf(
  names: readonly string[],
  types: readonly DuckDBType[],
  rows: readonly (readonly unknown[])[],
): Cell[][] {
  const kinds = names.map((name, i) => kindOf(name, types[i] as DuckDBType));
  return rows.map((row) => row.map((value, i) => cellOf(kinds[i] as ColumnKind, value)));
}
