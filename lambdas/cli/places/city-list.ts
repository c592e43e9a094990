import { parse } from 'csv-parse/sync';
import { ConfigError } from '../../core/errors.js';
import { placeProblems } from '../../core/place-catalogue.js';
import type { Place } from '../../core/places.js';

/**
 * The city's published list of places (the portal's `places.csv`: `category,no,area_cd,area_nm,
 * eng_nm`, one place a line), read into places. The portal's files come in UTF-8, with or without a
 * byte-order mark, or in the Korean legacy encoding (EUC-KR / CP949): all three are read. Columns
 * are found by their header names, in any order; other columns are ignored. Every bad line is named
 * at once, and a list with any bad line is refused whole.
 */

/** A list is a few kilobytes; far more is not the city's list of places. */
export const MAX_LIST_BYTES = 1_048_576;

/** The header names, as the portal writes them, and the place field each fills. */
const COLUMNS = { area_cd: 'code', area_nm: 'name', eng_nm: 'englishName', category: 'category' } as const;

/** The text of the file: UTF-8 (a BOM is dropped), else EUC-KR, else refused. */
export function decodeList(bytes: Buffer, where: string): string {
  if (bytes.length > MAX_LIST_BYTES)
    throw new ConfigError(`${where} is ${bytes.length} bytes: a list of places is at most ${MAX_LIST_BYTES}`);
  for (const encoding of ['utf-8', 'euc-kr']) {
    try {
      return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      // not this encoding: try the next
    }
  }
  throw new ConfigError(`${where} is neither UTF-8 nor EUC-KR text`);
}

/** Reads the list into places, in the file's order; refuses it with every problem named. */
export function parseCityList(bytes: Buffer, where: string): Place[] {
  const text = decodeList(bytes, where);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as string[][];
  } catch (error) {
    throw new ConfigError(`${where} is not CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header)
    throw new ConfigError(`${where} is empty: expected the header ${Object.keys(COLUMNS).join(',')}`);
  const names = header.map((name) => name.trim().toLowerCase());
  const at = Object.fromEntries(Object.keys(COLUMNS).map((name) => [name, names.indexOf(name)])) as Record<
    keyof typeof COLUMNS,
    number
  >;
  const missing = Object.entries(at)
    .filter(([, index]) => index < 0)
    .map(([name]) => name);
  if (missing.length > 0)
    throw new ConfigError(
      `${where} has no column ${missing.join(', ')}: expected a header with ${Object.keys(COLUMNS).join(', ')} (found ${header.join(',')})`,
    );
  const problems: string[] = [];
  const places: Place[] = [];
  const lines = new Map<string, number>();
  for (const [index, row] of rows.entries()) {
    const line = index + 2;
    const cell = (name: keyof typeof COLUMNS) => row[at[name]];
    const place = {
      code: (cell('area_cd') ?? '').toUpperCase(),
      name: cell('area_nm'),
      englishName: cell('eng_nm') ?? '',
      category: cell('category'),
    };
    const wrong = [
      ...(row.length < header.length ? [`${row.length} columns, the header has ${header.length}`] : []),
      ...placeProblems(place),
    ];
    const first = lines.get(place.code);
    if (first !== undefined) wrong.push(`${place.code} is already on line ${first}`);
    if (wrong.length > 0) {
      problems.push(`line ${line}: ${wrong.join(', ')}`);
      continue;
    }
    lines.set(place.code, line);
    places.push(place as Place);
  }
  if (problems.length > 0)
    throw new ConfigError(
      `${where} is not a list of places; nothing was imported: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`,
    );
  if (places.length === 0) throw new ConfigError(`${where} lists no place: nothing was imported`);
  return places;
}
