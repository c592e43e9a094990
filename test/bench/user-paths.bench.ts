/**
 * The paths a person takes, timed as they take them: `npm run demo -- --days 30` and `--days 90`
 * (history, then the report), `npm run report` on the 90-day lake from cold (no analysis
 * database yet), then every analysis view read whole — every column of every row — from the
 * report's analysis database and through `npm run query` (which reads the lake in place). Each
 * command runs in a process of its own (`bin/cli.ts`, as the npm script runs it), so its peak
 * memory is its own. The reference, measured in the same run: DuckDB (its external file cache off,
 * as in the analysis database) reading every column of every row of the same Parquet files.
 * Prints figures and ratios; nothing passes or fails on time.
 *
 *   npm run bench -- user-paths        USER_PATHS_DAYS=7,14 for other histories (the last one is
 *                                      the lake of the cold report and the views)
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYSIS_FOLDER } from '../../lambdas/cli/analysis/local-warehouse.js';
import { ANALYSIS_VIEWS } from '../../lambdas/cli/analysis/views.js';
import { everyColumnOfEveryRow } from './every-row.js';
import { type Measured, measureCli } from './measured-command.js';
import { figure, heading, mib, ratio, seconds } from './report.js';

const COLD_TARGET_S = 60;
const RSS_TARGET = 1.5 * 1024 ** 3;

const within = (value: number, target: number) => (value < target ? 'under' : 'OVER');

function describe(run: Measured, reference?: number): string {
  const times = reference ? `, ${ratio(run.seconds / reference)} the reference` : '';
  return `exit ${run.status}, ${seconds(run.seconds * 1000)}${times}, CPU ${run.cpuSeconds.toFixed(1)} s, peak ${mib(run.maxRssBytes)}`;
}

/** DuckDB reading every column of every row of the lake's Parquet, in a process of its own. */
function parquetReference(lake: string): { tables: Record<string, { seconds: number; rows: number }> } & {
  maxRssBytes: number;
  cpuSeconds: number;
} {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'views-step.ts'), 'parquet', lake],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`views-step parquet failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
}

function viewsOverAnalysisDatabase(lake: string) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'views-step.ts'), 'views', lake],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`views-step views failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as {
    views: Record<string, { seconds: number; rows: number }>;
    maxRssBytes: number;
    cpuSeconds: number;
  };
}

export async function benchUserPaths(): Promise<void> {
  const histories = (process.env.USER_PATHS_DAYS ?? '30,90').split(',').map(Number);
  const folder = mkdtempSync(join(tmpdir(), 'user-paths-'));
  heading(`user paths: demo --days ${histories.join(' and ')}, a cold report, every view read whole`);
  figure(
    'load average at the start (1, 5, 15 min)',
    loadavg()
      .map((l) => l.toFixed(1))
      .join(', '),
  );
  try {
    let lake = '';
    for (const days of histories) {
      lake = join(folder, `demo-${days}`);
      const demo = measureCli(['demo', '--days', String(days), '--lake', lake]);
      const summary = /\d+ of \d+ runs written in [\d.]+ s/.exec(demo.stdout)?.[0] ?? 'no summary';
      figure(`npm run demo -- --days ${days}`, describe(demo));
      figure('  its summary; report written', `${summary}; ${/^report: /m.test(demo.stdout) ? 'yes' : 'NO'}`);
      if (demo.status !== 0) process.stdout.write(demo.stderr);
    }

    const reference = parquetReference(lake);
    const referenceSeconds = Object.values(reference.tables).reduce((total, t) => total + t.seconds, 0);
    for (const [table, { seconds: s, rows }] of Object.entries(reference.tables))
      figure(
        `reference: DuckDB reads every column of ${table}`,
        `${seconds(s * 1000)} (${rows.toLocaleString('en-US')} rows)`,
      );
    figure(
      'reference: the three tables',
      `${seconds(referenceSeconds * 1000)}, CPU ${reference.cpuSeconds.toFixed(1)} s, peak ${mib(reference.maxRssBytes)}`,
    );

    rmSync(join(lake, ANALYSIS_FOLDER), { recursive: true, force: true });
    const cold = measureCli(['report', '--lake', lake]);
    figure(`npm run report, cold, ${histories.at(-1)} days`, describe(cold, referenceSeconds));
    figure(
      '  targets',
      `< ${COLD_TARGET_S} s: ${within(cold.seconds, COLD_TARGET_S)}; < ${mib(RSS_TARGET)}: ${within(cold.maxRssBytes, RSS_TARGET)}`,
    );
    if (cold.status !== 0) process.stdout.write(cold.stderr);

    const local = viewsOverAnalysisDatabase(lake);
    figure(
      'every view, every column of every row, from the analysis database',
      `CPU ${local.cpuSeconds.toFixed(1)} s, peak ${mib(local.maxRssBytes)} (all views, one process)`,
    );
    for (const view of ANALYSIS_VIEWS) {
      const inDatabase = local.views[view] as { seconds: number; rows: number };
      const query = measureCli(['query', everyColumnOfEveryRow(view), '--lake', lake, '--format', 'csv']);
      figure(
        `  ${view}`,
        `${inDatabase.rows.toLocaleString('en-US')} rows: analysis database ${seconds(inDatabase.seconds * 1000)} (${ratio(inDatabase.seconds / referenceSeconds)} the reference); ` +
          `npm run query ${seconds(query.seconds * 1000)} (${ratio(query.seconds / referenceSeconds)}), exit ${query.status}, peak ${mib(query.maxRssBytes)}`,
      );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
