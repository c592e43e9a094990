import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../lambdas/cli/analysis/duckdb-warehouse.js';
import { nativeTablesDdl } from '../../lambdas/cli/analysis/local-warehouse.js';
import { readRows } from '../../lambdas/cli/report/rows.js';
import { seeded, simulatedRecord } from '../../lambdas/cli/simulator/generator.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { newRunId } from '../../lambdas/core/collection-run.js';
import { buildEnvelope } from '../../lambdas/core/envelope.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { WarehouseStatementError } from '../../lambdas/core/warehouse/errors.js';
import {
  DEFAULT_LOOKBACK_MS,
  LOADER_BUDGET_MARGIN_MS,
  type LoadResult,
  loadNewPartitions,
  PARTITION_TIMEOUT_MS,
} from '../../lambdas/core/warehouse/loader.js';
import { duckdbReadParquet } from '../../lambdas/core/warehouse/staging-fill.js';
import type { Row, SqlParams, Warehouse } from '../../lambdas/core/warehouse/warehouse.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { writeRunOutcomes } from '../../lambdas/core/writers/outcomes-writer.js';
import { sourceRecords } from '../support/envelopes.js';
import { MemoryLog } from '../support/memory-log.js';

/** The loader's Lambda timeout (lib/warehouse.ts): 15 minutes. */
const LAMBDA_TIMEOUT_MS = 15 * 60_000;
/** What the function still has to do after its last partition: the final log line and metrics. */
const FINISH_MS = 20_000;
const RUN_MS = 20 * 60_000;
const SCHEDULE_MS = 3 * 3_600_000;
const FIRST_RUN = Date.parse('2026-07-01T00:00:00Z');
/** Runs after the one the warehouse loaded before it went down: 334 × 3 tables = 1,002 partitions. */
const BACKLOG_RUNS = 334;

/** A clock the test moves: every Data API round trip and statement takes simulated time. */
class Clock {
  now = 0;
}

/**
 * The DuckDB warehouse as the Data API would behave in time: a query takes half a second; a
 * partition's batch takes 5–10 s most of the time, up to a minute sometimes, and now and then
 * hangs until the loader's statement timeout cancels it (the batch then fails and commits nothing,
 * as a cancelled Redshift transaction). Durations come from a seeded generator.
 */
class TimedWarehouse implements Warehouse {
  batches = 0;
  hung = 0;
  private readonly random = seeded(19);

  constructor(
    private readonly inner: Warehouse,
    private readonly clock: Clock,
  ) {}

  async execute(sql: string, params?: SqlParams): Promise<string> {
    this.clock.now += 500;
    return this.inner.execute(sql, params);
  }

  async query(sql: string, params?: SqlParams): Promise<Row[]> {
    this.clock.now += 500;
    return this.inner.query(sql, params);
  }

  async batch(sqls: readonly string[], params?: SqlParams): Promise<string> {
    this.batches++;
    const draw = this.random();
    if (draw < 0.03) {
      this.hung++;
      // Polled until the timeout, then CancelStatement and one more poll (at most 2 s each).
      this.clock.now += PARTITION_TIMEOUT_MS + 4_000;
      throw new WarehouseStatementError(
        `statement hung-${this.batches} still STARTED after 120 s; cancelled`,
        `hung-${this.batches}`,
      );
    }
    this.clock.now += draw < 0.9 ? 5_000 + this.random() * 5_000 : 10_000 + this.random() * 50_000;
    return this.inner.batch(sqls, params);
  }
}

/** One run of one place into the lake, through the real writers. */
async function writeRun(
  store: LocalFolderStore,
  place: Place,
  collectedAt: Date,
  offset: number,
): Promise<void> {
  const runId = newRunId(collectedAt);
  const fetchedAt = new Date(collectedAt.getTime() + 2_000);
  const envelope = buildEnvelope({
    dataset: 'citydata_ppltn',
    runId,
    collectedAt,
    fetchedAt,
    place,
    payload: simulatedRecord(place, fetchedAt),
  });
  const written = await writeBatch(
    sourceRecords([envelope], { firstOffset: offset, timestamp: fetchedAt.getTime() }),
    {
      store,
      catalog: NO_CATALOG,
      log: new MemoryLog(),
    },
  );
  assert.equal(written.rejectedRecords, 0);
  await writeRunOutcomes(
    {
      runId,
      collectedAt,
      envelopes: [envelope],
      outcomes: [{ code: place.code, status: 'ok', attempts: 1, durationMs: 120 }],
      durationMs: 900,
    },
    store,
  );
}

/** Parquet files per `table|partition path`, counted on disk (the oracle, not the loader's listing). */
function filesOnDisk(lake: string): Map<string, number> {
  const counts = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.parquet')) {
        const parts = relative(lake, dir).split('/');
        const id = `${parts[0]}|${parts.slice(1).join('/')}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  };
  for (const table of ['population', 'population_forecast', 'collection_outcomes']) walk(join(lake, table));
  return counts;
}

describe('the loader over a backlog of 1,002 partitions, on DuckDB with a simulated clock', () => {
  const lake = mkdtempSync(join(tmpdir(), 'loader-backlog-'));
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const clock = new Clock();
  let warehouse: TimedWarehouse;
  const invocations: { started: number; ended: number; result: LoadResult }[] = [];

  /** One scheduled invocation at the clock's time, with Lambda's remaining time. */
  async function invoke(): Promise<LoadResult> {
    const started = clock.now;
    const result = await loadNewPartitions({
      warehouse,
      store: new LocalFolderStore(lake),
      fill: duckdbReadParquet(lake),
      log: new MemoryLog(),
      now: new Date(clock.now),
      remainingMs: () => LAMBDA_TIMEOUT_MS - (clock.now - started),
    });
    invocations.push({ started, ended: clock.now, result });
    return result;
  }

  before(async () => {
    const store = new LocalFolderStore(lake);
    const place = findPlace('POI009') as Place;
    for (let run = 0; run <= BACKLOG_RUNS; run++) {
      await writeRun(store, place, new Date(FIRST_RUN + run * RUN_MS), run);
    }
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    for (const statement of nativeTablesDdl()) await connection.run(statement);
    warehouse = new TimedWarehouse(new DuckDbWarehouse(connection), clock);

    // The warehouse loaded the first run, then was down while the other 334 runs were written.
    clock.now = FIRST_RUN + 10 * 60_000;
    const first = await invoke();
    assert.equal(first.loaded.length + first.failed.length, 3);
    // Back: the next scheduled loads, every 3 hours, until one has nothing left.
    clock.now = FIRST_RUN + BACKLOG_RUNS * RUN_MS + 30 * 60_000;
    for (let n = 0; n < 40; n++) {
      const result = await invoke();
      if (result.deferred === 0 && result.failed.length === 0) break;
      clock.now = Math.max(clock.now, invocations.at(-1)?.started ?? 0) + SCHEDULE_MS;
      clock.now -= clock.now % SCHEDULE_MS;
    }
  });
  after(() => {
    connection?.closeSync();
    instance?.closeSync();
    rmSync(lake, { recursive: true, force: true });
  });

  it('had at least 1,000 partitions pending when the warehouse came back', () => {
    const resumed = invocations[1]?.result as LoadResult;
    assert.ok(resumed.loaded.length + resumed.failed.length + resumed.deferred >= 1_000);
  });

  it(`never starts a partition with less than ${LOADER_BUDGET_MARGIN_MS / 1000} s left, so no invocation passes its 15 minutes`, () => {
    for (const { started, ended } of invocations) {
      assert.ok(
        ended - started <= LAMBDA_TIMEOUT_MS - FINISH_MS,
        `an invocation used ${(ended - started) / 1000} s of ${LAMBDA_TIMEOUT_MS / 1000}`,
      );
    }
    assert.ok(warehouse.hung > 0, 'some partitions hung until their statement timeout');
    const stopped = invocations.filter((i) => i.result.outOfTime);
    assert.ok(stopped.length >= 5, `${stopped.length} invocations stopped for time`);
    assert.equal(invocations.at(-1)?.result.outOfTime, false, 'the last one finished the backlog');
  });

  it('goes on where the previous load stopped, even days behind the 48-hour look-back', () => {
    const resumed = invocations.slice(1);
    for (const { started, result } of resumed) {
      assert.ok(Date.parse(result.since) < started - DEFAULT_LOOKBACK_MS, `since ${result.since}`);
    }
  });

  it('loses nothing: every partition on disk is logged with its file count, and the tables hold the lake', async () => {
    const onDisk = filesOnDisk(lake);
    assert.equal(onDisk.size, (BACKLOG_RUNS + 1) * 3);
    const logged = new Map(
      (await readRows(connection, 'SELECT table_name, partition_path, file_count FROM load_log')).map((r) => [
        `${r.table_name}|${r.partition_path}`,
        Number(r.file_count),
      ]),
    );
    assert.deepEqual([...logged.entries()].sort(), [...onDisk.entries()].sort());
    for (const table of ['population', 'population_forecast', 'collection_outcomes']) {
      const inLake = await readRows(
        connection,
        `SELECT count(*) AS n FROM read_parquet('${lake}/${table}/**/*.parquet', hive_partitioning = false, union_by_name = true)`,
      );
      const inTable = await readRows(connection, `SELECT count(*) AS n FROM ${table}`);
      assert.equal(Number(inTable[0]?.n), Number(inLake[0]?.n), table);
    }
  });
});
