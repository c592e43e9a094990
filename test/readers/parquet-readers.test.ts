import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import parquet from 'parquetjs-lite';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { POPULATION, POPULATION_FORECAST } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { encodeParquet } from '../../lambdas/core/lake/parquet.js';
import { COLLECTION_OUTCOMES, type TableSpec } from '../../lambdas/core/schema.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import { temporaryDir } from '../infra/support/synth.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';

/**
 * Timestamps Redshift reads right (issue 19, item 6): the writer's Parquet files read by two
 * independent implementations, installed from PyPI (`npm run setup:parquet-readers`):
 * - pyarrow (Apache Arrow's C++ Parquet) shows each column's physical and logical type: every
 *   timestamp column is INT96 with no logical type, the layout Spark and Hive write;
 * - Spark (pyspark on Java 17) reads the same instants, to the microsecond, as TIMESTAMP;
 *   Spark writes them back with its defaults as INT96 too (its default output type), with the
 *   same values: our files and Spark's agree on type and content.
 * DuckDB, which the local views and the report use, still reads the same instants.
 */
const VENV_PYTHON = join(PROJECT_ROOT, '.cache', 'parquet-readers-venv', 'bin', 'python');
const SCRIPT = join(PROJECT_ROOT, 'test', 'readers', 'parquet_readers.py');

function readers(args: string[]): unknown {
  assert.ok(existsSync(VENV_PYTHON), 'pyarrow and pyspark are not installed: npm run setup:parquet-readers');
  // Spark's JVM logs go to stderr; they are shown only when the run fails.
  const output = execFileSync(VENV_PYTHON, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', PYSPARK_PYTHON: VENV_PYTHON },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output.trim().split('\n').pop() as string);
}

interface ArrowView {
  columns: { name: string; physical: string; logical: string | null; converted: string }[];
  rows: number;
  timestamps: Record<string, { arrowType: string; epochNanos: string[] }>;
}
interface SparkView {
  outputTimestampType: string;
  files: Record<
    string,
    { schema: Record<string, string>; epochMicros: Record<string, string[]>; writtenBack: string }
  >;
}

/** The rows each file holds, as given to the writer: the oracle. */
function sampleRows(): Record<TableSpec['name'], Record<string, unknown>[]> {
  const normalized = normalizeEnvelope(
    envelopeFor(sampleRecord(SAMPLES.yeouido), {
      // A run just before midnight UTC, fetched with milliseconds: day and sub-second boundaries.
      collectedAt: '2026-07-16T23:40:00Z',
      fetchedAt: '2026-07-16T23:59:59.987Z',
    }),
  );
  if (!normalized.ok) throw new Error(normalized.reasons.join());
  const outcome = (code: string, collectedAt: string) => ({
    collected_at: new Date(collectedAt),
    run_id: '20260716T2340Z-abcdef',
    area_code: code,
    status: 'ok',
    reason: null,
    attempts: 1,
    duration_ms: 80,
  });
  return {
    population: [normalized.population],
    population_forecast: normalized.forecasts,
    collection_outcomes: [
      outcome('POI001', '2026-07-16T23:40:00Z'),
      outcome('POI002', '2000-02-29T12:34:56.789Z'), // a leap day
      outcome('POI003', '1970-01-01T00:00:00.001Z'),
    ],
  };
}

/** One INT64 TIMESTAMP_MILLIS column, written by parquetjs-lite's own type (no INT96 involved). */
async function int64MillisFile(instant: Date): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  Object.assign(sink, { close: (callback?: () => void) => callback?.() });
  const schema = new parquet.ParquetSchema({ collected_at: { type: 'TIMESTAMP_MILLIS' } });
  const writer = await parquet.ParquetWriter.openStream(schema, sink, { useDataPageV2: false });
  await writer.appendRow({ collected_at: instant });
  await writer.close();
  return Buffer.concat(chunks);
}

const timestampColumns = (table: TableSpec) =>
  table.columns.filter((c) => c.type === 'timestamp').map((c) => c.name);
const epochNanos = (value: unknown) => `${BigInt((value as Date).getTime()) * 1_000_000n}`;
const epochMicros = (value: unknown) => `${BigInt((value as Date).getTime()) * 1_000n}`;

describe('Parquet timestamps, read by pyarrow, Spark and DuckDB', () => {
  const dir = temporaryDir('parquet-readers-');
  const rows = sampleRows();
  const files: Record<string, string> = {};
  let arrow: Record<string, ArrowView>;
  let spark: SparkView;

  before(async () => {
    for (const table of TABLES) {
      files[table.name] = join(dir, `${table.name}.parquet`);
      writeFileSync(files[table.name] as string, await encodeParquet(table, rows[table.name] ?? []));
    }
    arrow = readers(['pyarrow', ...Object.values(files)]) as Record<string, ArrowView>;
    spark = readers(['spark', dir, ...Object.values(files)]) as SparkView;
  });

  it('pyarrow: every timestamp column is INT96 with no logical or converted type', () => {
    for (const table of [POPULATION, POPULATION_FORECAST, COLLECTION_OUTCOMES]) {
      const view = arrow[files[table.name] as string] as ArrowView;
      const columns = Object.fromEntries(view.columns.map((c) => [c.name, c]));
      for (const name of timestampColumns(table)) {
        assert.deepEqual(
          {
            physical: columns[name]?.physical,
            logical: columns[name]?.logical,
            converted: columns[name]?.converted,
          },
          { physical: 'INT96', logical: null, converted: 'NONE' },
          `${table.name}.${name}`,
        );
      }
      assert.ok(
        view.columns.every((c) => timestampColumns(table).includes(c.name) || c.physical !== 'INT96'),
        'no other column is INT96',
      );
    }
  });

  it('pyarrow tells the types apart: an INT64 TIMESTAMP_MILLIS file (the former encoding) is reported as such', async () => {
    const control = join(dir, 'control-int64-millis.parquet');
    writeFileSync(control, await int64MillisFile(new Date('2026-07-16T23:40:00Z')));
    const view = (readers(['pyarrow', control]) as Record<string, ArrowView>)[control] as ArrowView;
    assert.deepEqual(view.columns, [
      {
        name: 'collected_at',
        physical: 'INT64',
        logical:
          'Timestamp(isAdjustedToUTC=true, timeUnit=milliseconds, is_from_converted_type=true, force_set_converted_type=false)',
        converted: 'TIMESTAMP_MILLIS',
      },
    ]);
  });

  it('pyarrow: reads back the exact instants, to the nanosecond', () => {
    for (const table of TABLES) {
      const view = arrow[files[table.name] as string] as ArrowView;
      for (const name of timestampColumns(table)) {
        assert.deepEqual(
          view.timestamps[name]?.epochNanos,
          (rows[table.name] ?? []).map((row) => epochNanos(row[name])),
          `${table.name}.${name}`,
        );
      }
    }
  });

  it('Spark: reads every timestamp column as TIMESTAMP with the same instants', () => {
    for (const table of TABLES) {
      const view = spark.files[files[table.name] as string];
      assert.ok(view, table.name);
      for (const name of timestampColumns(table)) {
        assert.equal(view.schema[name], 'timestamp', `${table.name}.${name}`);
        assert.deepEqual(
          view.epochMicros[name],
          (rows[table.name] ?? []).map((row) => epochMicros(row[name])),
          `${table.name}.${name}`,
        );
      }
    }
  });

  it('Spark writes timestamps as INT96 by default, with the same values as our files', () => {
    assert.equal(spark.outputTimestampType, 'INT96');
    for (const table of TABLES) {
      const folder = spark.files[files[table.name] as string]?.writtenBack as string;
      const [part] = readdirSync(folder).filter((f) => f.endsWith('.parquet'));
      const back = (readers(['pyarrow', join(folder, part as string)]) as Record<string, ArrowView>)[
        join(folder, part as string)
      ] as ArrowView;
      const ours = arrow[files[table.name] as string] as ArrowView;
      for (const name of timestampColumns(table)) {
        assert.equal(
          back.columns.find((c) => c.name === name)?.physical,
          'INT96',
          `Spark's ${table.name}.${name}`,
        );
        assert.deepEqual(
          back.timestamps[name]?.epochNanos,
          ours.timestamps[name]?.epochNanos,
          `${table.name}.${name}`,
        );
      }
    }
  });

  it('DuckDB (the local views and the report) reads the same instants', async () => {
    for (const table of TABLES) {
      const back = await readParquet(files[table.name] as string);
      for (const name of timestampColumns(table)) {
        assert.deepEqual(
          back.map((row) => (row[name] as Date).toISOString()),
          (rows[table.name] ?? []).map((row) => (row[name] as Date).toISOString()),
          `${table.name}.${name}`,
        );
      }
    }
  });
});
