import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { ConfigError, describeError } from '../../core/errors.js';
import { formatKstDateTime } from '../../core/kst-time.js';
import { LAKE_AREAS } from '../../core/lake/partitions.js';
import { TABLES } from '../../core/schema.js';
import { openLake } from '../analysis/duckdb-lake.js';
import { ANALYSIS_VIEWS, applyViews } from '../analysis/views.js';
import { type CommandIo, EXIT, failure } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import { SIMULATED_MARKER } from '../pipeline/lake-guard.js';
import { formatTextTable } from '../text-table.js';

export const QUERY_USAGE = `Usage: npm run query -- "<sql>" [--lake DIR]

Runs SQL with DuckDB over a lake folder and prints the result as a table. Timestamps print in
Korea Standard Time with the zone shown (2026-11-25 22:02:00 KST); the lake stores them in UTC.
  --lake DIR   lake folder (default: LAKE_DIR or ./lake; the demo's is ./demo-lake)
  -h, --help   this text

Tables (the warehouse's names): ${TABLES.map((t) => t.name).join(', ')}
Views (the same sql/ files as the report and Redshift): ${ANALYSIS_VIEWS.join(', ')}

Example: npm run query -- "SELECT * FROM v_resident_share LIMIT 5" --lake demo-lake`;

/**
 * Why `folder` cannot be queried as a lake, or undefined when it can. A mistyped path must be an
 * error, not an empty result that looks like "no data yet".
 */
export function whyNotALake(folder: string): string | undefined {
  if (!existsSync(folder)) return `lake folder ${folder} does not exist`;
  if (!statSync(folder).isDirectory()) return `${folder} is not a folder`;
  const entries = new Set(readdirSync(folder));
  if (!LAKE_AREAS.some((area) => entries.has(area)) && !entries.has(SIMULATED_MARKER))
    return `${folder} holds no lake: none of ${LAKE_AREAS.map((area) => `${area}/`).join(', ')} is in it`;
  return undefined;
}

const TIMESTAMP_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

/**
 * A DuckDB timestamp as printed by `getRowsJson` (UTC: the lake's timestamps are UTC instants and
 * the session's zone is UTC) shown in KST: `2026-11-25 13:02:03.25` → `2026-11-25 22:02:03 KST`.
 */
export function utcTextToKst(text: string): string {
  const [, date, time, offset] =
    /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}(?::?\d{2})?)?$/.exec(text) ?? [];
  if (!date || !time) return text;
  const zone = offset ? (offset.length === 3 ? `${offset}:00` : offset) : 'Z';
  const instant = Date.parse(`${date}T${time}${zone}`);
  if (Number.isNaN(instant)) return text;
  return `${formatKstDateTime(new Date(instant))} KST`;
}

function inKst(types: readonly DuckDBType[], rows: unknown[][]): unknown[][] {
  const timestampColumns = types.map((type) => TIMESTAMP_TYPES.has(type.typeId));
  return rows.map((row) =>
    row.map((value, i) => (timestampColumns[i] && typeof value === 'string' ? utcTextToKst(value) : value)),
  );
}

/** `npm run query -- "<sql>" [--lake DIR]`: SQL over the lake and the analysis views, with DuckDB. */
export async function queryCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  let sql: string;
  let lake: string;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { lake: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
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
  } catch (error) {
    return failure(error instanceof ConfigError ? error : new ConfigError((error as Error).message), io);
  }
  const notALake = whyNotALake(lake);
  if (notALake) {
    io.err(`error: ${notALake} (choose one with --lake DIR or LAKE_DIR; npm run demo writes ./demo-lake)`);
    return EXIT.runFailed;
  }
  const opened = await openLake(lake);
  try {
    await applyViews(opened.connection);
  } catch (error) {
    opened.close();
    io.err(`error: could not create the views over ${lake}: ${describeError(error)}`);
    return EXIT.runFailed;
  }
  try {
    const reader = await opened.connection.runAndReadAll(sql);
    io.out(formatTextTable(reader.columnNames(), inKst(reader.columnTypes(), reader.getRowsJson())));
    return EXIT.ok;
  } catch (error) {
    io.err(`query failed: ${(error as Error).message}`);
    return EXIT.runFailed;
  } finally {
    opened.close();
  }
}
