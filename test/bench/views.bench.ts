/**
 * Views benchmark: every analysis view of sql/ and the whole HTML report over one simulated year
 * on DuckDB — 72 runs a day × 121 places ≈ 3.1 million population rows, 12 forecast rows each
 * (≈ 37 million) and an outcome row per place and run — laid out exactly like the lake (one
 * Parquet file per table and minute partition). Each step runs in a process of its own, so the
 * peak memory printed (process RSS) is that step's. Prints figures only; nothing passes or fails.
 *
 *   npx tsx test/bench/views.bench.ts [--days 365] [--keep] [--lake DIR (reuse a kept lake)]
 *
 * Steps: generate the year (day by day); the reference, DuckDB reading every column of every row
 * of the year's Parquet; `npm run report` from a cold lake (no analysis database: it loads the
 * year first); each view read whole (every column of every row) from the analysis database; one
 * more day of runs and the report again, which loads that day and answers every question.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ANALYSIS_FOLDER } from '../../lambdas/cli/analysis/local-warehouse.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { RUNS_PER_DAY } from './bench-year.js';
import { measureCli } from './measured-command.js';
import { figure, heading, mib, ratio, seconds } from './report.js';

/** Targets of the issue, printed next to the figures (nothing fails on them). */
const VIEW_TARGET_S = 2;
const REPORT_TARGET_S = 10;
const COLD_TARGET_S = 60;
const REPORT_TARGET_RSS = 1.5 * 1024 ** 3;
const REPORT_TARGET_BYTES = 5 * 1024 ** 2;
const GENERATE_TARGET_RSS = 4 * 1024 ** 3;

interface StepResult {
  readonly maxRssBytes: number;
  readonly [figure: string]: unknown;
}

/** Runs one step in a child process (tsx), returns its JSON line. */
function step(...args: string[]): StepResult {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'views-step.ts'), ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1024 * 1024,
    },
  );
  if (child.status !== 0) throw new Error(`views-step ${args[0]} failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
}

/** KST days the lake's population folder holds (generated from day 0 on, one after the other). */
function daysIn(lake: string): number {
  const root = join(lake, 'population');
  return readdirSync(root)
    .flatMap((year) => readdirSync(join(root, year)).map((month) => join(root, year, month)))
    .reduce((total, month) => total + readdirSync(month).length, 0);
}

const within = (value: number, target: number) => (value < target ? 'under' : 'OVER');

export async function benchViews(
  options: { days?: number; keep?: boolean; lake?: string } = {},
): Promise<void> {
  const days = options.days ?? 365;
  const lake = options.lake ?? mkdtempSync(join(tmpdir(), 'views-bench-'));
  heading(
    `Analysis views and report on DuckDB, ${options.lake ? `lake ${lake}` : `${days} simulated day(s)`}`,
  );
  try {
    if (!options.lake || !existsSync(join(lake, 'population'))) {
      const generated = step('generate', lake, String(days));
      figure('runs × places', `${Number(generated.runs).toLocaleString('en-US')} × ${ALL_PLACES.length}`);
      figure('population rows', Number(generated.population).toLocaleString('en-US'));
      figure('population_forecast rows', Number(generated.forecasts).toLocaleString('en-US'));
      figure('collection_outcomes rows', Number(generated.outcomes).toLocaleString('en-US'));
      figure(
        'generate the year, day by day (DuckDB → Parquet)',
        `${seconds(Number(generated.seconds) * 1000)}, peak ${mib(generated.maxRssBytes)} (target < ${mib(GENERATE_TARGET_RSS)}: ${within(generated.maxRssBytes, GENERATE_TARGET_RSS)})`,
      );
    }
    const parquet = step('parquet', lake).tables as Record<string, { seconds: number; rows: number }>;
    const reference = Object.values(parquet).reduce((total, t) => total + t.seconds, 0);
    for (const [table, { seconds: s, rows }] of Object.entries(parquet))
      figure(
        `reference: DuckDB reads every column of ${table}`,
        `${seconds(s * 1000)} (${rows.toLocaleString('en-US')} rows)`,
      );
    figure('reference: the three tables', seconds(reference * 1000));

    // The report from a cold lake: no analysis database yet, so it loads the whole year first.
    rmSync(join(lake, ANALYSIS_FOLDER), { recursive: true, force: true });
    const cold = measureCli(['report', '--lake', lake]);
    figure(
      'npm run report, cold (loads the year, then answers)',
      `exit ${cold.status}, ${seconds(cold.seconds * 1000)} (${ratio(cold.seconds / reference)} the reference; target < ${COLD_TARGET_S} s: ${within(cold.seconds, COLD_TARGET_S)}), CPU ${cold.cpuSeconds.toFixed(1)} s`,
    );
    figure(
      'its peak memory (process RSS)',
      `${mib(cold.maxRssBytes)} (target < ${mib(REPORT_TARGET_RSS)}: ${within(cold.maxRssBytes, REPORT_TARGET_RSS)})`,
    );

    const views = step('views', lake).views as Record<string, { seconds: number; rows: number }>;
    for (const [view, { seconds: s, rows }] of Object.entries(views)) {
      figure(
        `view ${view}, every column of every row`,
        `${seconds(s * 1000)}  (${rows.toLocaleString('en-US')} rows; ${ratio(s / reference)} the reference; target < ${VIEW_TARGET_S} s: ${within(s, VIEW_TARGET_S)})`,
      );
    }

    // One more day of runs after the year, as a collector running on would have added.
    const nextDay = daysIn(lake);
    step('generate', lake, '1', String(nextDay));
    const report = step('report', lake, join(lake, 'report.html'));
    const reportSeconds = Number(report.seconds);
    figure(
      `report build (loads the new day: ${RUNS_PER_DAY} runs)`,
      `${seconds(reportSeconds * 1000)} (target < ${REPORT_TARGET_S} s: ${within(reportSeconds, REPORT_TARGET_S)})`,
    );
    figure(
      'report peak memory (process RSS)',
      `${mib(report.maxRssBytes)} (target < ${mib(REPORT_TARGET_RSS)}: ${within(report.maxRssBytes, REPORT_TARGET_RSS)})`,
    );
    figure(
      'report size',
      `${mib(Number(report.bytes))} (target < ${mib(REPORT_TARGET_BYTES)}: ${within(Number(report.bytes), REPORT_TARGET_BYTES)})`,
    );
  } finally {
    if (options.keep || options.lake) figure('lake kept at', lake);
    else rmSync(lake, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { days: { type: 'string' }, keep: { type: 'boolean' }, lake: { type: 'string' } },
  });
  await benchViews({
    days: values.days ? Number(values.days) : 365,
    keep: values.keep ?? false,
    ...(values.lake ? { lake: values.lake } : {}),
  });
}
