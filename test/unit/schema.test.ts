import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { normalizeEnvelope, type PopulationRow } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { POPULATION, POPULATION_FORECAST } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import {
  COLLECTION_OUTCOMES,
  glueColumns,
  gluePartitionKeys,
  redshiftType,
} from '../../lambdas/core/schema.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { redshiftColumnList } from '../../lambdas/core/warehouse/ddl.js';
import { queryDuckDb } from '../support/duckdb.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';

describe('the one schema definition', () => {
  it('has the columns of the contract, in order', () => {
    assert.deepEqual(
      POPULATION.columns.map((c) => `${c.name}:${c.type}`),
      [
        'collected_at:timestamp',
        'fetched_at:timestamp',
        'run_id:string',
        'area_code:string',
        'area_name:string',
        'category:string',
        'area_congest_level:string',
        'area_congest_message:string',
        'area_population_min:int32',
        'area_population_max:int32',
        'male_population_rate:double',
        'female_population_rate:double',
        'population_rate_0:double',
        'population_rate_10:double',
        'population_rate_20:double',
        'population_rate_30:double',
        'population_rate_40:double',
        'population_rate_50:double',
        'population_rate_60:double',
        'population_rate_70:double',
        'resident_population_rate:double',
        'non_resident_population_rate:double',
        'replace_yn:boolean',
        'forecast_yn:boolean',
        'population_time:timestamp',
      ],
    );
    assert.deepEqual(
      POPULATION_FORECAST.columns.map((c) => `${c.name}:${c.type}`),
      [
        'collected_at:timestamp',
        'area_code:string',
        'population_time:timestamp',
        'forecast_time:timestamp',
        'forecast_congest_level:string',
        'forecast_population_min:int32',
        'forecast_population_max:int32',
      ],
    );
  });

  it('matches the row type the normalizer produces, key for key', () => {
    const result = normalizeEnvelope(envelopeFor(sampleRecord(SAMPLES.yeouido)));
    assert.ok(result.ok);
    const population: PopulationRow = result.population;
    assert.deepEqual(
      Object.keys(population),
      POPULATION.columns.map((c) => c.name),
    );
    assert.deepEqual(
      Object.keys(result.forecasts[0] ?? {}),
      POPULATION_FORECAST.columns.map((c) => c.name),
    );
  });

  it('derives Glue, Parquet, DuckDB and Redshift forms that agree column by column', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'schema-'));
    const lake = mkdtempSync(join(tmpdir(), 'schema-lake-'));
    const duckdbOfParquet: Record<string, string> = {
      INT96: 'TIMESTAMP',
      BYTE_ARRAY: 'VARCHAR',
      INT32: 'INTEGER',
      DOUBLE: 'DOUBLE',
      BOOLEAN: 'BOOLEAN',
    };
    const glueOfRedshift: Record<string, string> = {
      TIMESTAMP: 'timestamp',
      INTEGER: 'int',
      'DOUBLE PRECISION': 'double',
      BOOLEAN: 'boolean',
    };
    const { connection, close } = await openLake(lake); // empty lake: views typed from the schema
    try {
      for (const table of TABLES) {
        const path = join(folder, `${table.name}.parquet`);
        writeFileSync(path, await encodeParquet(table, []));
        const parquet = await queryDuckDb(
          '',
          `SELECT name, type FROM parquet_schema('${path}') WHERE name <> 'root'`,
        );
        const view = (await connection.runAndReadAll(`DESCRIBE ${table.name}`)).getRowObjectsJS();
        const glue = glueColumns(table);
        assert.deepEqual(
          parquet.map((c) => c.name),
          table.columns.map((c) => c.name),
          table.name,
        );
        assert.deepEqual(
          view.map((c) => c.column_name),
          table.columns.map((c) => c.name),
          table.name,
        );
        assert.deepEqual(
          glue.map((c) => c.name),
          table.columns.map((c) => c.name),
          table.name,
        );
        for (const [i, column] of table.columns.entries()) {
          const redshift = redshiftType(column);
          assert.equal(
            view[i]?.column_type,
            duckdbOfParquet[String(parquet[i]?.type)],
            `${table.name}.${column.name} DuckDB`,
          );
          assert.equal(
            glue[i]?.type,
            redshift.startsWith('VARCHAR') ? 'string' : glueOfRedshift[redshift],
            `${table.name}.${column.name} Glue`,
          );
        }
      }
    } finally {
      close();
    }
  });

  it('partitions by year, month, day, hour and minute, as strings', () => {
    assert.deepEqual(
      gluePartitionKeys(),
      ['year', 'month', 'day', 'hour', 'minute'].map((name) => ({ name, type: 'string' })),
    );
  });

  it('sizes Redshift strings in bytes, big enough for Korean text', () => {
    const message = POPULATION.columns.find((c) => c.name === 'area_congest_message');
    assert.equal(redshiftType(message as NonNullable<typeof message>), 'VARCHAR(1024)');
    const longest =
      '사람들이 몰려있을 가능성이 매우 크고 많이 붐빈다고 느낄 수 있어요. 인구밀도가 높은 구간에서는 도보 이동시 부딪힘이 발생할 수 있어요.';
    assert.ok(Buffer.byteLength(longest) < 1024);
  });

  it('marks only nullable columns as nullable in Redshift', () => {
    assert.match(
      redshiftColumnList(COLLECTION_OUTCOMES),
      /status VARCHAR\(16\) NOT NULL,\n {2}reason VARCHAR\(1024\),/,
    );
  });
});
