import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Reads Parquet files with DuckDB: the independent reader that proves what the writer wrote.
 * Timestamps come back as JS Dates, integers as numbers.
 */
export async function readParquet(
  pathOrGlob: string,
  sql = 'SELECT * FROM data',
): Promise<Record<string, unknown>[]> {
  return queryDuckDb(
    `CREATE VIEW data AS SELECT * FROM read_parquet('${pathOrGlob.replace(/'/g, "''")}', hive_partitioning = false)`,
    sql,
  );
}

export async function queryDuckDb(setup: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    if (setup) await connection.run(setup);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
