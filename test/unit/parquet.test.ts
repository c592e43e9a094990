import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { POPULATION, POPULATION_FORECAST } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import { COLLECTION_OUTCOMES, type TableSpec } from '../../lambdas/core/schema.js';
import { queryDuckDb, readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { firstDataPages, PAGE_TYPE } from '../support/parquet-pages.js';

const folder = mkdtempSync(join(tmpdir(), 'parquet-test-'));
const SNAPPY = 1; // Parquet CompressionCodec enum

function rowsOfSample() {
  const result = normalizeEnvelope(envelopeFor(sampleRecord(SAMPLES.yeouido)));
  if (!result.ok) throw new Error(result.reasons.join());
  return result;
}

async function written(table: TableSpec, rows: object[]): Promise<{ path: string; bytes: Buffer }> {
  const bytes = await encodeParquet(table, rows);
  const path = join(folder, `${table.name}-${rows.length}.parquet`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('Parquet encoding', () => {
  it('writes DataPageV1 pages, SNAPPY-compressed, in every column', async () => {
    const { population } = rowsOfSample();
    const { bytes } = await written(POPULATION, [population]);
    const pages = firstDataPages(bytes);
    assert.deepEqual(
      pages.map((p) => p.column),
      POPULATION.columns.map((c) => c.name),
    );
    for (const page of pages) {
      assert.equal(page.pageType, PAGE_TYPE.DATA_PAGE, `${page.column} is not a V1 data page`);
      assert.equal(page.codec, SNAPPY, `${page.column} is not SNAPPY`);
    }
  });

  it('stores timestamps as INT96 (no converted or logical type) and every type as the schema says', async () => {
    const { path } = await written(POPULATION, [rowsOfSample().population]);
    const schema = await queryDuckDb(
      '',
      `SELECT name, type, converted_type, repetition_type FROM parquet_schema('${path}') WHERE name <> 'root'`,
    );
    const expected: Record<string, [string, string | null]> = {
      timestamp: ['INT96', null],
      string: ['BYTE_ARRAY', 'UTF8'],
      int32: ['INT32', null],
      double: ['DOUBLE', null],
      boolean: ['BOOLEAN', null],
    };
    assert.deepEqual(
      schema.map((c) => [c.name, c.type, c.converted_type, c.repetition_type]),
      POPULATION.columns.map((c) => [c.name, ...(expected[c.type] as [string, string | null]), 'REQUIRED']),
    );
  });

  it('reads back, with DuckDB, exactly the rows it was given', async () => {
    const { population, forecasts } = rowsOfSample();
    const back = await readParquet((await written(POPULATION, [population])).path);
    assert.deepEqual(back, [population]);
    const forecastBack = await readParquet((await written(POPULATION_FORECAST, forecasts)).path);
    assert.deepEqual(forecastBack, forecasts);
  });

  it('writes NULL into a nullable column and keeps the others required', async () => {
    const rows = [
      {
        collected_at: new Date('2026-07-16T14:20:00Z'),
        run_id: 'r',
        area_code: 'POI001',
        status: 'ok',
        reason: null,
        attempts: 1,
        duration_ms: 80,
      },
      {
        collected_at: new Date('2026-07-16T14:20:00Z'),
        run_id: 'r',
        area_code: 'POI002',
        status: 'failed',
        reason: 'HTTP 500',
        attempts: 4,
        duration_ms: 9000,
      },
    ];
    const { path } = await written(COLLECTION_OUTCOMES, rows);
    assert.deepEqual(await readParquet(path), rows);
    const repetition = await queryDuckDb(
      '',
      `SELECT name, repetition_type FROM parquet_schema('${path}') WHERE name IN ('reason', 'status')`,
    );
    assert.deepEqual(repetition.map((r) => [r.name, r.repetition_type]).sort(), [
      ['reason', 'OPTIONAL'],
      ['status', 'REQUIRED'],
    ]);
  });

  it('splits large files into several row groups that all read back', async () => {
    const { population } = rowsOfSample();
    const rows = Array.from({ length: 40_000 }, (_, i) => ({
      ...population,
      area_population_min: i,
      area_population_max: i + 1,
    }));
    const { path, bytes } = await written(POPULATION, rows);
    assert.ok(firstDataPages(bytes).length > POPULATION.columns.length, 'more than one row group');
    const [summary] = await readParquet(
      path,
      'SELECT count(*) AS n, sum(area_population_min) AS total FROM data',
    );
    assert.equal(summary?.n, 40_000n);
    assert.equal(summary?.total, BigInt((39_999 * 40_000) / 2));
  });
});
