import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lakeViewSql } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { TOUCHED_HOURS_TABLE } from '../../lambdas/core/datasets/citydata-ppltn/forecast-error.js';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { POPULATION } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import { glueColumns, type TableSpec } from '../../lambdas/core/schema.js';
import { WAREHOUSE_TABLES } from '../../lambdas/core/tables.js';
import { createTableFile, staleSqlFiles } from '../../lambdas/core/warehouse/ddl.js';
import { mergePartitionStatements } from '../../lambdas/core/warehouse/loader-sql.js';
import { defaultSqlDir } from '../../lambdas/core/warehouse/sql-files.js';
import { duckdbReadParquet } from '../../lambdas/core/warehouse/staging-fill.js';
import { queryDuckDb } from '../support/duckdb.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';

/** The table as it would be after renaming one column in lambdas/core/schema.ts: everywhere it is named. */
function renameColumn(table: TableSpec, from: string, to: string): TableSpec {
  const name = (n: string) => (n === from ? to : n);
  const { distribution, sortKey, why } = table.redshift;
  return {
    ...table,
    columns: table.columns.map((c) => ({ ...c, name: name(c.name) })),
    key: table.key.map(name),
    duplicateOrder: table.duplicateOrder.map((term) => term.replace(new RegExp(`^${from}\\b`), to)),
    redshift: {
      distribution: distribution === 'ALL' ? 'ALL' : { key: name(distribution.key) },
      sortKey: sortKey.map(name),
      why,
    },
  };
}

/** SQL without its `--` comment lines (the DDL's prose may mention a column by its old name). */
const withoutComments = (sql: string) =>
  sql
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n');

describe('renaming a column in the one schema definition', () => {
  // area_code is in every place a column can be: the key, the distribution and the sort key.
  const renamed = renameColumn(POPULATION, 'area_code', 'place_code');
  const folder = mkdtempSync(join(tmpdir(), 'schema-rename-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('changes the generated Redshift DDL, and the check names the stale file', () => {
    const ddl = withoutComments(createTableFile(renamed));
    assert.match(ddl, /\n {2}place_code VARCHAR\(16\) NOT NULL,\n/);
    assert.match(ddl, /DISTKEY \(place_code\)\nCOMPOUND SORTKEY \(collected_at, place_code\);/);
    assert.doesNotMatch(ddl, /area_code/);
    const tables = WAREHOUSE_TABLES.map((t) => (t.name === POPULATION.name ? renamed : t));
    assert.deepEqual(staleSqlFiles(defaultSqlDir(), tables), ['13_table_population.sql']);
  });

  it('changes the Glue table columns', () => {
    const names = glueColumns(renamed).map((c) => c.name);
    assert.equal(names[3], 'place_code');
    assert.ok(!names.includes('area_code'));
  });

  it('changes the Parquet schema the writer encodes with, and only for the renamed table', async () => {
    const result = normalizeEnvelope(envelopeFor(sampleRecord(SAMPLES.yeouido)));
    assert.ok(result.ok);
    const { area_code, ...rest } = result.population;
    const path = join(folder, 'renamed.parquet');
    writeFileSync(path, await encodeParquet(renamed, [{ ...rest, place_code: area_code }]));
    const original = join(folder, 'original.parquet');
    writeFileSync(original, await encodeParquet(POPULATION, [result.population]));
    const columnsOf = async (file: string) =>
      (await queryDuckDb('', `SELECT name FROM parquet_schema('${file}') WHERE name <> 'root'`)).map(
        (c) => c.name,
      );
    assert.deepEqual(
      await columnsOf(path),
      renamed.columns.map((c) => c.name),
    );
    assert.ok((await columnsOf(original)).includes('area_code'));
    const [row] = await queryDuckDb('', `SELECT place_code FROM read_parquet('${path}')`);
    assert.equal(row?.place_code, area_code);
  });

  it('changes the loader merge and the local lake view', () => {
    // The forecast-error upkeep that follows a population merge is analysis SQL, like the views of
    // sql/2x: written against the column names, and forecast_error keeps its own area_code.
    const statements = mergePartitionStatements(
      renamed,
      duckdbReadParquet('/lake')(renamed, ['year=2026/month=07/day=16/hour=23/minute=20']),
    )
      .filter((sql) => !sql.includes(TOUCHED_HOURS_TABLE))
      .join('\n');
    assert.match(statements, /population\.place_code = stage_population\.place_code/);
    assert.match(statements, /PARTITION BY place_code, collected_at/);
    assert.match(statements, /INSERT INTO stage_population \(collected_at, fetched_at, run_id, place_code,/);
    assert.doesNotMatch(statements, /area_code/);
    const view = lakeViewSql(renamed, folder);
    assert.match(view, /CAST\(NULL AS VARCHAR\) AS place_code/);
    assert.doesNotMatch(view, /area_code/);
  });
});
