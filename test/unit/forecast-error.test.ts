import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { DuckDbWarehouse } from '../../lambdas/cli/analysis/duckdb-warehouse.js';
import {
  catchUpWithLake,
  nativeTablesDdl,
  openLocalWarehouse,
} from '../../lambdas/cli/analysis/local-warehouse.js';
import { ANALYSIS_VIEWS, applyViews } from '../../lambdas/cli/analysis/views.js';
import { type PlainRow, readRows } from '../../lambdas/cli/report/rows.js';
import { FORECAST_ERROR_COLUMNS } from '../../lambdas/core/datasets/citydata-ppltn/forecast-error.js';
import type { TableSpec } from '../../lambdas/core/schema.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { listPartitions, loadNewPartitions } from '../../lambdas/core/warehouse/loader.js';
import { mergePartitionStatements, timestampParameter } from '../../lambdas/core/warehouse/loader-sql.js';
import { duckdbReadParquet } from '../../lambdas/core/warehouse/staging-fill.js';
import { MemoryLog } from '../support/memory-log.js';
import { buildFixtureLake, FIXTURE_RUNS } from './warehouse-fixture.js';

/**
 * Forecast errors are kept up to date by the loader's merge (on Redshift and in the local analysis
 * database, with the same statements) instead of being computed by one big join at each query.
 * These tests prove the incremental table equals the from-scratch join over the fixture lake,
 * whatever order the partitions arrive in, loaded once or twice, per minute (AWS) or per day
 * (locally), and that every view then gives the very numbers it gives over the lake in place.
 */
const NOW = new Date('2026-07-16T16:00:00Z');
const COLUMNS = FORECAST_ERROR_COLUMNS.map((c) => c.name).join(', ');
const errorsSql = `SELECT ${COLUMNS} FROM forecast_error ORDER BY ALL`;

async function fromScratch(lake: string): Promise<PlainRow[]> {
  const { connection, close } = await openLake(lake);
  try {
    return await readRows(connection, errorsSql);
  } finally {
    close();
  }
}

async function nativeDatabase(): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  for (const statement of nativeTablesDdl()) await connection.run(statement);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Loads the given minute partitions one by one, in that order, with the loader's merge. */
async function loadInOrder(
  connection: DuckDBConnection,
  lake: string,
  partitions: readonly { table: TableSpec; path: string }[],
): Promise<void> {
  const warehouse = new DuckDbWarehouse(connection);
  const fill = duckdbReadParquet(lake);
  for (const { table, path } of partitions) {
    await warehouse.batch(mergePartitionStatements(table, fill(table, [path])), {
      table_name: table.name,
      partition_path: path,
      file_count: 1,
      loaded_at: timestampParameter(NOW),
    });
  }
}

/** A deterministic shuffle (the tests must fail the same way twice). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('forecast errors maintained by the merge, against the from-scratch join', () => {
  it('the fixture has checked forecasts to compare (hits, misses, several horizons)', async () => {
    const rows = await fromScratch(await buildFixtureLake());
    assert.equal(rows.length, 10);
    assert.deepEqual([...new Set(rows.map((row) => row.horizon_hours))].sort(), [1, 2]);
  });

  it('gives the same rows with the AWS loader, per minute partition, in time order, loaded once or twice', async () => {
    const lake = await buildFixtureLake();
    const expected = await fromScratch(lake);
    const { connection, close } = await nativeDatabase();
    try {
      const options = {
        warehouse: new DuckDbWarehouse(connection),
        store: new LocalFolderStore(lake),
        fill: duckdbReadParquet(lake),
        log: new MemoryLog(),
        now: NOW,
      };
      assert.equal((await loadNewPartitions(options)).failed.length, 0);
      assert.deepEqual(await readRows(connection, errorsSql), expected);
      await connection.run('DELETE FROM load_log');
      assert.equal((await loadNewPartitions(options)).loaded.length, 18, 'every partition loaded again');
      assert.deepEqual(await readRows(connection, errorsSql), expected);
    } finally {
      close();
    }
  });

  for (const [name, order] of [
    [
      'observations first, then every forecast',
      (p: Unit[]) => [...p].sort(byTable(['population', 'collection_outcomes', 'population_forecast'])),
    ],
    [
      'forecasts first, then every observation',
      (p: Unit[]) => [...p].sort(byTable(['population_forecast', 'collection_outcomes', 'population'])),
    ],
    ['newest partition first', (p: Unit[]) => [...p].reverse()],
    ['shuffled (seed 7)', (p: Unit[]) => shuffled(p, 7)],
    ['shuffled (seed 2026)', (p: Unit[]) => shuffled(p, 2026)],
  ] as const) {
    it(`gives the same rows when partitions arrive ${name}`, async () => {
      const lake = await buildFixtureLake();
      const byName = new Map(TABLES.map((t) => [t.name, t]));
      const partitions = (
        await listPartitions(new LocalFolderStore(lake), TABLES, new Date('2026-07-15T00:00:00Z'), NOW)
      ).map((p) => ({ table: byName.get(p.table) as TableSpec, path: p.path }));
      const { connection, close } = await nativeDatabase();
      try {
        await loadInOrder(connection, lake, order(partitions));
        assert.deepEqual(await readRows(connection, errorsSql), await fromScratch(lake));
      } finally {
        close();
      }
    });
  }

  it('locally, per KST day as runs keep coming: every view answers as over the lake in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-warehouse-'));
    // First the runs of 07-16 up to 14:20, then the rest: the day already loaded is loaded again.
    await buildFixtureLake(dir, FIXTURE_RUNS.slice(0, 3));
    const local = await openLocalWarehouse(dir);
    try {
      assert.equal((await catchUpWithLake(local.connection, dir)).loaded, 3, 'one day × 3 tables');
      await buildFixtureLake(dir, FIXTURE_RUNS.slice(3));
      assert.equal(
        (await catchUpWithLake(local.connection, dir)).loaded,
        6,
        'the changed day and the new one',
      );
      assert.equal((await catchUpWithLake(local.connection, dir)).loaded, 0, 'nothing new: nothing loaded');
      await applyViews(local.connection);
      const inPlace = await openLake(dir);
      try {
        await applyViews(inPlace.connection);
        for (const view of ANALYSIS_VIEWS) {
          const sql = `SELECT * FROM ${view} ORDER BY ALL`;
          assert.deepEqual(
            await readRows(local.connection, sql),
            await readRows(inPlace.connection, sql),
            view,
          );
        }
        assert.deepEqual(
          await readRows(local.connection, errorsSql),
          await readRows(inPlace.connection, errorsSql),
        );
      } finally {
        inPlace.close();
      }
    } finally {
      local.close();
    }
  });
});

interface Unit {
  readonly table: TableSpec;
  readonly path: string;
}

function byTable(order: readonly string[]) {
  return (a: Unit, b: Unit) => order.indexOf(a.table.name) - order.indexOf(b.table.name);
}
