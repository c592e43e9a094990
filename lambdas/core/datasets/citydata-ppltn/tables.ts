import { defineTable } from '../../schema.js';

/** The tables of `citydata_ppltn`: declared once here; every other form derives from them. */

const rate = <const Name extends string>(name: Name, field: string) =>
  ({ name, type: 'double', source: field, field: { name: field, read: 'rate' } }) as const;

export const POPULATION = defineTable({
  name: 'population',
  description: 'One row per place per collection run: congestion, population range and shares.',
  key: ['area_code', 'collected_at'],
  duplicateOrder: ['fetched_at DESC', 'run_id DESC'],
  columns: [
    { name: 'collected_at', type: 'timestamp', source: "run's scheduled time (envelope collectedAt)" },
    { name: 'fetched_at', type: 'timestamp', source: 'when the answer arrived (envelope fetchedAt)' },
    { name: 'run_id', type: 'string', source: 'envelope runId', maxBytes: 64 },
    {
      name: 'area_code',
      type: 'string',
      source: 'AREA_CD',
      field: { name: 'AREA_CD', read: 'text' },
      maxBytes: 16,
    },
    {
      name: 'area_name',
      type: 'string',
      source: 'AREA_NM',
      field: { name: 'AREA_NM', read: 'text' },
      maxBytes: 256,
    },
    { name: 'category', type: 'string', source: 'places list category', maxBytes: 64 },
    {
      name: 'area_congest_level',
      type: 'string',
      source: 'AREA_CONGEST_LVL',
      field: { name: 'AREA_CONGEST_LVL', read: 'text' },
      maxBytes: 64,
    },
    {
      name: 'area_congest_message',
      type: 'string',
      source: 'AREA_CONGEST_MSG',
      field: { name: 'AREA_CONGEST_MSG', read: 'text' },
      maxBytes: 1024,
    },
    {
      name: 'area_population_min',
      type: 'int32',
      source: 'AREA_PPLTN_MIN',
      field: { name: 'AREA_PPLTN_MIN', read: 'int' },
    },
    {
      name: 'area_population_max',
      type: 'int32',
      source: 'AREA_PPLTN_MAX',
      field: { name: 'AREA_PPLTN_MAX', read: 'int' },
    },
    rate('male_population_rate', 'MALE_PPLTN_RATE'),
    rate('female_population_rate', 'FEMALE_PPLTN_RATE'),
    rate('population_rate_0', 'PPLTN_RATE_0'),
    rate('population_rate_10', 'PPLTN_RATE_10'),
    rate('population_rate_20', 'PPLTN_RATE_20'),
    rate('population_rate_30', 'PPLTN_RATE_30'),
    rate('population_rate_40', 'PPLTN_RATE_40'),
    rate('population_rate_50', 'PPLTN_RATE_50'),
    rate('population_rate_60', 'PPLTN_RATE_60'),
    rate('population_rate_70', 'PPLTN_RATE_70'),
    rate('resident_population_rate', 'RESNT_PPLTN_RATE'),
    rate('non_resident_population_rate', 'NON_RESNT_PPLTN_RATE'),
    {
      name: 'replace_yn',
      type: 'boolean',
      source: 'REPLACE_YN (Y/N)',
      field: { name: 'REPLACE_YN', read: 'yesNo' },
    },
    {
      name: 'forecast_yn',
      type: 'boolean',
      source: 'FCST_YN (Y/N)',
      field: { name: 'FCST_YN', read: 'yesNo' },
    },
    {
      name: 'population_time',
      type: 'timestamp',
      source: 'PPLTN_TIME (KST wall clock → UTC instant)',
      field: { name: 'PPLTN_TIME', read: 'kstTime' },
    },
  ],
  redshift: {
    distribution: { key: 'area_code' },
    sortKey: ['collected_at', 'area_code'],
    why: `DISTKEY(area_code): every view groups by place, and the forecast-accuracy view joins
  population_forecast to population on area_code; with the same distribution key on both tables
  that join runs on each slice without moving rows. 121 places spread evenly enough.
SORTKEY(collected_at, area_code): views and Query Editor questions are bounded in time
  ("last 7 days", "this month"), so zone maps skip every block outside the range; the loader's
  merge deletes one partition's collection time, which touches only a few blocks.`,
  },
});

export const POPULATION_FORECAST = defineTable({
  name: 'population_forecast',
  description: 'One row per forecast hour of each place and run (the 12-hour forecast in FCST_PPLTN).',
  key: ['area_code', 'collected_at', 'forecast_time'],
  duplicateOrder: [
    'population_time DESC',
    'forecast_population_max DESC',
    'forecast_population_min DESC',
    'forecast_congest_level',
  ],
  columns: [
    { name: 'collected_at', type: 'timestamp', source: "run's scheduled time (envelope collectedAt)" },
    { name: 'area_code', type: 'string', source: 'AREA_CD', maxBytes: 16 },
    { name: 'population_time', type: 'timestamp', source: 'PPLTN_TIME of the record the forecast came with' },
    {
      name: 'forecast_time',
      type: 'timestamp',
      source: 'FCST_TIME (KST wall clock → UTC instant)',
      field: { name: 'FCST_TIME', read: 'kstTime' },
    },
    {
      name: 'forecast_congest_level',
      type: 'string',
      source: 'FCST_CONGEST_LVL',
      field: { name: 'FCST_CONGEST_LVL', read: 'text' },
      maxBytes: 64,
    },
    {
      name: 'forecast_population_min',
      type: 'int32',
      source: 'FCST_PPLTN_MIN',
      field: { name: 'FCST_PPLTN_MIN', read: 'int' },
    },
    {
      name: 'forecast_population_max',
      type: 'int32',
      source: 'FCST_PPLTN_MAX',
      field: { name: 'FCST_PPLTN_MAX', read: 'int' },
    },
  ],
  redshift: {
    distribution: { key: 'area_code' },
    sortKey: ['forecast_time', 'area_code'],
    why: `DISTKEY(area_code): the same as population, so the forecast-accuracy join (same place, forecast
  hour = observed hour) is collocated on each slice.
SORTKEY(forecast_time, area_code): accuracy is computed for forecast hours that have been
  observed, i.e. a range of forecast_time; sorting on it lets the join's range scan skip blocks.`,
  },
});

/**
 * Forecast errors, kept up to date by the loader's merge as the actuals arrive (see
 * `forecast-error.ts` beside it): a warehouse table only, computed from the two tables above.
 */
export const FORECAST_ERROR = defineTable({
  name: 'forecast_error',
  description:
    'One row per forecast whose hour has been observed: forecast against the first observation of that hour.',
  key: ['area_code', 'collected_at', 'forecast_time'],
  duplicateOrder: ['observed_population_time'],
  columns: [
    { name: 'area_code', type: 'string', source: 'place', maxBytes: 16 },
    { name: 'collected_at', type: 'timestamp', source: 'run the forecast came with' },
    { name: 'forecast_time', type: 'timestamp', source: 'hour forecast (UTC)' },
    { name: 'horizon_hours', type: 'int32', source: "hours from the hour of the forecast's own observation" },
    { name: 'forecast_congest_level', type: 'string', source: 'forecast level', maxBytes: 64 },
    {
      name: 'observed_congest_level',
      type: 'string',
      source: 'first observed level of that hour',
      maxBytes: 64,
    },
    { name: 'observed_population_time', type: 'timestamp', source: 'population_time of that observation' },
    { name: 'forecast_mid', type: 'double', source: 'midpoint of the forecast range' },
    { name: 'observed_mid', type: 'double', source: 'midpoint of the observed range' },
  ],
  redshift: {
    distribution: { key: 'area_code' },
    sortKey: ['forecast_time', 'area_code'],
    why: `Each loaded partition recomputes only the (place, hour) pairs it touches, so
v_forecast_accuracy never re-joins every forecast to every observation.
DISTKEY(area_code): like the tables it is computed from, so the merge's joins stay on each slice.
SORTKEY(forecast_time, area_code): the merge deletes and inserts by (place, hour), and accuracy
  questions are bounded in time.`,
  },
});
