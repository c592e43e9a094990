import { formatKstWallClock, parseKstWallClock } from '../kst-time.js';
import { fitStringColumns } from '../lake/column-bytes.js';
import type { CodeSetColumnsOf, FieldReading, RowOf, TableSpec } from '../schema.js';

/**
 * What every dataset's normalizer shares: reading API fields (all strings) into typed columns, as
 * each column's `field` declares, collecting every problem of a record rather than the first.
 */

/**
 * How far a sum of rounded shares can honestly miss 100: each of `count` values rounded to
 * `decimals` places is off by up to half a unit of that place. Eight bands given as whole numbers
 * can miss by 4 (real answers of 2022 add up to 98 or 102); given to a tenth, by 0.4.
 */
export function roundingTolerance(count: number, decimals: number): number {
  return (count * 0.5) / 10 ** decimals;
}

/**
 * The earliest time an answer can hold: 2022-01-01 00:00 KST. The real-time city data API opened in
 * 2022 (the oldest answers known, with the congestion scale of that year, are from late 2022).
 */
export const API_FIRST_DAY = new Date('2021-12-31T15:00:00Z');

/** How far after its collection an answer's time may be: a day (real answers trail it by 20–35 minutes, forecasts lead it by 12 hours). */
export const ANSWER_TIME_LEAD_MS = 24 * 60 * 60 * 1000;

/** The plausible times of an answer collected at `collectedAt`: a time outside is refused. */
export function answerTimeWindow(collectedAt: Date): AnswerTimeWindow {
  return {
    collectedAt,
    earliest: API_FIRST_DAY,
    latest: new Date(collectedAt.getTime() + ANSWER_TIME_LEAD_MS),
  };
}

export interface AnswerTimeWindow {
  readonly collectedAt: Date;
  readonly earliest: Date;
  readonly latest: Date;
}

/** A value as a reason quotes it: JSON, and short (a reason says what is wrong, not all of it). */
export function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const INT32_MAX = 2_147_483_647;

/**
 * Collects every problem of a record rather than stopping at the first, so a rejection says
 * everything that is wrong with it at once.
 */
export class FieldReader implements Record<FieldReading, (field: string) => unknown> {
  readonly problems: string[] = [];
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly window: AnswerTimeWindow,
    private readonly context = '',
  ) {}

  private raw(field: string): string | undefined {
    const value = this.record[field];
    if (value === undefined || value === null || value === '') {
      this.problems.push(`${this.context}${field} is missing`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.problems.push(`${this.context}${field} is not a string: ${quoted(value)}`);
      return undefined;
    }
    return value;
  }

  text(field: string): string {
    return this.raw(field)?.trim() ?? '';
  }

  int(field: string): number {
    const value = this.raw(field);
    if (value === undefined) return Number.NaN;
    if (!INTEGER.test(value.trim()) || Number(value) > INT32_MAX) {
      this.problems.push(`${this.context}${field} is not a whole number: ${quoted(value)}`);
      return Number.NaN;
    }
    return Number(value);
  }

  rate(field: string): number {
    const value = this.raw(field);
    if (value === undefined) return Number.NaN;
    const number = Number(value.trim());
    if (!DECIMAL.test(value.trim()) || number > 100) {
      this.problems.push(`${this.context}${field} is not a share between 0 and 100: ${quoted(value)}`);
      return Number.NaN;
    }
    return number;
  }

  yesNo(field: string): boolean {
    const value = this.raw(field);
    if (value === undefined) return false;
    if (value !== 'Y' && value !== 'N')
      this.problems.push(`${this.context}${field} is not Y or N: ${quoted(value)}`);
    return value === 'Y';
  }

  /** How many entries a list field holds. */
  count(field: string): number {
    const value = this.record[field];
    if (!Array.isArray(value)) {
      this.problems.push(
        `${this.context}${field} is ${value === undefined || value === null || value === '' ? 'missing' : `not a list: ${JSON.stringify(value).slice(0, 80)}`}`,
      );
      return Number.NaN;
    }
    return value.length;
  }

  /** Whether the record carries a field at all (an absent one is NULL in a nullable column). */
  has(field: string): boolean {
    const value = this.record[field];
    return value !== undefined && value !== null && value !== '';
  }

  kstTime(field: string): Date {
    const value = this.raw(field);
    if (value === undefined) return new Date(Number.NaN);
    const instant = parseKstWallClock(value);
    if (!instant) {
      this.problems.push(`${this.context}${field} is not a "YYYY-MM-DD HH:MM" time: ${quoted(value)}`);
      return new Date(Number.NaN);
    }
    // Out of the window, a time is a server's mistake or lie, not data: 0050 or 9999 is refused.
    if (instant < this.window.earliest)
      this.problems.push(
        `${this.context}${field} ${quoted(value)} is before the API existed (${formatKstWallClock(this.window.earliest)} KST)`,
      );
    else if (instant > this.window.latest)
      this.problems.push(
        `${this.context}${field} ${quoted(value)} is more than a day after the collection (${formatKstWallClock(this.window.collectedAt)} KST)`,
      );
    return instant;
  }
}

/**
 * A row of a table, in column order: each column with an API `field` read by its reader, the
 * others given by the caller (the envelope's times and run, the place's category).
 */
export function readRow<T extends TableSpec>(
  table: T,
  read: FieldReader,
  given: CodeSetColumnsOf<T>,
): RowOf<T> {
  const row: Record<string, unknown> = {};
  const set = given as Record<string, unknown>;
  for (const column of table.columns) {
    if (!column.field) row[column.name] = set[column.name];
    // A field the API did not always send: NULL where the answer lacks it, read like any other where it has it.
    else if (column.nullable && !read.has(column.field.name)) row[column.name] = null;
    else row[column.name] = read[column.field.read](column.field.name);
  }
  return row as RowOf<T>;
}

/** Text longer than its warehouse column is cut to fit (column-bytes.ts) and the record flagged. */
export function fitFlagged<T extends object>(
  table: TableSpec,
  row: T,
  warnings: string[],
  context: string,
): T {
  const { row: fitted, truncated } = fitStringColumns(table, row);
  for (const cut of truncated) {
    const source = table.columns.find((c) => c.name === cut.column)?.field?.name ?? cut.column;
    warnings.push(
      `${context}${source} is ${cut.bytes} bytes in UTF-8, more than its column holds (VARCHAR(${cut.maxBytes})): stored cut, ending with …`,
    );
  }
  return fitted;
}

export function checkRange(problems: string[], label: string, min: number, max: number): void {
  if (Number.isFinite(min) && Number.isFinite(max) && min > max) {
    problems.push(`${label}_MIN ${min} is greater than ${label}_MAX ${max}`);
  }
}
