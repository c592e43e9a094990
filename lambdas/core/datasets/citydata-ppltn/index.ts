import { defineDataset, fieldsReadBy } from '../dataset.js';
import { forecastErrorSelect, forecastErrorStatements } from './forecast-error.js';
import { CONGESTION_LEVELS, LEGACY_CONGESTION_LEVELS, normalizeEnvelope } from './rows.js';
import { FORECAST_ERROR, POPULATION, POPULATION_FORECAST } from './tables.js';

/**
 * `citydata_ppltn`, the real-time population of a place: one `population` row per answer (level,
 * range, shares by sex, age and residency) and one `population_forecast` row per forecast hour of
 * its 12-hour forecast; the warehouse also keeps `forecast_error`, each forecast against what was
 * observed in its hour.
 */
export const CITYDATA_PPLTN = defineDataset({
  service: 'citydata_ppltn',
  tables: [POPULATION, POPULATION_FORECAST],
  toRows: (envelope) => {
    const normalized = normalizeEnvelope(envelope);
    if (!normalized.ok) return normalized;
    return { ok: true, rows: [[normalized.population], normalized.forecasts], warnings: normalized.warnings };
  },
  observedAt: 'population_time',
  // The record's fields become population's columns; each entry of FCST_PPLTN a forecast row.
  fields: { record: fieldsReadBy(POPULATION), lists: { FCST_PPLTN: fieldsReadBy(POPULATION_FORECAST) } },
  labels: {
    known: [...CONGESTION_LEVELS, ...LEGACY_CONGESTION_LEVELS],
    columns: [
      { table: POPULATION.name, column: 'area_congest_level' },
      { table: POPULATION_FORECAST.name, column: 'forecast_congest_level' },
    ],
  },
  derived: [
    {
      table: FORECAST_ERROR,
      select: () => forecastErrorSelect(),
      mergeSteps: forecastErrorStatements,
    },
  ],
});
