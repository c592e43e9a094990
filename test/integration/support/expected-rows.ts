import type { Place } from '../../../lambdas/core/places.js';

/** `YYYY-MM-DD HH:MM` in Korea Standard Time (UTC+9, no daylight saving) as an instant. */
const kst = (text: string) => new Date(`${text.replace(' ', 'T')}:00+09:00`);

/**
 * The `population` row the API's answer must become, derived here from ARCHITECTURE.md's column
 * table on its own, not with the pipeline's normalizer, so the comparison is independent.
 */
export function expectedPopulationRow(
  record: Record<string, unknown>,
  place: Place,
  run: { runId: string; collectedAt: Date },
) {
  const text = (field: string) => String(record[field]);
  const number = (field: string) => Number(record[field]);
  return {
    collected_at: run.collectedAt,
    run_id: run.runId,
    area_code: text('AREA_CD'),
    area_name: text('AREA_NM'),
    category: place.category,
    area_congest_level: text('AREA_CONGEST_LVL'),
    area_congest_message: text('AREA_CONGEST_MSG'),
    area_population_min: number('AREA_PPLTN_MIN'),
    area_population_max: number('AREA_PPLTN_MAX'),
    male_population_rate: number('MALE_PPLTN_RATE'),
    female_population_rate: number('FEMALE_PPLTN_RATE'),
    population_rate_0: number('PPLTN_RATE_0'),
    population_rate_10: number('PPLTN_RATE_10'),
    population_rate_20: number('PPLTN_RATE_20'),
    population_rate_30: number('PPLTN_RATE_30'),
    population_rate_40: number('PPLTN_RATE_40'),
    population_rate_50: number('PPLTN_RATE_50'),
    population_rate_60: number('PPLTN_RATE_60'),
    population_rate_70: number('PPLTN_RATE_70'),
    resident_population_rate: number('RESNT_PPLTN_RATE'),
    non_resident_population_rate: number('NON_RESNT_PPLTN_RATE'),
    replace_yn: text('REPLACE_YN') === 'Y',
    forecast_yn: text('FCST_YN') === 'Y',
    population_time: kst(text('PPLTN_TIME')),
  };
}

/** The `population_forecast` rows of an answer, one per FCST_PPLTN entry. */
export function expectedForecastRows(record: Record<string, unknown>, collectedAt: Date) {
  const forecasts = (record.FCST_PPLTN ?? []) as Record<string, string>[];
  return forecasts.map((f) => ({
    collected_at: collectedAt,
    area_code: String(record.AREA_CD),
    population_time: kst(String(record.PPLTN_TIME)),
    forecast_time: kst(f.FCST_TIME as string),
    forecast_congest_level: f.FCST_CONGEST_LVL,
    forecast_population_min: Number(f.FCST_PPLTN_MIN),
    forecast_population_max: Number(f.FCST_PPLTN_MAX),
  }));
}
