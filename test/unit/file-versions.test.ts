import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../lambdas/cli/analysis/duckdb-warehouse.js';
import { nativeTablesDdl } from '../../lambdas/cli/analysis/local-warehouse.js';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { POPULATION } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import type { ColumnSpec, TableSpec } from '../../lambdas/core/schema.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { WAREHOUSE_TABLES } from '../../lambdas/core/tables.js';
import { versionedFileName, versionOfFile } from '../../lambdas/core/warehouse/file-versions.js';
import { loadNewPartitions } from '../../lambdas/core/warehouse/loader.js';
import {
  currentSnapshot,
  type Journal,
  newJournal,
} from '../../lambdas/core/warehouse/migrations/journal.js';
import { journalEntry, planMigration } from '../../lambdas/core/warehouse/migrations/plan.js';
import {
  duckdbCopyFiles,
  redshiftCopy,
  redshiftCopyFiles,
  StaleFileVersionError,
  stagePartition,
} from '../../lambdas/core/warehouse/staging-fill.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { MemoryLog } from '../support/memory-log.js';

/**
 * A column added to `population` (as one edit of the schema adds it), and a lake partition that
 * holds a file written before (version 1, 26 columns) and one after (version 2, 27). The loader's
 * very statements, run on DuckDB, load both: each version through a staging table of its own
 * columns, as "COPY from columnar data formats" requires (same number of columns, by position).
 */
const ADDED: ColumnSpec = {
  name: 'forecast_hours',
  type: 'int32',
  source: 'entries of FCST_PPLTN',
  nullable: true,
};
const NEW_POPULATION: TableSpec = { ...POPULATION, columns: [...POPULATION.columns, ADDED] };
const TABLES_NOW = WAREHOUSE_TABLES.map((t) => (t.name === 'population' ? NEW_POPULATION : t));
const plan = planMigration(currentSnapshot(newJournal(WAREHOUSE_TABLES)), TABLES_NOW);
const JOURNAL: Journal = {
  ...newJournal(WAREHOUSE_TABLES),
  migrations: [journalEntry('0001_population_add_forecast_hours', plan)],
};
const PARTITION = 'year=2026/month=07/day=16/hour=23/minute=20';

function rowAt(place: string, minute: string) {
  const record = sampleRecord('samples/citydata_ppltn_POI072_yeouido_2026-07-16T2310.json');
  const normalized = normalizeEnvelope(
    envelopeFor({ ...record, AREA_CD: place }, { collectedAt: `2026-07-16T14:${minute}:00Z` }),
  );
  assert.ok(normalized.ok);
  return normalized.population;
}

describe('file versions: names', () => {
  it('a version-1 file keeps the name every file had before; later versions say theirs', () => {
    assert.equal(versionedFileName('seoul.citydata_ppltn-0-12', 1), 'seoul.citydata_ppltn-0-12.parquet');
    assert.equal(versionedFileName('seoul.citydata_ppltn-0-12', 2), 'seoul.citydata_ppltn-0-12.v2.parquet');
    for (const [name, version] of [
      ['seoul.citydata_ppltn-0-12.parquet', 1],
      ['seoul.citydata_ppltn-0-12.v2.parquet', 2],
      ['20260716T1420Z-3f9a2c.parquet', 1],
      ['raw-file.v13.parquet', 13],
      ['topic.v2-0-5.parquet', 1],
    ] as const)
      assert.equal(versionOfFile(name), version, name);
  });
});

describe('file versions: the loader takes old and new files of one partition', () => {
  it('loads both, NULL in the added column for the old file, with the statements it sends to Redshift', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'file-versions-'));
    const folder = join(lake, 'population', ...PARTITION.split('/'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'old.parquet'), await encodeParquet(POPULATION, [rowAt('POI072', '20')]));
    writeFileSync(
      join(folder, 'new.v2.parquet'),
      await encodeParquet(NEW_POPULATION, [
        { ...rowAt('POI001', '20'), area_code: 'POI001', forecast_hours: 12 },
      ]),
    );
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      for (const statement of nativeTablesDdl()) await connection.run(statement);
      // The warehouse after the migration: what `ALTER TABLE … ADD COLUMN` made of it.
      for (const statement of plan.statements) await connection.run(statement);
      const warehouse = new DuckDbWarehouse(connection);
      const result = await loadNewPartitions({
        warehouse,
        store: new LocalFolderStore(lake),
        fill: () => assert.fail('a partition with an old file is not loaded as one folder'),
        fillFiles: duckdbCopyFiles(lake),
        journal: JOURNAL,
        tables: [NEW_POPULATION],
        log: new MemoryLog(),
        now: new Date('2026-07-16T16:00:00Z'),
      });
      assert.deepEqual(result.failed, []);
      assert.equal(result.loaded.length, 1);
      assert.deepEqual(
        await warehouse.query('SELECT area_code, forecast_hours FROM population ORDER BY area_code'),
        [
          { area_code: 'POI001', forecast_hours: 12 },
          { area_code: 'POI072', forecast_hours: null },
        ],
      );
      // What COPY would refuse, DuckDB refuses too: an old file straight into the new staging table.
      await connection.run('CREATE TEMP TABLE stage_population AS SELECT * FROM population WHERE 1 = 0');
      const [straight] = duckdbCopyFiles(lake)('stage_population', NEW_POPULATION, PARTITION, [
        'old.parquet',
      ]);
      await assert.rejects(connection.run(straight as string), /27 columns but 26 values|columns/);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('writes Redshift COPY statements: one per file, each into the staging table of its version', () => {
    const lake = {
      bucket: 'seoul-lake',
      prefix: '',
      roleArn: 'arn:aws:iam::123456789012:role/seoul-spectrum',
    };
    const statements = stagePartition(NEW_POPULATION, PARTITION, ['old.parquet', 'new.v2.parquet'], JOURNAL, {
      folder: redshiftCopy(lake),
      files: redshiftCopyFiles(lake),
    });
    const role = "IAM_ROLE 'arn:aws:iam::123456789012:role/seoul-spectrum' FORMAT AS PARQUET";
    assert.deepEqual(statements, [
      'DROP TABLE IF EXISTS stage_population_v1',
      `CREATE TEMP TABLE stage_population_v1 (${POPULATION.columns.map((c) => `${c.name} ${c.type === 'string' ? `VARCHAR(${c.maxBytes})` : { timestamp: 'TIMESTAMP', int32: 'INTEGER', int64: 'BIGINT', double: 'DOUBLE PRECISION', boolean: 'BOOLEAN' }[c.type]}`).join(', ')})`,
      `COPY stage_population_v1 FROM 's3://seoul-lake/population/${PARTITION}/old.parquet' ${role}`,
      `INSERT INTO stage_population (${POPULATION.columns.map((c) => c.name).join(', ')}) SELECT ${POPULATION.columns.map((c) => c.name).join(', ')} FROM stage_population_v1`,
      'DROP TABLE stage_population_v1',
      `COPY stage_population FROM 's3://seoul-lake/population/${PARTITION}/new.v2.parquet' ${role}`,
    ]);
    assert.deepEqual(
      stagePartition(NEW_POPULATION, PARTITION, ['a.v2.parquet', 'b.v2.parquet'], JOURNAL, {
        folder: redshiftCopy(lake),
        files: redshiftCopyFiles(lake),
      }),
      [`COPY stage_population FROM 's3://seoul-lake/population/${PARTITION}/' ${role}`],
      'a partition of the current version only: one COPY of the folder, as before',
    );
  });

  it('refuses a file of a version the journal does not know, or one a destructive migration left behind', () => {
    const fill = { folder: () => [], files: () => [] };
    assert.throws(
      () => stagePartition(NEW_POPULATION, PARTITION, ['x.v3.parquet'], JOURNAL, fill),
      (e: unknown) =>
        e instanceof StaleFileVersionError &&
        /version 3, which the migration journal does not know/.test(String(e)),
    );
    const dropped = planMigration(
      currentSnapshot(JOURNAL),
      TABLES_NOW.map((t) =>
        t.name === 'population'
          ? { ...POPULATION, columns: NEW_POPULATION.columns.filter((c) => c.name !== 'replace_yn') }
          : t,
      ),
      { destructive: true },
    );
    const after: Journal = {
      ...JOURNAL,
      migrations: [...JOURNAL.migrations, journalEntry('0002_population_drop_replace_yn', dropped)],
    };
    assert.throws(
      () => stagePartition(NEW_POPULATION, PARTITION, ['old.parquet', 'new.v3.parquet'], after, fill),
      /version 1, from before a destructive migration: rewrite the partition from raw\//,
    );
  });
});
