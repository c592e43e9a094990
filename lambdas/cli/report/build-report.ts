import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { activePlaces, readCatalogue } from '../../core/place-catalogue.js';
import { SETTINGS } from '../../core/settings.js';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import { catchUpWithLake, openLocalWarehouse } from '../analysis/local-warehouse.js';
import { applyViews } from '../analysis/views.js';
import { hasSimulatedFaults, isSimulatedLake } from '../lake-folder.js';
import { renderReport } from './html.js';
import { type ReportData, readReportData } from './report-data.js';

export interface BuiltReport {
  readonly html: string;
  /** Undefined when the lake holds no run yet (the page then says how to collect some). */
  readonly data?: ReportData;
  /**
   * Seconds spent opening the analysis database and loading what the lake got since (`open`,
   * of which `catchUp`), querying the views, and rendering.
   */
  readonly seconds: {
    readonly open: number;
    readonly catchUp: number;
    readonly query: number;
    readonly render: number;
  };
}

/**
 * Builds the report of a lake folder: brings the lake's analysis database up to date with the
 * loader's merge (`local-warehouse.ts`), creates the analysis views from `sql/`, reads what each
 * chart needs from the views, and renders one self-contained HTML page.
 */
export async function buildReport(
  lake: string,
  options: { now?: Date; sqlDir?: string; runIntervalMinutes?: number } = {},
): Promise<BuiltReport> {
  const folder = resolve(lake);
  const runIntervalMinutes = options.runIntervalMinutes ?? SETTINGS.runIntervalMinutes.default;
  const started = performance.now();
  const { connection, close } = await openLocalWarehouse(folder);
  try {
    const caughtUp = await catchUpWithLake(connection, folder);
    await applyViews(connection, options.sqlDir, runIntervalMinutes);
    const opened = performance.now();
    // A catalogue that cannot be read leaves the report as it was (check names the problem).
    const catalogue = existsSync(folder)
      ? await readCatalogue(new LocalFolderStore(folder)).catch(() => undefined)
      : undefined;
    const data = {
      ...(await readReportData(connection)),
      ...(catalogue?.origin === 'lake' ? { cataloguePlaces: activePlaces(catalogue.catalogue) } : {}),
    };
    const queried = performance.now();
    const hasRuns = Number(data.summary.runs ?? 0) > 0;
    const html = renderReport({
      lake: folder,
      simulated: isSimulatedLake(folder),
      simulatedFaults: hasSimulatedFaults(folder),
      generatedAt: options.now ?? new Date(),
      runIntervalMinutes,
      ...(hasRuns ? { data } : {}),
    });
    const rendered = performance.now();
    return {
      html,
      ...(hasRuns ? { data } : {}),
      seconds: {
        open: (opened - started) / 1000,
        catchUp: caughtUp.seconds,
        query: (queried - opened) / 1000,
        render: (rendered - queried) / 1000,
      },
    };
  } finally {
    close();
  }
}

/** Where the report goes unless `--out` says otherwise: into the lake folder it describes. */
export function defaultReportPath(lake: string): string {
  return join(resolve(lake), 'report.html');
}

/** Builds the report and writes it; returns the absolute path written and whether it had data. */
export async function writeReport(
  lake: string,
  out = defaultReportPath(lake),
  runIntervalMinutes: number = SETTINGS.runIntervalMinutes.default,
): Promise<{ path: string; hasData: boolean; bytes: number }> {
  const report = await buildReport(lake, { runIntervalMinutes });
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  await writeAtomically(path, report.html);
  return { path, hasData: report.data !== undefined, bytes: Buffer.byteLength(report.html) };
}

/**
 * Writes a file so that whoever opens it sees the old page or the new one, never half of one: the
 * text goes to a temporary file beside it, which is then renamed over it (a rename within a
 * folder replaces the name in one step). The temporary file is removed if anything fails.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
