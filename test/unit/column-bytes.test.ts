import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import {
  fitStringColumns,
  fitUtf8,
  TRUNCATION_MARK,
  utf8Bytes,
} from '../../lambdas/core/lake/column-bytes.js';
import { METRIC } from '../../lambdas/core/metric-names.js';
import { encodeMskEvent } from '../../lambdas/core/msk-event.js';
import type { TableSpec } from '../../lambdas/core/schema.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { WAREHOUSE_TABLES } from '../../lambdas/core/tables.js';
import { defaultSqlDir } from '../../lambdas/core/warehouse/sql-files.js';
import { writeRunOutcomes } from '../../lambdas/core/writers/outcomes-writer.js';
import { writeMskBatch } from '../../lambdas/writer/msk-batch.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';

/** `VARCHAR(n)` of a column, read from the DDL file that creates its table in Redshift. */
function ddlBytes(table: string, column: string): number {
  const file = readFileSync(join(defaultSqlDir(), ddlFileOf(table)), 'utf8');
  const match = new RegExp(`\\n\\s*${column} VARCHAR\\((\\d+)\\)`).exec(file);
  assert.ok(match, `${column} VARCHAR(n) in the DDL of ${table}`);
  return Number(match[1]);
}
function ddlFileOf(table: string): string {
  const file = readdirSync(defaultSqlDir()).find((name) => name.endsWith(`_table_${table}.sql`));
  assert.ok(file, `a sql/NN_table_${table}.sql file`);
  return file;
}

describe('text fits its warehouse column (VARCHAR counts bytes)', () => {
  const dirs: string[] = [];
  const lake = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'column-bytes-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('cuts at a character boundary, within the size, visibly, and leaves what fits alone', () => {
    assert.equal(fitUtf8('혼잡', 6), '혼잡');
    assert.equal(fitUtf8('혼잡도', 8), '혼…'); // 9 bytes; 3 + 3 for the mark: one character stays
    assert.equal(fitUtf8('a😀b', 6), 'a😀b'); // exactly 6 bytes: fits
    assert.equal(fitUtf8('a😀bc', 6), 'a…'); // the 4-byte emoji is never split
    assert.equal(fitUtf8('abcdefgh', 5), 'ab…');
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 3, max: 400 }),
        (text, max) => {
          const fitted = fitUtf8(text, max);
          assert.ok(utf8Bytes(fitted) <= max, `${utf8Bytes(fitted)} > ${max}`);
          if (utf8Bytes(text) <= max) return fitted === text;
          // A prefix of whole characters of the original, then the mark.
          assert.ok(fitted.endsWith(TRUNCATION_MARK));
          const kept = fitted.slice(0, -TRUNCATION_MARK.length);
          assert.ok(text.startsWith(kept));
          assert.equal(Buffer.from(kept, 'utf8').toString('utf8'), kept);
          // and the longest such prefix: one more character would not fit
          const next = [...text.slice(kept.length)][0] ?? '';
          return utf8Bytes(kept + next) + utf8Bytes(TRUNCATION_MARK) > max;
        },
      ),
    );
  });

  it('gives every string column of every warehouse table a byte size, the one its DDL declares', () => {
    for (const table of WAREHOUSE_TABLES) {
      for (const column of table.columns.filter((c) => c.type === 'string')) {
        assert.ok(column.maxBytes, `${table.name}.${column.name} has maxBytes`);
        assert.equal(ddlBytes(table.name, column.name), column.maxBytes, `${table.name}.${column.name}`);
      }
    }
    assert.throws(
      () =>
        fitStringColumns(
          { ...(WAREHOUSE_TABLES[0] as TableSpec), columns: [{ name: 'x', type: 'string', source: 's' }] },
          { x: 'y' },
        ),
      /string column without maxBytes/,
    );
  });

  it('writes a 2,000-character Korean congestion message cut to its column, and flags the record', async () => {
    const dir = await lake();
    const message = '사람이 몰려 매우 붐빕니다. '.repeat(200).slice(0, 2000);
    assert.equal(message.length, 2000);
    const record = { ...sampleRecord(SAMPLES.yeouido), AREA_CONGEST_MSG: message };
    const event = encodeMskEvent(
      sourceRecords([envelopeFor(record, { collectedAt: '2026-07-16T14:20:00Z' })]),
      {
        eventSourceArn: 'arn:aws:kafka:ap-northeast-2:123456789012:cluster/c/1',
      },
    );
    const metrics = new MemoryMetrics();
    const log = new MemoryLog();
    await writeMskBatch(JSON.parse(JSON.stringify(event)), {
      store: new LocalFolderStore(dir),
      catalog: NO_CATALOG,
      log,
      metrics,
      now: () => new Date('2026-07-16T14:40:00Z'),
    });
    // Read back by DuckDB, an independent reader, and held against the DDL's size.
    const [row] = await readParquet(join(dir, 'population/**/*.parquet'));
    const stored = String(row?.area_congest_message);
    const limit = ddlBytes('population', 'area_congest_message');
    assert.ok(utf8Bytes(message) > limit, 'the message really is too long: 6,000 bytes or so');
    assert.ok(utf8Bytes(stored) <= limit, `${utf8Bytes(stored)} bytes in VARCHAR(${limit})`);
    assert.ok(utf8Bytes(stored) > limit - 6, 'cut no shorter than needed');
    assert.ok(stored.endsWith(TRUNCATION_MARK));
    assert.ok(message.startsWith(stored.slice(0, -1)));
    assert.equal(metrics.value(METRIC.recordsFlagged), 1);
    assert.match(
      log.text(),
      /AREA_CONGEST_MSG is \d+ bytes in UTF-8, more than its column holds \(VARCHAR\(1024\)\)/,
    );
    // Every other string of every row written fits its column too.
    for (const table of ['population', 'population_forecast']) {
      for (const written of await readParquet(join(dir, `${table}/**/*.parquet`))) {
        for (const [column, value] of Object.entries(written)) {
          if (typeof value === 'string')
            assert.ok(utf8Bytes(value) <= ddlBytes(table, column), `${table}.${column}`);
        }
      }
    }
  });

  it('writes a 5,000-byte failure reason cut to its column', async () => {
    const dir = await lake();
    const reason = `ERROR-500 서버 오류: ${'응답이 너무 깁니다 '.repeat(400)}`.slice(0, 2400);
    assert.ok(utf8Bytes(reason) >= 5000, String(utf8Bytes(reason)));
    await writeRunOutcomes(
      {
        runId: '20260716T1420Z-abcdef',
        collectedAt: new Date('2026-07-16T14:20:00Z'),
        envelopes: [],
        outcomes: [
          { code: 'POI072', status: 'failed', reason, attempts: 4, durationMs: 9000 },
          { code: 'POI001', status: 'ok', attempts: 1, durationMs: 120 },
        ],
        durationMs: 9100,
      },
      new LocalFolderStore(dir),
    );
    const rows = await readParquet(join(dir, 'collection_outcomes/**/*.parquet'));
    const failed = rows.find((r) => r.status === 'failed');
    const limit = ddlBytes('collection_outcomes', 'reason');
    assert.ok(utf8Bytes(String(failed?.reason)) <= limit, `${utf8Bytes(String(failed?.reason))} > ${limit}`);
    assert.ok(String(failed?.reason).endsWith(TRUNCATION_MARK));
    assert.ok(reason.startsWith(String(failed?.reason).slice(0, -1)));
    assert.equal(rows.find((r) => r.status === 'ok')?.reason, null);
  });
});
