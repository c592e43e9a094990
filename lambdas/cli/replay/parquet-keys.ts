import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import type { ObjectStore } from '../../core/storage/object-store.js';

/**
 * Reads the (place, collection time) keys of a lake Parquet file with DuckDB — the independent
 * reader (parquetjs-lite cannot read its own files' INT64 statistics back). Files of an S3 lake
 * are copied to a temporary folder first. Keys are `area_code|ISO instant`.
 */
export class ParquetKeyReader {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly scratch: string,
  ) {}

  static async open(): Promise<ParquetKeyReader> {
    // Bounded like check's: an old table file of any size is read within this, spilling beyond it.
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '256MB' });
    const connection = await instance.connect();
    return new ParquetKeyReader(instance, connection, await mkdtemp(join(tmpdir(), 'replay-keys-')));
  }

  /** The file's keys; throws when DuckDB cannot read it as Parquet with those columns. */
  async keysOf(store: ObjectStore, key: string): Promise<string[]> {
    let path: string;
    if (store instanceof LocalFolderStore) path = join(store.location, ...key.split('/'));
    else {
      path = join(this.scratch, 'file.parquet');
      await writeFile(path, await store.get(key));
    }
    const reader = await this.connection.runAndReadAll(
      `SELECT area_code, epoch_ms(collected_at) FROM read_parquet('${path.replace(/'/g, "''")}', hive_partitioning = false)`,
    );
    return (reader.getRowsJS() as [string, bigint | number][]).map(
      ([area, ms]) => `${area}|${new Date(Number(ms)).toISOString()}`,
    );
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    await rm(this.scratch, { recursive: true, force: true });
  }
}
