/**
 * Korea Standard Time is UTC+9 all year (no daylight saving since 1988), so conversions are a
 * fixed offset and need no time-zone database. The API's times are KST wall clock with no offset.
 */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const KST_WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;

/**
 * Recently parsed wall clocks. One run's 121 records share their forecast hours and mostly their
 * PPLTN_TIME, so a replay of a year parses each string thousands of times; a small cache saves
 * about 7 % of replay's CPU time (measured: 5.7 against 6.1 CPU-s for 43,560 envelopes). Bounded:
 * cleared when full.
 */
const parsed = new Map<string, number | undefined>();
const PARSED_LIMIT = 4_096;

/** Parses `YYYY-MM-DD HH:MM` (KST wall clock) into a UTC instant, or `undefined` if it is not one. */
export function parseKstWallClock(text: string): Date | undefined {
  let ms = parsed.get(text);
  if (ms === undefined && !parsed.has(text)) {
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    ms = parseUncached(text);
    parsed.set(text, ms);
  }
  return ms === undefined ? undefined : new Date(ms);
}

function parseUncached(text: string): number | undefined {
  const match = KST_WALL_CLOCK.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return undefined;
  const wallClock = utcDate(year, month - 1, day, hour, minute);
  // Reject dates that JavaScript silently rolls over (2026-02-31 → 2026-03-03).
  if (wallClock.getUTCDate() !== day || wallClock.getUTCMonth() !== month - 1) return undefined;
  return wallClock.getTime() - KST_OFFSET_MS;
}

/** Formats a UTC instant as `YYYY-MM-DD HH:MM` in KST: the inverse of {@link parseKstWallClock}. */
export function formatKstWallClock(instant: Date): string {
  const p = kstParts(instant);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Zero-padded KST calendar fields of an instant. */
export interface KstParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
}

export function kstParts(instant: Date): KstParts {
  const kst = new Date(instant.getTime() + KST_OFFSET_MS);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    year: pad(kst.getUTCFullYear(), 4),
    month: pad(kst.getUTCMonth() + 1),
    day: pad(kst.getUTCDate()),
    hour: pad(kst.getUTCHours()),
    minute: pad(kst.getUTCMinutes()),
  };
}

/** The instant truncated to the whole minute. */
export function floorToMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / 60_000) * 60_000);
}

/** KST calendar fields, as numbers or zero-padded strings (partition values are strings). */
export interface KstFields {
  readonly year: number | string;
  readonly month: number | string;
  readonly day: number | string;
  readonly hour?: number | string;
  readonly minute?: number | string;
}

/** The UTC instant of a KST wall-clock time given by its calendar fields (hour and minute default to 0). */
export function kstFieldsToInstant(fields: KstFields): Date {
  const { year, month, day, hour = 0, minute = 0 } = fields;
  return new Date(utcDate(+year, +month - 1, +day, +hour, +minute).getTime() - KST_OFFSET_MS);
}

/**
 * `Date.UTC` reads the years 0 to 99 as 1900 to 1999, so year 0050 would become 1950;
 * `setUTCFullYear` takes the year as given, and rolls the other fields over as `Date.UTC` does.
 */
function utcDate(year: number, monthIndex: number, day: number, hour: number, minute: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, 0, 0);
  return date;
}

/** 00:00 KST of a KST calendar day and of the day after, as UTC instants. */
export function kstDayBounds(fields: Pick<KstFields, 'year' | 'month' | 'day'>): { start: Date; end: Date } {
  const start = kstFieldsToInstant(fields);
  return { start, end: kstFieldsToInstant({ ...fields, day: +fields.day + 1 }) };
}

/** `YYYY-MM-DD HH:MM:SS` in KST, to the second. */
export function formatKstDateTime(instant: Date): string {
  return new Date(instant.getTime() + KST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * DuckDB SQL: a UTC `TIMESTAMP` expression as a KST wall-clock `TIMESTAMP`, for the few checks
 * that compare rows with their KST partition folders.
 */
export function kstWallClockSql(utcTimestamp: string): string {
  return `(${utcTimestamp} + INTERVAL ${KST_OFFSET_MS / 3_600_000} HOUR)`;
}

/** ISO 8601's spelling of KST's offset, for times written for programs. */
export const KST_ISO_OFFSET = '+09:00';

/**
 * A wall-clock reading as text: `YYYY-MM-DD`, `HH:MM:SS`, and the fraction of a second as written
 * (`.25`, or empty). Text, not a Date, so a reading keeps every digit the database printed.
 */
export interface WallClockReading {
  readonly date: string;
  readonly time: string;
  readonly fraction: string;
}

const READING = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?$/;

/** Reads `YYYY-MM-DD HH:MM[:SS][.fff]` (a space or a `T` between); `undefined` for anything else. */
export function parseWallClockReading(text: string): WallClockReading | undefined {
  const [, date, time, fraction = ''] = READING.exec(text) ?? [];
  if (!date || !time) return undefined;
  return { date, time: time.length === 5 ? `${time}:00` : time, fraction };
}

/**
 * The KST reading of a reading taken at a UTC offset (in minutes; 0 for UTC). The lake and the
 * warehouse store instants as UTC readings (TIMESTAMP without zone), so this is the one conversion
 * a stored instant ever gets on its way to a person.
 */
export function readingToKst(reading: WallClockReading, offsetMinutes = 0): WallClockReading {
  const [year, month, day] = reading.date.split('-').map(Number) as [number, number, number];
  const [hour, minute, second] = reading.time.split(':').map(Number) as [number, number, number];
  const instant = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const kst = new Date(instant.getTime() + KST_OFFSET_MS);
  const [date, time] = kst.toISOString().slice(0, 19).split('T') as [string, string];
  return { date, time, fraction: reading.fraction };
}
