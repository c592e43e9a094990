/**
 * Writer benchmark: rows per second from Kafka-shaped envelopes to Parquet bytes (decode,
 * validate, normalize, encode), for 121 rows and for 100,000 rows, beside DuckDB's own
 * `COPY … TO parquet` of the same rows as the reference (measured in the same process).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { simulatedRecord } from '../../lambdas/cli/simulator/generator.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { buildEnvelope, toMessage } from '../../lambdas/core/envelope.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import type { SourceRecord } from '../../lambdas/core/source-record.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryStore } from '../support/memory-store.js';
import { figure, heading, mib, perSecond, ratio, timed } from './report.js';

/** `count` records: all places over consecutive 20-minute runs, in one Kafka partition. */
function records(count: number): SourceRecord[] {
  const start = Date.parse('2026-07-01T00:00:00Z');
  return Array.from({ length: count }, (_, offset) => {
    const place = ALL_PLACES[offset % ALL_PLACES.length] as (typeof ALL_PLACES)[number];
    const collectedAt = new Date(start + Math.floor(offset / ALL_PLACES.length) * 20 * 60_000);
    const message = toMessage(
      buildEnvelope({
        dataset: 'citydata_ppltn',
        runId: 'bench',
        collectedAt,
        fetchedAt: collectedAt,
        place,
        payload: simulatedRecord(place, collectedAt),
      }),
    );
    return {
      topic: 'bench',
      partition: 0,
      offset,
      key: Buffer.from(message.key),
      value: message.value,
      headers: message.headers,
    };
  });
}

/**
 * DuckDB writing the very same population and forecast rows as SNAPPY Parquet: the reference.
 * The rows are loaded into DuckDB first (not timed), from the files the writer produced.
 */
async function duckdbReference(store: MemoryStore, folder: string): Promise<{ ms: number; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    let ms = 0;
    let rows = 0;
    for (const table of ['population', 'population_forecast']) {
      const source = join(folder, table);
      mkdirSync(source, { recursive: true });
      for (const [key, body] of store.files) {
        if (key.startsWith(`${table}/`)) writeFileSync(join(source, key.replace(/\//g, '_')), body);
      }
      await connection.run(
        `CREATE TABLE ${table} AS SELECT * FROM read_parquet('${source}/*.parquet', hive_partitioning = false)`,
      );
      const [[count]] = (await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS() as [
        [bigint],
      ];
      rows += Number(count);
      const copy = await timed(() =>
        connection.run(
          `COPY ${table} TO '${join(folder, `${table}.parquet`)}' (FORMAT parquet, COMPRESSION snappy)`,
        ),
      );
      ms += copy.ms;
    }
    return { ms, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function benchWriter(): Promise<void> {
  for (const count of [121, 100_000]) {
    heading(`writer: ${count.toLocaleString('en-US')} envelopes to Parquet`);
    const batch = records(count);
    const store = new MemoryStore();
    const heapBefore = process.memoryUsage().heapUsed;
    const { result, ms } = await timed(() =>
      writeBatch(batch, { store, catalog: NO_CATALOG, log: new MemoryLog() }),
    );
    const heapAfter = process.memoryUsage().heapUsed;
    const folder = mkdtempSync(join(tmpdir(), 'bench-writer-'));
    try {
      const reference = await duckdbReference(store, folder);
      figure(
        'population rows / forecast rows written',
        `${result.rows.population} / ${result.rows.population_forecast}`,
      );
      const tableRows = Object.values(result.rows).reduce((total, n) => total + n, 0);
      figure('writer: envelopes in → Parquet + raw archive out', `${ms.toFixed(0)} ms`);
      figure('  envelopes per second', perSecond(count, ms));
      figure('  table rows (population + forecast) per second', perSecond(tableRows, ms));
      figure('bytes written (population+forecast+raw)', mib(store.bytes));
      figure('heap growth during the write', mib(Math.max(0, heapAfter - heapBefore)));
      figure(
        'DuckDB COPY of the same table rows (reference)',
        `${reference.ms.toFixed(1)} ms, ${perSecond(reference.rows, reference.ms)}`,
      );
      figure('writer time / DuckDB time (lower is better)', ratio(ms / reference.ms));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}
