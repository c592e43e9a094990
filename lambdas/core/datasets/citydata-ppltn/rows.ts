import type { Envelope } from '../../envelope.js';
import type { RowOf } from '../../schema.js';
import {
  type AnswerTimeWindow,
  answerTimeWindow,
  checkRange,
  FieldReader,
  fitFlagged,
  quoted,
  readRow,
  roundingTolerance,
} from '../field-reader.js';
import { POPULATION, POPULATION_FORECAST } from './tables.js';

export type PopulationRow = RowOf<typeof POPULATION>;
export type ForecastRow = RowOf<typeof POPULATION_FORECAST>;

/** Congestion labels in use since late 2022, and the older scale. Others are kept but flagged. */
export const CONGESTION_LEVELS = ['여유', '보통', '약간 붐빔', '붐빔'] as const;
export const LEGACY_CONGESTION_LEVELS = ['매우 붐빔'] as const;
const KNOWN_LEVELS = new Set<string>([...CONGESTION_LEVELS, ...LEGACY_CONGESTION_LEVELS]);

export type Normalized =
  | { ok: true; population: PopulationRow; forecasts: ForecastRow[]; warnings: string[] }
  | { ok: false; reasons: string[] };

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
