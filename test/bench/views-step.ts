/**
 * One step of the views and user-path benchmarks, run in a process of its own so that its peak
 * memory (process RSS, `getrusage`) is its own: prints one JSON line with the step's figures,
 * `maxRssBytes` and `cpuSeconds`.
 *
 *   tsx test/bench/views-step.ts generate <lake> <days> [<first day>]
 *   tsx test/bench/views-step.ts catch-up <lake>
 *   tsx test/bench/views-step.ts views <lake>      every view over the analysis database, every column of every row
 *   tsx test/bench/views-step.ts parquet <lake>    DuckDB reading every column of every row of the lake's Parquet
 *   tsx test/bench/views-step.ts report <lake> <out>
 */

import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { catchUpWithLake, openLocalWarehouse } from '../../lambdas/cli/analysis/local-warehouse.js';
import { ANALYSIS_VIEWS, applyViews } from '../../lambdas/cli/analysis/views.js';
import { writeReport } from '../../lambdas/cli/report/build-report.js';
import { readRows } from '../../lambdas/cli/report/rows.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { generateYear } from './bench-year.js';
import { everyColumnOfEveryRow } from './every-row.js';

const [step, lake, ...rest] = process.argv.slice(2);
if (!step || !lake) throw new Error('usage: views-step.ts generate|catch-up|views|parquet|report <lake> …');
const started = performance.now();
const seconds = () => (performance.now() - started) / 1000;
let figures: Record<string, unknown>;

/** Seconds and rows of each query, read back whole. */
async function timedQueries(
  run: (sql: string) => Promise<Record<string, unknown>[]>,
  sqls: Record<string, string>,
): Promise<Record<string, { seconds: number; rows: number }>> {
  const out: Record<string, { seconds: number; rows: number }> = {};
  for (const [name, sql] of Object.entries(sqls)) {
    const at = performance.now();
    const [row] = await run(sql);
    out[name] = { seconds: (performance.now() - at) / 1000, rows: Number(row?.n) };
  }
  return out;
}

if (step === 'generate') {
  const counts = await generateYear(lake, Number(rest[0]), { firstDay: Number(rest[1] ?? 0) });
  figures = { ...counts, seconds: seconds() };
} else if (step === 'catch-up') {
  const { connection, close } = await openLocalWarehouse(lake);
  try {
    figures = { ...(await catchUpWithLake(connection, lake)) };
  } finally {
    close();
  }
} else if (step === 'views') {
  const { connection, close } = await openLocalWarehouse(lake);
  try {
    await applyViews(connection);
    const sqls = Object.fromEntries(ANALYSIS_VIEWS.map((view) => [view, everyColumnOfEveryRow(view)]));
    figures = { views: await timedQueries((sql) => readRows(connection, sql), sqls) };
  } finally {
    close();
  }
} else if (step === 'parquet') {
  // The reference: DuckDB as it comes (in memory, its default settings) reading the lake's files,
  // but for its external file cache, which keeps the bytes of every file read: over a year's
  // 79,000 files that passed 6 GB and the memory guard killed the step (measured on 92 days of
  // the population table: 1,441 MiB and 6.5 s with the cache, 152 MiB and 4.5 s without). The
  // analysis database turns it off too (local-warehouse.ts), so both read the files alike.
  const instance = await DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false' });
  const connection = await instance.connect();
  try {
    const sqls = Object.fromEntries(
      TABLES.map((table) => [
        table.name,
        everyColumnOfEveryRow(
          `read_parquet('${join(lake, table.name).replace(/'/g, "''")}/**/*.parquet', hive_partitioning = false)`,
        ),
      ]),
    );
    figures = { tables: await timedQueries((sql) => readRows(connection, sql), sqls) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
} else if (step === 'report') {
  const written = await writeReport(lake, rest[0]);
  figures = { bytes: written.bytes, seconds: seconds() };
} else {
  throw new Error(`unknown step ${step}`);
}
const usage = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({
    ...figures,
    maxRssBytes: usage.maxRSS * 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  })}\n`,
);
