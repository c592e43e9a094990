import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../../core/errors.js';
import { runIntervalFromEnv } from '../../core/settings.js';
import { type CommandIo, EXIT } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import { whyNotALake } from '../lake-folder.js';
import { defaultReportPath, writeReport } from '../report/build-report.js';

const USAGE = `Usage: npm run report -- [--lake DIR] [--out FILE]
  --lake DIR   lake folder to report on (default: LAKE_DIR or ./lake)
  --out FILE   where to write the HTML page (default: DIR/report.html)`;

/**
 * `npm run report`: one self-contained HTML page with a chart per analysis view, built from the
 * lake with DuckDB and the very same `sql/` views the warehouse runs. Prints the file's path.
 */
export async function reportCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  let lake: string;
  let out: string;
  let runIntervalMinutes: number;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { lake: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    lake = values.lake ?? defaultLakeDir(env);
    out = values.out ?? defaultReportPath(lake);
    runIntervalMinutes = runIntervalFromEnv(env);
  } catch (error) {
    io.err(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const notALake = whyNotALake(resolve(lake));
  if (notALake) {
    io.err(`error: ${notALake}`);
    return EXIT.runFailed;
  }
  try {
    const written = await writeReport(lake, out, runIntervalMinutes);
    if (!written.hasData) io.err('the lake holds no run yet: the report says how to collect some');
    io.out(written.path);
    return 0;
  } catch (error) {
    io.err(`report failed: ${describeError(error)}`);
    return 1;
  }
}

/**
 * Writes the report after a demo run and says where it is. Returns whether it was written: a demo
 * whose report could not be written must not exit 0 (the report is what the demo is for).
 */
export async function reportAfterDemo(
  lake: string,
  io: CommandIo,
  runIntervalMinutes: number,
): Promise<boolean> {
  try {
    const written = await writeReport(lake, undefined, runIntervalMinutes);
    io.out(`report: ${written.path}`);
    return true;
  } catch (error) {
    io.err(`error: could not write the report: ${describeError(error)}`);
    return false;
  }
}
