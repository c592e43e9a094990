import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, describeError } from '../../core/errors.js';
import { runIntervalFromEnv } from '../../core/settings.js';
import { TABLES } from '../../core/tables.js';
import { openLake } from '../analysis/duckdb-lake.js';
import { ANALYSIS_VIEWS, applyViews } from '../analysis/views.js';
import { type CommandIo, EXIT, failure } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import { whyNotALake } from '../lake-folder.js';
import { type Cell, cellsOf } from '../query-output/cells.js';
import {
  QUERY_FORMATS,
  type QueryFormat,
  renderCsv,
  renderJsonLines,
  renderTable,
  repeatedNames,
} from '../query-output/formats.js';

export const QUERY_USAGE = `Usage: npm run query -- "<sql>" [--lake DIR] [--format table|csv|json]

Runs SQL with DuckDB over a lake folder: the warehouse's tables and analysis views.
  --lake DIR       lake folder (default: LAKE_DIR or ./lake; the demo's is ./demo-lake)
  --format FORMAT  table (default: for a person), csv (a header row, then RFC 4180 records) or
                   json (JSON Lines: one object per row). For csv and json write npm run -s:
                   without -s npm prints its own lines on stdout before the result.
  -h, --help       this text

Times are Korean time (KST, UTC+9 all year), the clock of the API's PPLTN_TIME and FCST_TIME:
  - Stored instants (collected_at, fetched_at, population_time, forecast_time) are UTC in the
    lake; query prints them in KST with the zone: 2026-12-02 22:35:00 KST in a table,
    2026-12-02T22:35:00+09:00 in csv and json.
  - Columns named …_kst (collected_at_kst, population_time_kst, …) already hold Korean wall time;
    they print the same way and are never converted twice. kst_date and kst_hour are KST too.
  - Filter by Korean time on a …_kst column:
      WHERE collected_at_kst >= '2026-12-01 18:00' AND collected_at_kst < '2026-12-01 21:00'
    A stored column compares in UTC: collected_at >= '2026-12-01 18:00' means 03:00 KST on the
    2nd. On a table, filter on collected_at + INTERVAL '9 hours' (and name it …_kst to select it).

Tables (the warehouse's names): ${TABLES.map((t) => t.name).join(', ')}
Views (the same sql/ files as the report and Redshift): ${ANALYSIS_VIEWS.join(', ')}

Examples:
  npm run query -- "SELECT * FROM v_resident_share LIMIT 5" --lake demo-lake
  npm run -s query -- "SELECT area_name, collected_at_kst, congestion_level
    FROM v_congestion_over_time WHERE kst_hour = 18" --lake demo-lake --format csv > evening.csv`;

/** The result in the format asked for; undefined when there is nothing to print (JSON Lines, no rows). */
function render(format: QueryFormat, columns: readonly string[], rows: Cell[][]): string | undefined {
  if (format === 'csv') return renderCsv(columns, rows);
  if (format === 'json') return renderJsonLines(columns, rows);
  return renderTable(columns, rows);
}

/** `npm run query -- "<sql>" [--lake DIR] [--format …]`: SQL over the lake and the views, with DuckDB. */
export async function queryCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  let sql: string;
  let lake: string;
  let format: QueryFormat;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        lake: { type: 'string' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(QUERY_USAGE);
      return EXIT.ok;
    }
    sql = positionals.join(' ').trim();
    if (sql === '') throw new ConfigError(`no SQL given\n\n${QUERY_USAGE}`);
    lake = resolve(values.lake ?? defaultLakeDir(env));
    if (!(QUERY_FORMATS as readonly string[]).includes(values.format))
      throw new ConfigError(`--format ${values.format} is not one of ${QUERY_FORMATS.join(', ')}`);
    format = values.format as QueryFormat;
  } catch (error) {
    return failure(error instanceof ConfigError ? error : new ConfigError((error as Error).message), io);
  }
  const notALake = whyNotALake(lake);
  if (notALake) {
    io.err(`error: ${notALake}`);
    return EXIT.runFailed;
  }
  const opened = await openLake(lake);
  try {
    await applyViews(opened.connection, undefined, runIntervalFromEnv(env));
  } catch (error) {
    opened.close();
    io.err(`error: could not create the views over ${lake}: ${describeError(error)}`);
    return EXIT.runFailed;
  }
  try {
    const reader = await opened.connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    const repeated = repeatedNames(columns);
    if (format === 'json' && repeated.length > 0) {
      io.err(`error: column ${repeated.join(', ')} appears twice: name each column (AS …) for --format json`);
      return EXIT.runFailed;
    }
    const text = render(format, columns, cellsOf(columns, reader.columnTypes(), reader.getRowsJson()));
    if (text !== undefined) io.out(text);
    return EXIT.ok;
  } catch (error) {
    io.err(`query failed: ${(error as Error).message}`);
    return EXIT.runFailed;
  } finally {
    opened.close();
  }
}
