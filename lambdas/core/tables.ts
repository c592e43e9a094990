import { DATASETS } from './datasets/registry.js';
import { COLLECTION_OUTCOMES, LOAD_LOG, SCHEMA_MIGRATIONS } from './schema.js';

/**
 * Every table, derived from the registered datasets and the pipeline's own tables: what the Glue
 * catalog, the DuckDB lake views, the warehouse DDL, its grants and the loader iterate over.
 */

type DatasetTable = (typeof DATASETS)[number]['tables'][number];

/** The tables the datasets' answers fill, dataset by dataset. */
export const DATASET_TABLES: readonly DatasetTable[] = DATASETS.flatMap((dataset) => dataset.tables);

/** The lake's tables: Parquet files, Glue tables, DuckDB views and native warehouse tables. */
export const TABLES = [...DATASET_TABLES, COLLECTION_OUTCOMES] as const;
export type TableName = (typeof TABLES)[number]['name'];

/** Top-level folders of the lake: the same keys in a local folder and in the S3 bucket. */
export type LakeArea = TableName | 'raw' | 'rejected';
export const LAKE_AREAS: readonly LakeArea[] = [...TABLES.map((table) => table.name), 'raw', 'rejected'];

/** Warehouse tables the loader computes from the datasets' tables (in no lake folder). */
export const DERIVED_TABLES = DATASETS.flatMap((dataset) => (dataset.derived ?? []).map((d) => d.table));

/**
 * Every native warehouse table, in the order of their DDL files (`sql/10_…`): the pipeline's own
 * tables first, then each dataset's tables and the tables derived from them, in the registry's
 * order, so a new dataset's files come after the others and renumber none of them.
 */
export const WAREHOUSE_TABLES = [
  COLLECTION_OUTCOMES,
  LOAD_LOG,
  SCHEMA_MIGRATIONS,
  ...DATASETS.flatMap((dataset) => [...dataset.tables, ...(dataset.derived ?? []).map((d) => d.table)]),
] as const;
