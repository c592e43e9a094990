/**
 * One step of the views benchmark, run in a process of its own so that its peak memory (process
 * RSS, `getrusage`) is its own: prints one JSON line with the step's figures and `maxRssBytes`.
 *
 *   tsx test/bench/views-step.ts generate <lake> <days> [<first day>]
 *   tsx test/bench/views-step.ts catch-up <lake>
 *   tsx test/bench/views-step.ts views <lake>
 *   tsx test/bench/views-step.ts report <lake> <out>
 */

import { catchUpWithLake, openLocalWarehouse } from '../../lambdas/cli/analysis/local-warehouse.js';
import { ANALYSIS_VIEWS, applyViews } from '../../lambdas/cli/analysis/views.js';
import { writeReport } from '../../lambdas/cli/report/build-report.js';
import { readRows } from '../../lambdas/cli/report/rows.js';
import { generateYear } from './bench-year.js';

const [step, lake, ...rest] = process.argv.slice(2);
if (!step || !lake) throw new Error('usage: views-step.ts generate|catch-up|views|report <lake> …');
const started = performance.now();
const seconds = () => (performance.now() - started) / 1000;
let figures: Record<string, unknown>;

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
    const views: Record<string, { seconds: number; rows: number }> = {};
    for (const view of ANALYSIS_VIEWS) {
      const at = performance.now();
      // Every row of the view, read back: what a chart or Query Editor asks for, not a bare count.
      const rows = await readRows(connection, `SELECT count(*) AS n FROM (SELECT * FROM ${view}) AS v`);
      views[view] = { seconds: (performance.now() - at) / 1000, rows: Number(rows[0]?.n) };
    }
    figures = { views };
  } finally {
    close();
  }
} else if (step === 'report') {
  const written = await writeReport(lake, rest[0]);
  figures = { bytes: written.bytes, seconds: seconds() };
} else {
  throw new Error(`unknown step ${step}`);
}
process.stdout.write(
  `${JSON.stringify({ ...figures, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
