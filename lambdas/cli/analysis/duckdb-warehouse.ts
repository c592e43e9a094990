import type { DuckDBConnection } from '@duckdb/node-api';
import { boundParameters } from '../../core/warehouse/data-api.js';
import { parameterNames, replaceParameters } from '../../core/warehouse/sql-text.js';
import type { Row, SqlParams, Warehouse } from '../../core/warehouse/warehouse.js';

/**
 * The warehouse interface over a DuckDB connection, with the Data API's conventions: `:name`
 * parameters (rewritten to DuckDB's `$name`), every value sent as text, a batch as one
 * transaction. It lets the loader's very statements run locally, which is how their merge is
 * proven idempotent without Redshift.
 */
export class DuckDbWarehouse implements Warehouse {
  private statements = 0;

  constructor(private readonly connection: DuckDBConnection) {}

  async execute(sql: string, params?: SqlParams): Promise<string> {
    boundParameters([sql], params);
    await this.run(sql, params);
    return this.nextId();
  }

  async batch(sqls: readonly string[], params?: SqlParams): Promise<string> {
    boundParameters(sqls, params);
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const sql of sqls) await this.run(sql, params);
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
    return this.nextId();
  }

  async query(sql: string, params?: SqlParams): Promise<Row[]> {
    boundParameters([sql], params);
    const reader = await this.connection.runAndReadAll(...this.prepared(sql, params));
    return reader.getRowObjectsJson() as Row[];
  }

  private async run(sql: string, params?: SqlParams): Promise<void> {
    await this.connection.run(...this.prepared(sql, params));
  }

  private prepared(sql: string, params: SqlParams = {}): [string, Record<string, string>] {
    const values = Object.fromEntries(parameterNames(sql).map((name) => [name, String(params[name])]));
    return [replaceParameters(sql, (name) => `$${name}`), values];
  }

  private nextId(): string {
    this.statements++;
    return `duckdb-${this.statements}`;
  }
}
