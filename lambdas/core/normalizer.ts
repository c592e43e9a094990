import type { Envelope } from './envelope.js';
import { formatKstWallClock, parseKstWallClock } from './kst-time.js';
import { fitStringColumns } from './lake/column-bytes.js';
import {
  type CodeSetColumnsOf,
  type FieldReading,
  type ForecastRow,
  POPULATION,
  POPULATION_FORECAST,
  type PopulationRow,
  type RowOf,
  type TableSpec,
} from './schema.js';

/** Congestion labels in use since late 2022, and the older scale. Others are kept but flagged. */
export const CONGESTION_LEVELS = ['여유', '보통', '약간 붐빔', '붐빔'] as const;
export const LEGACY_CONGESTION_LEVELS = ['매우 붐빔'] as const;
const KNOWN_LEVELS = new Set<string>([...CONGESTION_LEVELS, ...LEGACY_CONGESTION_LEVELS]);

/**
 * How far a sum of rounded shares can honestly miss 100: each of `count` values rounded to
 * `decimals` places is off by up to half a unit of that place. Eight bands given as whole numbers
 * can miss by 4 (real answers of 2022 add up to 98 or 102); given to a tenth, by 0.4.
 */
export function roundingTolerance(count: number, decimals: number): number {
  return (count * 0.5) / 10 ** decimals;
}

export type Normalized =
  | { ok: true; population: PopulationRow; forecasts: ForecastRow[]; warnings: string[] }
  | { ok: false; reasons: string[] };

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
function quoted(value: unknown): string {
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
class FieldReader implements Record<FieldReading, (field: string) => unknown> {
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
function readRow<T extends TableSpec>(table: T, read: FieldReader, given: CodeSetColumnsOf<T>): RowOf<T> {
  const row: Record<string, unknown> = {};
  const set = given as Record<string, unknown>;
  for (const column of table.columns) {
    row[column.name] = column.field ? read[column.field.read](column.field.name) : set[column.name];
  }
  return row as RowOf<T>;
}

/**
 * Turns an envelope into one `population` row and its `population_forecast` rows: numbers from
 * strings, Y/N to booleans, KST wall clock to UTC instants. A record that cannot be normalized is
 * refused with every reason; an unknown congestion label is kept, with a warning (the label set
 * changed before and may change again).
 */
export function normalizeEnvelope(envelope: Envelope): Normalized {
  const record = envelope.payload as Record<string, unknown>;
  const collectedAt = new Date(envelope.collectedAt);
  const window = answerTimeWindow(collectedAt);
  const read = new FieldReader(record, window);
  // What the fetcher found unusual in the answer (several records, invalid UTF-8): the row is
  // kept, flagged, and raw/ holds the whole answer as received.
  const warnings: string[] = [...(envelope.answer?.notes ?? [])];

  const population = readRow(POPULATION, read, {
    collected_at: collectedAt,
    fetched_at: new Date(envelope.fetchedAt),
    run_id: envelope.runId,
    category: envelope.place.category,
  });
  const areaCode = population.area_code;
  if (areaCode !== '' && areaCode !== envelope.place.code) {
    // First among the reasons: AREA_CD is the first field read, and a wrong place explains the rest.
    read.problems.unshift(
      `AREA_CD ${quoted(areaCode)} does not match the place asked, ${envelope.place.code}`,
    );
  }

  checkRange(read.problems, 'AREA_PPLTN', population.area_population_min, population.area_population_max);
  // A sum outside what rounding explains is flagged, not rejected: the row can be stored, and
  // rejection is for records that cannot be.
  checkSum(
    warnings,
    record,
    ['MALE_PPLTN_RATE', 'FEMALE_PPLTN_RATE'],
    [population.male_population_rate, population.female_population_rate],
  );
  checkSum(
    warnings,
    record,
    ['RESNT_PPLTN_RATE', 'NON_RESNT_PPLTN_RATE'],
    [population.resident_population_rate, population.non_resident_population_rate],
  );
  checkSum(
    warnings,
    record,
    AGE_BANDS.map((band) => `PPLTN_RATE_${band}`),
    [
      population.population_rate_0,
      population.population_rate_10,
      population.population_rate_20,
      population.population_rate_30,
      population.population_rate_40,
      population.population_rate_50,
      population.population_rate_60,
      population.population_rate_70,
    ],
  );
  flagUnknownLevel(warnings, 'AREA_CONGEST_LVL', population.area_congest_level);

  const forecasts = readForecasts(record.FCST_PPLTN, population, window, read.problems, warnings);
  if (read.problems.length > 0) return { ok: false, reasons: read.problems };
  return {
    ok: true,
    population: fitFlagged(POPULATION, population, warnings, ''),
    forecasts: forecasts.map((row, index) =>
      fitFlagged(POPULATION_FORECAST, row, warnings, `FCST_PPLTN[${index}].`),
    ),
    warnings,
  };
}

/** Text longer than its warehouse column is cut to fit (column-bytes.ts) and the record flagged. */
function fitFlagged<T extends object>(table: TableSpec, row: T, warnings: string[], context: string): T {
  const { row: fitted, truncated } = fitStringColumns(table, row);
  for (const cut of truncated) {
    const source = table.columns.find((c) => c.name === cut.column)?.field?.name ?? cut.column;
    warnings.push(
      `${context}${source} is ${cut.bytes} bytes in UTF-8, more than its column holds (VARCHAR(${cut.maxBytes})): stored cut, ending with …`,
    );
  }
  return fitted;
}

function readForecasts(
  value: unknown,
  population: PopulationRow,
  window: AnswerTimeWindow,
  problems: string[],
  warnings: string[],
): ForecastRow[] {
  // Missing or empty even when FCST_YN is "Y" happens in real answers: that is "no forecast".
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) {
    problems.push(`FCST_PPLTN is not a list: ${quoted(value)}`);
    return [];
  }
  const rows = value.map((entry: unknown, index) => {
    const context = `FCST_PPLTN[${index}].`;
    const read = new FieldReader(
      typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {},
      window,
      context,
    );
    const row: ForecastRow = readRow(POPULATION_FORECAST, read, {
      collected_at: population.collected_at,
      area_code: population.area_code,
      population_time: population.population_time,
    });
    checkRange(
      read.problems,
      `${context}FCST_PPLTN`,
      row.forecast_population_min,
      row.forecast_population_max,
    );
    flagUnknownLevel(warnings, `${context}FCST_CONGEST_LVL`, row.forecast_congest_level);
    problems.push(...read.problems);
    return row;
  });
  return firstPerForecastTime(rows, warnings);
}

/**
 * One forecast per FCST_TIME: a table with two rows for one hour would make every view pick one
 * arbitrarily. The first is kept, and the row is flagged; raw/ keeps the whole list.
 */
function firstPerForecastTime(rows: ForecastRow[], warnings: string[]): ForecastRow[] {
  const seen = new Map<number, number>();
  const kept: ForecastRow[] = [];
  for (const row of rows) {
    const time = row.forecast_time.getTime();
    if (Number.isNaN(time)) {
      kept.push(row);
      continue;
    }
    seen.set(time, (seen.get(time) ?? 0) + 1);
    if (seen.get(time) === 1) kept.push(row);
  }
  for (const [time, count] of seen) {
    if (count > 1)
      warnings.push(
        `FCST_PPLTN has ${count} forecasts for ${new Date(time).toISOString()}; the first is kept, raw/ keeps them all`,
      );
  }
  return kept;
}

function checkRange(problems: string[], label: string, min: number, max: number): void {
  if (Number.isFinite(min) && Number.isFinite(max) && min > max) {
    problems.push(`${label}_MIN ${min} is greater than ${label}_MAX ${max}`);
  }
}

const AGE_BANDS = [0, 10, 20, 30, 40, 50, 60, 70];

function checkSum(
  warnings: string[],
  record: Record<string, unknown>,
  fields: string[],
  values: number[],
): void {
  if (values.some((value) => !Number.isFinite(value))) return;
  const decimals = Math.min(
    ...fields.map((field) => String(record[field]).trim().split('.')[1]?.length ?? 0),
  );
  const tolerance = roundingTolerance(values.length, decimals);
  const sum = values.reduce((total, value) => total + value, 0);
  // A hair of slack for binary floating point (0.1 + 0.2 is not 0.3).
  if (Math.abs(sum - 100) > tolerance + 1e-9) {
    const label = fields.length > 2 ? `${fields[0]} … ${fields[fields.length - 1]}` : fields.join(' + ');
    warnings.push(
      `${label} is ${Math.round(sum * 1000) / 1000}, more than ${Math.round(tolerance * 1000) / 1000} away from 100 (what rounding to ${decimals} decimal(s) explains)`,
    );
  }
}

function flagUnknownLevel(warnings: string[], field: string, level: string): void {
  if (level !== '' && !KNOWN_LEVELS.has(level))
    warnings.push(`${field} has an unknown congestion label: ${quoted(level)}`);
}
