/**
 * The one schema definition. Parquet files, Glue tables, Redshift external and native tables and
 * DuckDB views are all derived from these lists, so they cannot drift apart
 * (test/unit/schema.test.ts proves the derived forms agree).
 */

export type ColumnType = 'timestamp' | 'string' | 'int32' | 'double' | 'boolean';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Where the value comes from: an API field, or how it is derived. */
  readonly source: string;
  /** Upper bound of the UTF-8 byte length, for Redshift `VARCHAR(n)`. Korean text is 3 bytes a character. */
  readonly maxBytes?: number;
  /** Whether the column may be NULL. @default false */
  readonly nullable?: boolean;
}

export type TableName = 'population' | 'population_forecast' | 'collection_outcomes';

export interface TableSpec {
  readonly name: TableName;
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
  /** Columns that identify a row: redelivery and reloads must never produce two rows with one key. */
  readonly key: readonly string[];
}

/** Hive partition keys of every lake folder, from the run's `collectedAt` in Asia/Seoul. */
export const PARTITION_KEYS = ['year', 'month', 'day', 'hour', 'minute'] as const;
export type PartitionKey = (typeof PARTITION_KEYS)[number];
export type PartitionValues = Readonly<Record<PartitionKey, string>>;

const rate = (name: string, source: string): ColumnSpec => ({ name, type: 'double', source });

export const POPULATION: TableSpec = {
  name: 'population',
  description: 'One row per place per collection run: congestion, population range and shares.',
  key: ['area_code', 'collected_at'],
  columns: [
    { name: 'collected_at', type: 'timestamp', source: "run's scheduled time (envelope collectedAt)" },
    { name: 'fetched_at', type: 'timestamp', source: 'when the answer arrived (envelope fetchedAt)' },
    { name: 'run_id', type: 'string', source: 'envelope runId', maxBytes: 64 },
    { name: 'area_code', type: 'string', source: 'AREA_CD', maxBytes: 16 },
    { name: 'area_name', type: 'string', source: 'AREA_NM', maxBytes: 256 },
    { name: 'category', type: 'string', source: 'places list category', maxBytes: 64 },
    { name: 'area_congest_level', type: 'string', source: 'AREA_CONGEST_LVL', maxBytes: 64 },
    { name: 'area_congest_message', type: 'string', source: 'AREA_CONGEST_MSG', maxBytes: 1024 },
    { name: 'area_population_min', type: 'int32', source: 'AREA_PPLTN_MIN' },
    { name: 'area_population_max', type: 'int32', source: 'AREA_PPLTN_MAX' },
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
    { name: 'replace_yn', type: 'boolean', source: 'REPLACE_YN (Y/N)' },
    { name: 'forecast_yn', type: 'boolean', source: 'FCST_YN (Y/N)' },
    { name: 'population_time', type: 'timestamp', source: 'PPLTN_TIME (KST wall clock → UTC instant)' },
  ],
};

export const POPULATION_FORECAST: TableSpec = {
  name: 'population_forecast',
  description: 'One row per forecast hour of each place and run (the 12-hour forecast in FCST_PPLTN).',
  key: ['area_code', 'collected_at', 'forecast_time'],
  columns: [
    { name: 'collected_at', type: 'timestamp', source: "run's scheduled time (envelope collectedAt)" },
    { name: 'area_code', type: 'string', source: 'AREA_CD', maxBytes: 16 },
    { name: 'population_time', type: 'timestamp', source: 'PPLTN_TIME of the record the forecast came with' },
    { name: 'forecast_time', type: 'timestamp', source: 'FCST_TIME (KST wall clock → UTC instant)' },
    { name: 'forecast_congest_level', type: 'string', source: 'FCST_CONGEST_LVL', maxBytes: 64 },
    { name: 'forecast_population_min', type: 'int32', source: 'FCST_PPLTN_MIN' },
    { name: 'forecast_population_max', type: 'int32', source: 'FCST_PPLTN_MAX' },
  ],
};

/**
 * One row per place asked in a run, whatever happened: `ok`, `no-data` (INFO-200) or `failed`
 * (with the reason). Written by the fetcher itself after the run is published, so completeness
 * ("which place is missing from which run, and why") is a query, not a log search. An addition to
 * the lake layout of ARCHITECTURE.md: the four areas there cannot tell "no data" from "failed".
 */
export const COLLECTION_OUTCOMES: TableSpec = {
  name: 'collection_outcomes',
  description: 'One row per place asked in each collection run, with its outcome and the reason if not ok.',
  key: ['run_id', 'area_code'],
  columns: [
    { name: 'collected_at', type: 'timestamp', source: "run's scheduled time" },
    { name: 'run_id', type: 'string', source: 'run id', maxBytes: 64 },
    { name: 'area_code', type: 'string', source: 'place asked', maxBytes: 16 },
    { name: 'status', type: 'string', source: 'ok | no-data | failed', maxBytes: 16 },
    {
      name: 'reason',
      type: 'string',
      source: 'why no data or failed; NULL when ok',
      maxBytes: 1024,
      nullable: true,
    },
    { name: 'attempts', type: 'int32', source: 'API calls made for the place' },
    { name: 'duration_ms', type: 'int32', source: 'time spent on the place, retries included' },
  ],
};

export const TABLES: readonly TableSpec[] = [POPULATION, POPULATION_FORECAST, COLLECTION_OUTCOMES];

/** A `population` row as written to Parquet. Keys equal {@link POPULATION}'s column names. */
export interface PopulationRow {
  collected_at: Date;
  fetched_at: Date;
  run_id: string;
  area_code: string;
  area_name: string;
  category: string;
  area_congest_level: string;
  area_congest_message: string;
  area_population_min: number;
  area_population_max: number;
  male_population_rate: number;
  female_population_rate: number;
  population_rate_0: number;
  population_rate_10: number;
  population_rate_20: number;
  population_rate_30: number;
  population_rate_40: number;
  population_rate_50: number;
  population_rate_60: number;
  population_rate_70: number;
  resident_population_rate: number;
  non_resident_population_rate: number;
  replace_yn: boolean;
  forecast_yn: boolean;
  population_time: Date;
}

/** A `collection_outcomes` row. Keys equal {@link COLLECTION_OUTCOMES}'s column names. */
export interface CollectionOutcomeRow {
  collected_at: Date;
  run_id: string;
  area_code: string;
  status: string;
  reason: string | null;
  attempts: number;
  duration_ms: number;
}

/** A `population_forecast` row. Keys equal {@link POPULATION_FORECAST}'s column names. */
export interface ForecastRow {
  collected_at: Date;
  area_code: string;
  population_time: Date;
  forecast_time: Date;
  forecast_congest_level: string;
  forecast_population_min: number;
  forecast_population_max: number;
}

// ---- Derived forms, one small mapping per engine ----

const GLUE_TYPES: Record<ColumnType, string> = {
  timestamp: 'timestamp',
  string: 'string',
  int32: 'int',
  double: 'double',
  boolean: 'boolean',
};

/** Glue Data Catalog columns (also what Redshift Spectrum sees through the external schema). */
export function glueColumns(table: TableSpec): { name: string; type: string; comment: string }[] {
  return table.columns.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type], comment: c.source }));
}

export function gluePartitionKeys(): { name: string; type: string }[] {
  return PARTITION_KEYS.map((name) => ({ name, type: 'string' }));
}

/** Redshift native column types. Strings are sized in bytes, as Redshift counts them. */
export function redshiftType(column: ColumnSpec): string {
  switch (column.type) {
    case 'timestamp':
      return 'TIMESTAMP';
    case 'string':
      return `VARCHAR(${column.maxBytes ?? 256})`;
    case 'int32':
      return 'INTEGER';
    case 'double':
      return 'DOUBLE PRECISION';
    case 'boolean':
      return 'BOOLEAN';
  }
}

const DUCKDB_TYPES: Record<ColumnType, string> = {
  timestamp: 'TIMESTAMP',
  string: 'VARCHAR',
  int32: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

export function duckdbType(column: ColumnSpec): string {
  return DUCKDB_TYPES[column.type];
}

/** `name TYPE` lines for a Redshift `CREATE TABLE` body, in column order. */
export function redshiftColumnList(table: TableSpec, options: { notNull?: boolean } = {}): string {
  return table.columns
    .map((c) => `  ${c.name} ${redshiftType(c)}${options.notNull && !c.nullable ? ' NOT NULL' : ''}`)
    .join(',\n');
}
