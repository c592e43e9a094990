/**
 * How a table is declared, and the pipeline's own tables. The datasets' tables are declared in
 * their dataset's module (`datasets/`), each once; `tables.ts` lists every table. The row types,
 * the normalizer's field mapping, the Parquet schemas, the Glue tables, the DuckDB lake views, the
 * Redshift `CREATE TABLE` files (`npm run generate:sql`) and the loader's merge all derive from
 * those declarations. test/unit/schema-rename.test.ts renames a column and checks that every derived
 * form follows.
 */

export type ColumnType = 'timestamp' | 'string' | 'int32' | 'int64' | 'double' | 'boolean';

/**
 * How the normalizer reads a column from an API record field (all fields arrive as strings):
 * `text` trimmed; `int` a whole number that fits INT32; `rate` a share 0–100; `yesNo` Y/N to a
 * boolean; `kstTime` a `YYYY-MM-DD HH:MM` Asia/Seoul wall clock to a UTC instant; `count` how many
 * entries a list field holds (FCST_PPLTN). A field a nullable column reads may be absent (NULL):
 * answers from before the API sent it do not have it.
 */
export type FieldReading = 'text' | 'int' | 'rate' | 'yesNo' | 'kstTime' | 'count';

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
export function defineTable<const Columns extends readonly ColumnSpec[]>(
  spec: TableSpec<Columns>,
): TableSpec<Columns> {
  return spec;
}

/** Hive partition keys of every lake folder, from the run's `collectedAt` in Asia/Seoul. */
export const PARTITION_KEYS = ['year', 'month', 'day', 'hour', 'minute'] as const;
export type PartitionKey = (typeof PARTITION_KEYS)[number];
export type PartitionValues = Readonly<Record<PartitionKey, string>>;

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
