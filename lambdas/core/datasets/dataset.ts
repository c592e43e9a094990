import type { Envelope } from '../envelope.js';
import type { FieldsRead } from '../field-drift.js';
import type { TableSpec } from '../schema.js';
import type { SeoulService } from '../seoul-api/response.js';

/** What one answer became: rows for each table of its dataset (in the dataset's order), or why not. */
export type AnswerRows =
  | {
      readonly ok: true;
      readonly rows: readonly (readonly object[])[];
      /** Kept, but worth a look (an unknown label, shares that miss 100): the record is flagged. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly reasons: readonly string[] };

/**
 * A warehouse table the loader keeps up to date from the dataset's tables as their partitions
 * merge (it is in no lake folder), and how the local lake computes it in place.
 */
export interface DerivedTable {
  readonly table: TableSpec;
  /** The table's rows from scratch, as a SELECT over the dataset's tables (the local lake's view). */
  readonly select: () => string;
  /**
   * The statements that keep it up to date when a partition of `table` is merged from `staging`:
   * `before` once the staging table is filled, `after` once the merge is done. Empty when the
   * table does not feed it.
   */
  readonly mergeSteps: (
    table: string,
    staging: string,
  ) => { readonly before: string[]; readonly after: string[] };
}

/**
 * One service of the Seoul real-time city data API, declared in one module, the way a connector
 * declares its source and streams: the service it calls, the tables it fills, and how an answer
 * becomes rows. Everything that names a table — the writer's file groups, the lake's areas, the
 * Glue tables, the warehouse DDL and grants, replay, check and the writer's metrics — derives from
 * the registered datasets (`registry.ts`), so adding one is a folder and a line there.
 */
export interface Dataset {
  /** The API service: the URL's service segment and the envelope's `dataset`. */
  readonly service: SeoulService;
  /**
   * The lake tables each answer fills. The first holds one row per answer: its duplicate order
   * decides which answer wins a place and collection time held twice, and `check` matches raw
   * envelopes and ok outcomes against its rows. Every table has `area_code` and `collected_at`,
   * the answer's identity; the first also `run_id`, the run that collected it.
   */
  readonly tables: readonly [TableSpec, ...TableSpec[]];
  /** How one answer becomes rows, table by table, with every reason when it cannot. */
  readonly toRows: (envelope: Envelope) => AnswerRows;
  /** The answer table's column holding the API's own time of the data: how fresh a write is. */
  readonly observedAt: string;
  /** Columns holding a label from a known set: a row with another one is kept, flagged and listed by check. */
  readonly labels: {
    readonly known: readonly string[];
    readonly columns: readonly { readonly table: string; readonly column: string }[];
  };
  /** Warehouse tables computed from the dataset's tables. @default none */
  readonly derived?: readonly DerivedTable[];
  /**
   * The fields of an answer the tables read (the record's, and for a field holding a list, each
   * entry's), against which every answer is compared: a field no column reads is API drift
   * (`field-drift.ts`), counted per run and listed by `check`.
   * @default every field its tables' columns read, all at the record's level
   */
  readonly fields?: FieldsRead;
}

/** The fields a dataset reads from an answer (see {@link Dataset.fields}). */
export function fieldsOf(dataset: Dataset): FieldsRead {
  return dataset.fields ?? { record: dataset.tables.flatMap(fieldsReadBy), lists: {} };
}

/** The API fields the columns of a table read, in column order. */
export function fieldsReadBy(table: TableSpec): string[] {
  return table.columns.flatMap((column) => (column.field ? [column.field.name] : []));
}

/** Keeps the literal table names of a dataset's declaration (for `TableName`). */
export function defineDataset<const D extends Dataset>(dataset: D): D {
  return dataset;
}

/** The table that holds one row per answer. */
export const answerTable = (dataset: Dataset): TableSpec => dataset.tables[0];
