/**
 * The one schema definition. Every table's columns are declared here once; the row types, the
 * normalizer's field mapping, the Parquet schemas, the Glue tables, the DuckDB lake views, the
 * Redshift `CREATE TABLE` files (`npm run generate:sql`) and the loader's merge all derive from it.
 * test/unit/schema.test.ts renames a column and checks that every derived form follows.
 */

export type ColumnType = 'timestamp' | 'string' | 'int32' | 'int64' | 'double' | 'boolean';

/**
 * How the normalizer reads a column from an API record field (all fields arrive as strings):
 * `text` trimmed; `int` a whole number that fits INT32; `rate` a share 0–100; `yesNo` Y/N to a
 * boolean; `kstTime` a `YYYY-MM-DD HH:MM` Asia/Seoul wall clock to a UTC instant.
 */
export type FieldReading = 'text' | 'int' | 'rate' | 'yesNo' | 'kstTime';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Where the value comes from: an API field, or how it is derived (the Glue column comment). */
  readonly source: string;
  /** The API record field the normalizer reads the value from, and how. Absent: set by the code. */
  readonly field?: { readonly name: string; readonly read: FieldReading };
  /** Upper bound of the UTF-8 byte length, for Redshift `VARCHAR(n)`. Korean text is 3 bytes a character. */
  readonly maxBytes?: number;
  /** Whether the column may be NULL. @default false */
  readonly nullable?: boolean;
}

/** A column name, or a column name followed by ` DESC`: one term of an `ORDER BY`. */
type OrderTerm<Name extends string> = Name | `${Name} DESC`;

export interface TableSpec<Columns extends readonly ColumnSpec[] = readonly ColumnSpec[]> {
  readonly name: string;
  readonly description: string;
  readonly columns: Columns;
  /** Columns that identify a row: redelivery and reloads must never produce two rows with one key. */
  readonly key: readonly Columns[number]['name'][];
  /**
   * Which row wins when the lake holds one key twice (a fetcher that ran twice for one scheduled
   * time): the first in this order. The local lake views and the warehouse merge both use it.
   */
  readonly duplicateOrder: readonly OrderTerm<Columns[number]['name']>[];
  /** The native Redshift table: distribution, sort key, and why (the comment of its DDL file). */
  readonly redshift: {
    readonly distribution: { readonly key: Columns[number]['name'] } | 'ALL';
    readonly sortKey: readonly Columns[number]['name'][];
    readonly why: string;
  };
}

/** Checks a table's key, order and sort columns against its columns, and keeps the literal types. */
function defineTable<const Columns extends readonly ColumnSpec[]>(
  spec: TableSpec<Columns>,
): TableSpec<Columns> {
  return spec;
}

/** Hive partition keys of every lake folder, from the run's `collectedAt` in Asia/Seoul. */
export const PARTITION_KEYS = ['year', 'month', 'day', 'hour', 'minute'] as const;
export type PartitionKey = (typeof PARTITION_KEYS)[number];
export type PartitionValues = Readonly<Record<PartitionKey, string>>;

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
 * One row per place asked in a run, whatever happened: `ok`, `no-data` (INFO-200) or `failed`
 * (with the reason). Written by the fetcher itself after the run is published, so completeness
 * ("which place is missing from which run, and why") is a query, not a log search. An addition to
 * the lake layout of the architecture: its four areas cannot tell "no data" from "failed".
 */
export const COLLECTION_OUTCOMES = defineTable({
  name: 'collection_outcomes',
  description: 'One row per place asked in each collection run, with its outcome and the reason if not ok.',
  key: ['run_id', 'area_code'],
  duplicateOrder: ['attempts DESC', 'duration_ms DESC'],
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
  redshift: {
    distribution: { key: 'area_code' },
    sortKey: ['collected_at', 'area_code'],
    why: `DISTKEY(area_code): completeness per place groups by area_code, and the per-run completeness
  view joins population on (run_id, area_code): collocated like the other two tables.
SORTKEY(collected_at, area_code): completeness is read for recent runs first.`,
  },
});

/**
 * What the COPY loader loaded, and when: one row per lake partition and table. A warehouse table
 * only (not in the lake): the loader compares a partition's current number of Parquet files with
 * `file_count`; a partition that is new, or got another file since, is loaded again.
 */
export const LOAD_LOG = defineTable({
  name: 'load_log',
  description: 'One row per lake partition and table loaded into the warehouse.',
  key: ['table_name', 'partition_path'],
  duplicateOrder: ['loaded_at DESC'],
  columns: [
    { name: 'table_name', type: 'string', source: 'native table loaded', maxBytes: 64 },
    { name: 'partition_path', type: 'string', source: 'year=…/month=…/day=…/hour=…/minute=…', maxBytes: 64 },
    {
      name: 'file_count',
      type: 'int32',
      source: 'Parquet files in the partition when it was loaded; -1: its last load failed (tried again)',
    },
    { name: 'rows_loaded', type: 'int64', source: 'rows staged from the partition' },
    { name: 'loaded_at', type: 'timestamp', source: 'when the load committed' },
  ],
  redshift: {
    distribution: 'ALL',
    sortKey: ['partition_path'],
    why: `The loader compares a partition's current number of Parquet files with file_count; a
partition that is new, or got another file since, is loaded again, and its row here is replaced
in the same transaction as the merge. A failed load is noted with file_count -1; a scheduled load
starts no later than the newest partition loaded and the oldest failed one.
DISTSTYLE ALL: a few rows per run; every slice holds a copy, so the loader's lookup is local.
SORTKEY(partition_path): paths sort in time order (year=…/month=…/…), and the loader reads
  the log from a starting partition onwards.`,
  },
});

/**
 * Forecast errors, kept up to date by the loader's merge as the actuals arrive (see
 * `warehouse/forecast-error.ts`): a warehouse table only, computed from the two tables above.
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

/**
 * The migrations applied to the warehouse, once each (`warehouse/migrations/apply.ts`): a
 * warehouse table only, written by the SQL runner on deploy and by the local analysis database.
 */
export const SCHEMA_MIGRATIONS = defineTable({
  name: 'schema_migrations',
  description: 'One row per migration of sql/migrations/ applied to this warehouse.',
  key: ['migration_id'],
  duplicateOrder: ['applied_at'],
  columns: [
    { name: 'migration_id', type: 'string', source: 'sql/migrations/ file name without .sql', maxBytes: 128 },
    { name: 'checksum', type: 'string', source: 'sha256 of the file as applied', maxBytes: 64 },
    {
      name: 'statements_run',
      type: 'int32',
      source: 'statements run; 0 when its tables were created at the current version',
    },
    { name: 'applied_at', type: 'timestamp', source: 'when it was applied (UTC)' },
  ],
  redshift: {
    distribution: 'ALL',
    sortKey: ['migration_id'],
    why: `The SQL runner reads it at each deploy to apply only the migrations not recorded, and
records each in the transaction that applies it: a migration runs once.
DISTSTYLE ALL: a handful of rows. SORTKEY(migration_id): ids sort in the order they apply.`,
  },
});

/** The lake's tables: Parquet files, Glue tables, DuckDB views and native warehouse tables. */
export const TABLES = [POPULATION, POPULATION_FORECAST, COLLECTION_OUTCOMES] as const;
/**
 * Every native warehouse table, in the order of their DDL files: the lake's tables, the load log
 * and the forecast errors the loader keeps.
 */
export const WAREHOUSE_TABLES = [...TABLES, LOAD_LOG, FORECAST_ERROR, SCHEMA_MIGRATIONS] as const;

export type TableName = (typeof TABLES)[number]['name'];

// ---- Row types, derived from the column lists ----

interface ValueTypes {
  timestamp: Date;
  string: string;
  int32: number;
  int64: number;
  double: number;
  boolean: boolean;
}
type ValueOf<C extends ColumnSpec> = C extends { nullable: true }
  ? ValueTypes[C['type']] | null
  : ValueTypes[C['type']];

/** A row of a table: one property per column, typed by the column's type. */
export type RowOf<T extends TableSpec> = {
  -readonly [C in T['columns'][number] as C['name']]: ValueOf<C>;
};
/** The columns of a row that the code sets (those without an API `field`). */
export type CodeSetColumnsOf<T extends TableSpec> = {
  -readonly [C in T['columns'][number] as C extends { field: object } ? never : C['name']]: ValueOf<C>;
};

export type PopulationRow = RowOf<typeof POPULATION>;
export type ForecastRow = RowOf<typeof POPULATION_FORECAST>;
export type CollectionOutcomeRow = RowOf<typeof COLLECTION_OUTCOMES>;

// ---- Derived forms, one small mapping per engine ----

const GLUE_TYPES: Record<ColumnType, string> = {
  timestamp: 'timestamp',
  string: 'string',
  int32: 'int',
  int64: 'bigint',
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
      // No default: a size nobody chose is a size no value is checked against (column-bytes.ts).
      if (column.maxBytes === undefined) throw new Error(`string column ${column.name} has no maxBytes`);
      return `VARCHAR(${column.maxBytes})`;
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
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
  int64: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

export function duckdbType(column: ColumnSpec): string {
  return DUCKDB_TYPES[column.type];
}

/** The table's column names, comma-separated, in column order. */
export function columnList(table: TableSpec): string {
  return table.columns.map((c) => c.name).join(', ');
}

/** The `ORDER BY` that puts the row that wins among duplicates of one key first. */
export function duplicateOrderSql(table: TableSpec): string {
  return table.duplicateOrder.join(', ');
}
