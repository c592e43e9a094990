/** Values bound to `:name` parameters. The Data API sends every value as text and converts it. */
export type SqlParams = Readonly<Record<string, string | number | boolean>>;
export type Row = Record<string, string | number | boolean | null>;

/** What the loader and the SQL runner need from a warehouse; the Data API is one implementation. */
export interface Warehouse {
  /** Runs one statement (committed on its own) and waits for it. Returns the statement id. */
  execute(sql: string, params?: SqlParams): Promise<string>;
  /** Runs statements in order as one transaction: all are committed, or none. Returns the batch id. */
  batch(sqls: readonly string[], params?: SqlParams): Promise<string>;
  /** Runs one query and returns its rows, columns by name. */
  query(sql: string, params?: SqlParams): Promise<Row[]>;
}
