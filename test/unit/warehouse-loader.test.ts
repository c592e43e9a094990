import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../lambdas/cli/analysis/duckdb-warehouse.js';
import { nativeTablesDdl } from '../../lambdas/cli/analysis/local-warehouse.js';
import { readRows } from '../../lambdas/cli/report/rows.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import {
  FORECAST_ERROR_COLUMNS,
  forecastErrorSelect,
} from '../../lambdas/core/datasets/citydata-ppltn/forecast-error.js';
import { METRIC } from '../../lambdas/core/metric-names.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { DataApiWarehouse } from '../../lambdas/core/warehouse/data-api.js';
import { listPartitions, loadNewPartitions } from '../../lambdas/core/warehouse/loader.js';
import { LOAD_LOG_BOUNDS_QUERY, LOAD_LOG_QUERY } from '../../lambdas/core/warehouse/loader-sql.js';
import { duckdbReadParquet, redshiftCopy } from '../../lambdas/core/warehouse/staging-fill.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { writeRunOutcomes } from '../../lambdas/core/writers/outcomes-writer.js';
import { LoaderFailedError, runLoader } from '../../lambdas/loader/load-run.js';
import { FakeRedshiftData, resultPage } from '../support/fake-redshift-data.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';
import {
  buildFixtureLake,
  FIXTURE_RUNS,
  type FixtureRun,
  fixtureEnvelopes,
  fixtureRecords,
} from './warehouse-fixture.js';

const FORECAST_ERROR_COLUMN_LIST = FORECAST_ERROR_COLUMNS.map((c) => c.name).join(', ');

/** After the last fixture run (07-17 00:20 KST = 07-16 15:20 UTC), with time to settle. */
const NOW = new Date('2026-07-16T16:00:00Z');

/** Native tables as the warehouse has them (DuckDB types), the forecast errors and the load log. */
async function nativeTables(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET TimeZone = 'UTC'");
  for (const statement of nativeTablesDdl()) await connection.run(statement);
}

describe('COPY loader merge, run on DuckDB with the very same statements', () => {
  let lake: string;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const log = new MemoryLog();
  const load = () =>
    loadNewPartitions({
      warehouse: new DuckDbWarehouse(connection),
      store: new LocalFolderStore(lake),
      fill: duckdbReadParquet(lake),
      log,
      now: NOW,
    });
  const count = async (sql: string) => Number((await readRows(connection, sql))[0]?.n);
  const counts = async () => ({
    population: await count('SELECT count(*) AS n FROM population'),
    forecasts: await count('SELECT count(*) AS n FROM population_forecast'),
    outcomes: await count('SELECT count(*) AS n FROM collection_outcomes'),
  });
  const duplicateKeys = async () =>
    (await count('SELECT count(*) - count(DISTINCT (area_code, collected_at)) AS n FROM population')) +
    (await count(
      'SELECT count(*) - count(DISTINCT (area_code, collected_at, forecast_time)) AS n FROM population_forecast',
    )) +
    (await count('SELECT count(*) - count(DISTINCT (run_id, area_code)) AS n FROM collection_outcomes'));

  let shared: string;
  before(async () => {
    shared = await buildFixtureLake();
  });
  beforeEach(async () => {
    lake = shared;
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await nativeTables(connection);
  });
  afterEach(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('loads every partition of every table once, and logs each with its file count', async () => {
    const result = await load();
    assert.equal(result.failed.length, 0, JSON.stringify(result.failed));
    assert.equal(result.loaded.length, 18, '6 runs × 3 tables');
    assert.deepEqual(await counts(), { population: 12, forecasts: 24, outcomes: 15 });
    assert.deepEqual(
      await readRows(
        connection,
        "SELECT table_name, file_count, rows_loaded, loaded_at FROM load_log WHERE partition_path = 'year=2026/month=07/day=16/hour=14/minute=20' ORDER BY table_name",
      ),
      [
        {
          table_name: 'collection_outcomes',
          file_count: 1,
          rows_loaded: 3,
          loaded_at: '2026-07-16 16:00:00',
        },
        { table_name: 'population', file_count: 1, rows_loaded: 3, loaded_at: '2026-07-16 16:00:00' },
        {
          table_name: 'population_forecast',
          file_count: 1,
          rows_loaded: 6,
          loaded_at: '2026-07-16 16:00:00',
        },
      ],
    );
    assert.deepEqual(
      await readRows(
        connection,
        "SELECT area_congest_level, area_population_max FROM population WHERE area_code = 'POI001' AND collected_at = TIMESTAMP '2026-07-16 05:20:00'",
      ),
      [{ area_congest_level: '붐빔', area_population_max: 32000 }],
    );
  });

  it('loads nothing the second time: every partition is logged with its current file count', async () => {
    await load();
    const again = await load();
    assert.deepEqual([again.loaded.length, again.failed.length, again.deferred], [0, 0, 0]);
    assert.deepEqual(await counts(), { population: 12, forecasts: 24, outcomes: 15 });
  });

  it('leaves no duplicate when the same partitions are loaded twice (merge by key)', async () => {
    await load();
    await connection.run('DELETE FROM load_log');
    const again = await load();
    assert.equal(again.loaded.length, 18);
    assert.deepEqual(await counts(), { population: 12, forecasts: 24, outcomes: 15 });
    assert.equal(await duplicateKeys(), 0);
    assert.equal(await count('SELECT count(*) AS n FROM load_log'), 18);
  });

  it('reloads a partition that got another file, and keeps the latest answer per key', async () => {
    lake = await buildFixtureLake(); // this test adds files: a lake of its own
    await load();
    // The fetcher ran again for R3's scheduled time: a new run id, later answers, a new file.
    const r3 = FIXTURE_RUNS.find((run) => run.id === 'R3') as FixtureRun;
    const first = r3.observations.POI001 as NonNullable<FixtureRun['observations'][string]>;
    const rerun: FixtureRun = {
      ...r3,
      runId: '20260716T0520Z-bbbb03',
      outcomes: { POI001: 'ok' },
      observations: { POI001: { ...first, level: '약간 붐빔', min: 28000, max: 30000 } },
    };
    const store = new LocalFolderStore(lake);
    const envelopes = fixtureEnvelopes(rerun, 60_000);
    await writeBatch(fixtureRecords(envelopes, 0, 7), { store, catalog: NO_CATALOG, log });
    await writeRunOutcomes(
      {
        runId: rerun.runId,
        collectedAt: new Date('2026-07-16T05:20:00Z'),
        envelopes,
        outcomes: [{ code: 'POI001', status: 'ok', attempts: 1, durationMs: 80 }],
        durationMs: 100,
      },
      store,
    );

    const again = await load();
    assert.deepEqual(
      again.loaded.map((p) => `${p.table} ${p.path} ${p.files}`),
      [
        'population year=2026/month=07/day=16/hour=14/minute=20 2',
        'population_forecast year=2026/month=07/day=16/hour=14/minute=20 2',
        'collection_outcomes year=2026/month=07/day=16/hour=14/minute=20 2',
      ],
    );
    assert.deepEqual(await counts(), { population: 12, forecasts: 24, outcomes: 16 });
    assert.equal(await duplicateKeys(), 0);
    assert.deepEqual(
      await readRows(
        connection,
        "SELECT run_id, area_congest_level, area_population_max FROM population WHERE area_code = 'POI001' AND collected_at = TIMESTAMP '2026-07-16 05:20:00'",
      ),
      [{ run_id: '20260716T0520Z-bbbb03', area_congest_level: '약간 붐빔', area_population_max: 30000 }],
    );
    // Other places of R3 are untouched by POI001's re-run.
    assert.equal(
      await count(
        "SELECT count(*) AS n FROM population WHERE collected_at = TIMESTAMP '2026-07-16 05:20:00'",
      ),
      3,
    );
  });

  it('reports a partition that cannot be loaded, loads the others, and leaves no half-load behind', async () => {
    lake = await buildFixtureLake();
    const dir = join(lake, 'population', 'year=2026', 'month=07', 'day=16', 'hour=23', 'minute=00');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'broken.parquet'), 'not parquet at all');
    try {
      const result = await loadNewPartitions({
        warehouse: new DuckDbWarehouse(connection),
        store: new LocalFolderStore(lake),
        fill: duckdbReadParquet(lake),
        log,
        now: new Date('2026-07-16T15:30:00Z'),
      });
      assert.equal(result.loaded.length, 18);
      assert.equal(result.failed.length, 1);
      assert.equal(result.failed[0]?.path, 'year=2026/month=07/day=16/hour=23/minute=00');
      assert.match(result.failed[0]?.error ?? '', /broken\.parquet/);
      // Not logged as loaded: the load log only notes the failure (file_count -1), so the next
      // load starts no later than this partition and tries it again.
      assert.deepEqual(
        await readRows(
          connection,
          "SELECT table_name, file_count, rows_loaded FROM load_log WHERE partition_path LIKE '%hour=23%'",
        ),
        [{ table_name: 'population', file_count: -1, rows_loaded: 0 }],
      );
      assert.deepEqual(await counts(), { population: 12, forecasts: 24, outcomes: 15 });
      const again = await loadNewPartitions({
        warehouse: new DuckDbWarehouse(connection),
        store: new LocalFolderStore(lake),
        fill: duckdbReadParquet(lake),
        log,
        // Three days later: the failed partition is older than the 48-hour look-back.
        now: new Date('2026-07-19T15:30:00Z'),
      });
      assert.deepEqual(
        again.failed.map((f) => f.path),
        ['year=2026/month=07/day=16/hour=23/minute=00'],
        'tried again, however old',
      );
      assert.equal(again.since, '2026-07-16T14:00:00.000Z');
    } finally {
      rmSync(lake, { recursive: true });
    }
  });

  it('leaves partitions that are still settling for the next run', async () => {
    // 00:22 KST: the 00:20 run is 2 minutes old, under the 5-minute settle time.
    const result = await loadNewPartitions({
      warehouse: new DuckDbWarehouse(connection),
      store: new LocalFolderStore(lake),
      fill: duckdbReadParquet(lake),
      log,
      now: new Date('2026-07-16T15:22:00Z'),
    });
    assert.equal(result.loaded.length, 15);
    assert.ok(result.loaded.every((p) => !p.path.includes('day=17')));
  });

  it('loads at most maxPartitions and says how many wait', async () => {
    const result = await loadNewPartitions({
      warehouse: new DuckDbWarehouse(connection),
      store: new LocalFolderStore(lake),
      fill: duckdbReadParquet(lake),
      log,
      now: NOW,
      maxPartitions: 4,
    });
    assert.deepEqual([result.loaded.length, result.deferred], [4, 14]);
    assert.equal(result.loaded[0]?.path, 'year=2026/month=07/day=16/hour=13/minute=20', 'oldest first');
  });
});

const POPULATION_COLUMNS =
  'collected_at, fetched_at, run_id, area_code, area_name, category, area_congest_level, area_congest_message, ' +
  'area_population_min, area_population_max, male_population_rate, female_population_rate, population_rate_0, ' +
  'population_rate_10, population_rate_20, population_rate_30, population_rate_40, population_rate_50, ' +
  'population_rate_60, population_rate_70, resident_population_rate, non_resident_population_rate, replace_yn, ' +
  'forecast_yn, population_time';

const LAKE = {
  bucket: 'seoul-lake',
  prefix: 'lake',
  roleArn: 'arn:aws:iam::123456789012:role/seoul-spectrum',
};

describe('COPY loader on Redshift: the statements sent to the Data API', () => {
  let lake: string;
  before(async () => {
    lake = await buildFixtureLake();
  });

  function redshift(fake: FakeRedshiftData) {
    return new DataApiWarehouse({
      client: fake.asClient(),
      workgroupName: 'seoul-population',
      log: new MemoryLog(),
      sleep: async () => undefined,
    });
  }

  it('reads the load log with a bound parameter, then loads each new partition in one transaction', async () => {
    const fake = new FakeRedshiftData();
    // Statement 1 asks for the newest loaded partition (none: 48 hours back). Statement 2 reads the
    // load log; already loaded: R1's population partition, with the one file it still has.
    fake.results.set(2, [
      resultPage(
        ['table_name', 'partition_path', 'file_count'],
        [['population', 'year=2026/month=07/day=16/hour=13/minute=20', 1]],
      ),
    ]);
    const result = await loadNewPartitions({
      warehouse: redshift(fake),
      store: new LocalFolderStore(lake),
      fill: redshiftCopy(LAKE),
      log: new MemoryLog(),
      now: NOW,
    });

    assert.deepEqual(fake.sent('ExecuteStatementCommand')[0]?.input, {
      WorkgroupName: 'seoul-population',
      Database: 'dev',
      Sql: LOAD_LOG_BOUNDS_QUERY,
    });
    assert.deepEqual(fake.sent('ExecuteStatementCommand')[1]?.input, {
      WorkgroupName: 'seoul-population',
      Database: 'dev',
      Sql: LOAD_LOG_QUERY,
      // now = 07-17 01:00 KST; 48 hours back is 07-15 01:00 KST, listed from that day's midnight.
      Parameters: [{ name: 'since_partition', value: 'year=2026/month=07/day=15/hour=00/minute=00' }],
    });
    const batches = fake.sent('BatchExecuteStatementCommand').map((call) => call.input);
    assert.equal(batches.length, 17);
    assert.equal(result.loaded.length, 17);

    const r2 = batches.find(
      (batch) =>
        batch.Parameters[0].value === 'population' &&
        batch.Parameters[1].value === 'year=2026/month=07/day=16/hour=13/minute=40',
    );
    assert.deepEqual(r2, {
      WorkgroupName: 'seoul-population',
      Database: 'dev',
      Sqls: [
        'DROP TABLE IF EXISTS stage_population',
        'CREATE TEMP TABLE stage_population AS SELECT * FROM population WHERE 1 = 0',
        "COPY stage_population FROM 's3://seoul-lake/lake/population/year=2026/month=07/day=16/hour=13/minute=40/' " +
          "IAM_ROLE 'arn:aws:iam::123456789012:role/seoul-spectrum' FORMAT AS PARQUET",
        // The (place, hour) pairs whose forecast errors this partition changes: its own hours and
        // those of the rows it replaces.
        'DROP TABLE IF EXISTS stage_forecast_hours',
        'CREATE TEMP TABLE stage_forecast_hours AS SELECT DISTINCT area_code, forecast_time FROM (' +
          "SELECT s.area_code, DATE_TRUNC('hour', s.population_time) AS forecast_time FROM stage_population AS s " +
          "UNION ALL SELECT p.area_code, DATE_TRUNC('hour', p.population_time) AS forecast_time FROM population AS p " +
          'JOIN stage_population AS s ON s.area_code = p.area_code AND s.collected_at = p.collected_at) AS hours',
        'DELETE FROM population USING stage_population WHERE population.area_code = stage_population.area_code ' +
          'AND population.collected_at = stage_population.collected_at',
        `INSERT INTO population (${POPULATION_COLUMNS}) SELECT ${POPULATION_COLUMNS} FROM (SELECT ${POPULATION_COLUMNS}, ` +
          'ROW_NUMBER() OVER (PARTITION BY area_code, collected_at ORDER BY fetched_at DESC, run_id DESC) AS duplicate_order ' +
          'FROM stage_population) AS ranked WHERE duplicate_order = 1',
        'DELETE FROM forecast_error USING stage_forecast_hours WHERE forecast_error.area_code = stage_forecast_hours.area_code ' +
          'AND forecast_error.forecast_time = stage_forecast_hours.forecast_time',
        `INSERT INTO forecast_error (${FORECAST_ERROR_COLUMN_LIST}) ${forecastErrorSelect('stage_forecast_hours')}`,
        'DROP TABLE stage_forecast_hours',
        'DELETE FROM load_log WHERE table_name = :table_name AND partition_path = :partition_path',
        'INSERT INTO load_log (table_name, partition_path, file_count, rows_loaded, loaded_at) SELECT :table_name, ' +
          ':partition_path, CAST(:file_count AS INTEGER), COUNT(*), CAST(:loaded_at AS TIMESTAMP) FROM stage_population',
        'DROP TABLE stage_population',
      ],
      Parameters: [
        { name: 'table_name', value: 'population' },
        { name: 'partition_path', value: 'year=2026/month=07/day=16/hour=13/minute=40' },
        { name: 'file_count', value: '1' },
        { name: 'loaded_at', value: '2026-07-16 16:00:00.000' },
      ],
    });
    // The forecast merge keys on the forecast hour too; outcomes on (run_id, area_code).
    const keysOf = (table: string) =>
      batches
        .find((batch) => batch.Parameters[0].value === table)
        ?.Sqls.find((sql: string) => sql.startsWith(`DELETE FROM ${table} USING`));
    assert.equal(
      keysOf('population_forecast'),
      'DELETE FROM population_forecast USING stage_population_forecast WHERE population_forecast.area_code = stage_population_forecast.area_code ' +
        'AND population_forecast.collected_at = stage_population_forecast.collected_at AND population_forecast.forecast_time = stage_population_forecast.forecast_time',
    );
    assert.equal(
      keysOf('collection_outcomes'),
      'DELETE FROM collection_outcomes USING stage_collection_outcomes WHERE collection_outcomes.run_id = stage_collection_outcomes.run_id ' +
        'AND collection_outcomes.area_code = stage_collection_outcomes.area_code',
    );
    assert.ok(
      !batches.some(
        (b) => b.Parameters[0].value === 'population' && b.Parameters[1].value.endsWith('hour=13/minute=20'),
      ),
      'a logged partition with the same file count is not loaded again',
    );
  });

  it('loads from the bucket root when there is no prefix', () => {
    const fill = redshiftCopy({ ...LAKE, prefix: '' });
    assert.deepEqual(
      fill(TABLES[2] as (typeof TABLES)[number], ['year=2026/month=07/day=16/hour=13/minute=40']),
      [
        "COPY stage_collection_outcomes FROM 's3://seoul-lake/collection_outcomes/year=2026/month=07/day=16/hour=13/minute=40/' " +
          "IAM_ROLE 'arn:aws:iam::123456789012:role/seoul-spectrum' FORMAT AS PARQUET",
      ],
    );
  });

  it('reads the same partition with read_parquet on DuckDB: the one dialect difference', () => {
    const fill = duckdbReadParquet('/lake/demo');
    assert.deepEqual(
      fill(TABLES[2] as (typeof TABLES)[number], ['year=2026/month=07/day=16/hour=13/minute=40']),
      [
        'INSERT INTO stage_collection_outcomes (collected_at, run_id, area_code, status, reason, attempts, duration_ms) ' +
          'SELECT collected_at, run_id, area_code, status, reason, attempts, duration_ms ' +
          // Read by name over an empty typed relation: a column no file has yet is NULL of its type.
          'FROM (SELECT CAST(NULL AS TIMESTAMP) AS collected_at, CAST(NULL AS VARCHAR) AS run_id, CAST(NULL AS VARCHAR) AS area_code, ' +
          'CAST(NULL AS VARCHAR) AS status, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS INTEGER) AS attempts, CAST(NULL AS INTEGER) AS duration_ms ' +
          'WHERE false UNION ALL BY NAME SELECT * ' +
          "FROM read_parquet(['/lake/demo/collection_outcomes/year=2026/month=07/day=16/hour=13/minute=40/*.parquet'], hive_partitioning = false, union_by_name = true)) AS files",
      ],
    );
  });

  it('fills from several day folders at once: one read_parquet on DuckDB, one COPY per folder on Redshift', () => {
    const table = TABLES[2] as (typeof TABLES)[number];
    const days = ['year=2026/month=07/day=15', 'year=2026/month=07/day=16'];
    assert.deepEqual(
      duckdbReadParquet('/lake')(table, days).map((sql) =>
        [...sql.matchAll(/'([^']+\.parquet)'/g)].map((m) => m[1]),
      ),
      [
        [
          '/lake/collection_outcomes/year=2026/month=07/day=15/*/*/*.parquet',
          '/lake/collection_outcomes/year=2026/month=07/day=16/*/*/*.parquet',
        ],
      ],
    );
    assert.deepEqual(
      redshiftCopy(LAKE)(table, days).map((sql) => /FROM '([^']+)'/.exec(sql)?.[1]),
      days.map((day) => `s3://seoul-lake/lake/collection_outcomes/${day}/`),
    );
  });

  it('refuses a folder that is not of the lake layout, whatever the engine', () => {
    const table = TABLES[2] as (typeof TABLES)[number];
    for (const folder of [
      "year=2026/month=07' IAM_ROLE 'x",
      'month=07',
      'year=2026/../x',
      'year=2026/month=07/day=16/hour=13/minute=40/more',
      '',
    ])
      for (const fill of [redshiftCopy(LAKE), duckdbReadParquet('/lake')])
        assert.throws(() => fill(table, [folder]), /not a lake folder/, folder);
  });

  it('refuses a bucket, prefix or role that could break out of the COPY literals', () => {
    assert.throws(() => redshiftCopy({ ...LAKE, bucket: "x' IAM_ROLE 'evil" }), /LAKE_BUCKET must be/);
    assert.throws(() => redshiftCopy({ ...LAKE, prefix: "a'b" }), /LAKE_PREFIX must be/);
    assert.throws(() => redshiftCopy({ ...LAKE, roleArn: 'default' }), /SPECTRUM_ROLE_ARN must be/);
  });
});

describe('loader handler', () => {
  let lake: string;
  before(async () => {
    lake = await buildFixtureLake();
  });
  const env = {
    WORKGROUP_NAME: 'seoul-population',
    LAKE_BUCKET: LAKE.bucket,
    LAKE_PREFIX: LAKE.prefix,
    SPECTRUM_ROLE_ARN: LAKE.roleArn,
  };
  function deps(fake: FakeRedshiftData) {
    const metrics = new MemoryMetrics();
    return {
      points: metrics.points,
      deps: {
        warehouse: new DataApiWarehouse({
          client: fake.asClient(),
          workgroupName: 'wg',
          log: new MemoryLog(),
          sleep: async () => undefined,
        }),
        store: new LocalFolderStore(lake),
        env,
        metrics,
        log: new MemoryLog(),
        now: NOW,
      },
    };
  }

  it('reports PartitionsLoaded and LoaderFailures', async () => {
    const fake = new FakeRedshiftData();
    const { points, deps: d } = deps(fake);
    const result = await runLoader({}, d);
    assert.equal(result.loaded.length, 18);
    assert.deepEqual(points, [
      { name: METRIC.partitionsLoaded, unit: 'Count', value: 18 },
      { name: METRIC.loaderFailures, unit: 'Count', value: 0 },
    ]);
  });

  it('fails the invocation when a partition failed, after loading the others and reporting both', async () => {
    const fake = new FakeRedshiftData();
    fake.statuses.set(3, [{ Status: 'FAILED', Error: 'ERROR: Spectrum Scan Error' }]);
    const { points, deps: d } = deps(fake);
    await assert.rejects(runLoader(undefined, d), (error: unknown) => {
      assert.ok(error instanceof LoaderFailedError);
      assert.match(
        error.message,
        /1 partition\(s\) failed to load; first: population year=2026\/month=07\/day=16\/hour=13\/minute=20: statement stmt-3 FAILED: ERROR: Spectrum Scan Error/,
      );
      return true;
    });
    assert.deepEqual(
      points.map((p) => [p.name, p.value]),
      [
        [METRIC.partitionsLoaded, 17],
        [METRIC.loaderFailures, 1],
      ],
    );
  });

  it('takes a "since" for a backfill, and refuses one that is not a time before calling anything', async () => {
    const fake = new FakeRedshiftData();
    const { deps: d } = deps(fake);
    await runLoader({ since: '2026-07-01T00:00:00Z' }, d);
    assert.equal(
      fake.sent('ExecuteStatementCommand')[0]?.input.Parameters[0].value,
      'year=2026/month=07/day=01/hour=00/minute=00',
    );
    const other = new FakeRedshiftData();
    await assert.rejects(
      runLoader({ since: 'yesterday' }, deps(other).deps),
      /"since" must be an ISO-8601 time/,
    );
    assert.equal(other.calls.length, 0);
  });

  it('refuses a "since" out of range with a clear message, before calling anything', async () => {
    for (const since of ['1970-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2099-01-01T00:00:00Z']) {
      const other = new FakeRedshiftData();
      await assert.rejects(runLoader({ since }, deps(other).deps), /"since" must be a time from 2022-01-01/);
      assert.equal(other.calls.length, 0, since);
    }
  });

  it('lists the lake by its existing folders: a backfill from 2022 costs a few listings, not one per day', async () => {
    const store = new LocalFolderStore(lake);
    const listed: string[] = [];
    const counting = {
      list: (prefix: string) => {
        listed.push(prefix);
        return store.list(prefix);
      },
      listFolders: (prefix: string) => {
        listed.push(prefix);
        return store.listFolders(prefix);
      },
    };
    const partitions = await listPartitions(counting, TABLES, new Date('2022-01-01T00:00:00Z'), NOW);
    assert.equal(partitions.length, 18);
    assert.ok(listed.length < 40, `${listed.length} listings`);
  });

  it('skips and logs a stray key instead of loading nothing', async () => {
    const stray = join(lake, 'population/year=2026/month=07/day=16/hour=23/minute=40.bak');
    mkdirSync(stray, { recursive: true });
    writeFileSync(join(stray, 'x.parquet'), 'not a partition');
    try {
      const log = new MemoryLog();
      const partitions = await listPartitions(
        new LocalFolderStore(lake),
        TABLES,
        new Date('2026-07-16T00:00:00Z'),
        NOW,
        log,
      );
      assert.equal(partitions.length, 18);
      assert.ok(
        log.lines.some(
          (line) => line.message === 'stray key skipped' && String(line.extra?.key).includes('minute=40.bak'),
        ),
      );
    } finally {
      rmSync(stray, { recursive: true, force: true });
    }
  });

  it('needs a valid bucket and role before it touches the warehouse', async () => {
    const fake = new FakeRedshiftData();
    const { deps: d } = deps(fake);
    await assert.rejects(
      runLoader({}, { ...d, env: { ...env, SPECTRUM_ROLE_ARN: '' } }),
      /SPECTRUM_ROLE_ARN must be/,
    );
    assert.equal(fake.calls.length, 0);
  });
});
