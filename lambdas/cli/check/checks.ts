import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { answerTable } from '../../core/datasets/dataset.js';
import { ANSWER_TIME_LEAD_MS, API_FIRST_DAY } from '../../core/datasets/field-reader.js';
import { DATASETS } from '../../core/datasets/registry.js';
import { describeError } from '../../core/errors.js';
import { formatKstWallClock, kstWallClockSql } from '../../core/kst-time.js';
import { parsePartitionPath, partitionPath, partitionValuesFor } from '../../core/lake/partitions.js';
import { CATALOGUE_AREA, CATALOGUE_KEY, readCatalogue } from '../../core/place-catalogue.js';
import { type ColumnSpec, duckdbType, type TableSpec } from '../../core/schema.js';
import type { ForeignEntry } from '../../core/storage/lake-keys.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { DATASET_TABLES, LAKE_AREAS, TABLES } from '../../core/tables.js';
import { versionOfFile } from '../../core/warehouse/file-versions.js';
import { JOURNAL } from '../../core/warehouse/migrations/history.js';
import { fileVersions } from '../../core/warehouse/migrations/journal.js';
import { WAREHOUSE_FILE } from '../analysis/local-warehouse.js';
import { LAKE_LOCK, PENDING_RUNS } from '../lake-files.js';
import { describeHolder, type LockHolder } from '../pipeline/lake-lock.js';
import type { UnreadableLine } from '../replay/archive-lines.js';
import { RAW_SUFFIX, readRawKey } from '../replay/raw-archive.js';
import { readRejectedKey } from '../replay/rejected-archive.js';
import type { FieldSightings } from './field-sightings.js';
import type { Finding, Problem } from './problems.js';

export interface CheckSettings {
  /** `collected_at − population_time` beyond this is stale. */
  readonly staleMinutes: number;
  /** Temporary files older than this are leftovers `--fix` may remove (younger ones may be in use). */
  readonly leftoverAgeMs: number;
  /** The cadence the lake was written at (`RUN_INTERVAL_MINUTES`): a slot with no run is missing. */
  readonly runIntervalMinutes: number;
}

/** The lake as the checks see it: the keys, and DuckDB over a folder holding the readable files. */
export interface CheckContext {
  readonly connection: DuckDBConnection;
  /** Fields of the archived answers no table holds, gathered while raw/ is read (check's report lists them). */
  readonly sightings?: FieldSightings;
  readonly folder: string;
  /** The same folder as a store: files are read through it, never through a link. */
  readonly files: ObjectStore;
  readonly keys: readonly string[];
  /** Folders of a local lake (S3 has none), for the layout check. */
  readonly folders: readonly string[];
  /** Links, pipes, folders named like files, unsafe keys: never read, reported. */
  readonly foreign: readonly ForeignEntry[];
  /** Partition paths that have raw files: where replay can repair. */
  readonly rawPartitions: ReadonlySet<string>;
  readonly settings: CheckSettings;
  /** The live writer holding a local lake, if one runs while it is checked. */
  readonly writer?: LockHolder;
  /** Modification times of temporary files (local lakes), for leftover detection. */
  readonly ageOf: (key: string) => Promise<number | undefined>;
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
const KST_PARTS = `strftime(${kstWallClockSql('collected_at')}, 'year=%Y/month=%m/day=%d/hour=%H/minute=%M')`;
const kst = (instant: Date | string | number) => `${formatKstWallClock(new Date(instant))} KST`;
const partitionOfKey = (key: string) => key.split('/').slice(1, -1).join('/');
/** One row per answer of every dataset (its answer table), as a subquery: `(…) AS alias`. */
const answers = (alias: string) =>
  `(${DATASETS.map((d) => `SELECT area_code, collected_at FROM ${answerTable(d).name}`).join(' UNION ALL ')}) AS ${alias}`;

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** A table's Parquet keys: `<table>/year=…/…/minute=…/<name>.parquet`. */
function tableFiles(keys: readonly string[], table: TableSpec): string[] {
  return keys.filter(
    (key) => key.startsWith(`${table.name}/`) && key.endsWith('.parquet') && isInPartition(key),
  );
}

function isInPartition(key: string): boolean {
  const values = parsePartitionPath(key);
  return values !== undefined && key.split('/').length === 7 && partitionOfKey(key) === partitionPath(values);
}

/**
 * What DuckDB must report for the columns of a version of a table (timestamps in ms or µs both
 * read as TIMESTAMP), or why a file of that version cannot be right.
 */
function expectedColumns(table: TableSpec, version: number): string[] | string {
  const versions = fileVersions(JOURNAL, table.name);
  // A table the journal does not hold yet (declared, generate:sql not run): its files are the code's.
  if (versions.length === 0 && version === 1) return table.columns.map((c) => `${c.name} ${duckdbType(c)}`);
  const known = versions.find((v) => v.version === version);
  if (!known)
    return `its name says version ${version} of ${table.name}, which the migration journal does not know`;
  if (known.stale)
    return `version ${version} of ${table.name}, from before a destructive migration: replay rewrites it`;
  return known.columns.map((c) => `${c.name} ${duckdbType(c as ColumnSpec)}`);
}

/**
 * Every Parquet file readable, with the columns of its version of the table (the version its name
 * says: file-versions.ts) in order and their types: a file written before a column was added is
 * right without it. Each bad file is one problem; the good files become the views the other checks
 * query (`population`, …), with the file name and the partition values of their folder.
 */
export async function checkFilesAndCreateViews(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const table of TABLES) {
    const good: string[] = [];
    for (const key of tableFiles(ctx.keys, table)) {
      const path = join(ctx.folder, ...key.split('/'));
      const repair = ctx.rawPartitions.has(partitionOfKey(key)) ? { replay: partitionOfKey(key) } : undefined;
      let described: Record<string, unknown>[];
      try {
        described = await rows(
          ctx.connection,
          `DESCRIBE SELECT * FROM read_parquet(${quote(path)}, hive_partitioning = false)`,
        );
      } catch (error) {
        const reason = (error as Error).message.split('\n')[0];
        problems.push({ check: 'unreadable', text: `${key}: ${reason}`, ...(repair ? { repair } : {}) });
        continue;
      }
      const actual = described.map((r) => `${r.column_name} ${r.column_type}`);
      const expected = expectedColumns(table, versionOfFile(key.slice(key.lastIndexOf('/') + 1)));
      if (typeof expected === 'string') {
        problems.push({ check: 'schema', text: `${key}: ${expected}`, ...(repair ? { repair } : {}) });
        continue;
      }
      if (actual.join(', ') !== expected.join(', ')) {
        const differences = [
          ...expected.filter((c) => !actual.includes(c)).map((c) => `missing ${c}`),
          ...actual.filter((c) => !expected.includes(c)).map((c) => `unexpected ${c}`),
        ];
        problems.push({
          check: 'schema',
          text: `${key}: ${differences.length > 0 ? differences.join(', ') : 'columns out of order'}`,
          ...(repair ? { repair } : {}),
        });
        continue;
      }
      good.push(path);
    }
    const columns = table.columns.map((c) => `CAST(NULL AS ${duckdbType(c)}) AS ${c.name}`).join(', ');
    await ctx.connection.run(
      good.length === 0
        ? `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${columns}, '' AS filename, '' AS partition WHERE false`
        : `CREATE OR REPLACE VIEW ${table.name} AS SELECT * EXCLUDE (year, month, day, hour, minute),
             'year=' || year || '/month=' || month || '/day=' || day || '/hour=' || hour || '/minute=' || minute AS partition
           FROM read_parquet([${good.map(quote).join(', ')}], hive_partitioning = true, hive_types_autocast = false, filename = true${
             fileVersions(JOURNAL, table.name).length > 1 ? ', union_by_name = true' : ''
           })`,
    );
  }
  return problems;
}

/** Partition values agree with each row's collected_at in KST. */
export async function checkPartitions(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const table of TABLES) {
    for (const r of await rows(
      ctx.connection,
      `SELECT filename, partition, ${KST_PARTS} AS belongs, count(*) AS n, min(epoch_ms(collected_at)) AS first
       FROM ${table.name} WHERE ${KST_PARTS} <> partition GROUP BY ALL ORDER BY filename, belongs`,
    )) {
      const key = String(r.filename).slice(ctx.folder.length + 1);
      problems.push({
        check: 'wrong-partition',
        text: `${key}: ${r.n} row(s) collected at ${kst(Number(r.first))} belong in ${r.belongs}`,
        ...(ctx.rawPartitions.has(String(r.partition)) ? { repair: { replay: String(r.partition) } } : {}),
      });
    }
  }
  return problems;
}

/** No key (place, collection time; + forecast hour; run and place for outcomes) in two rows. */
export async function checkDuplicates(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const table of TABLES) {
    const key = table.key.join(', ');
    for (const r of await rows(
      ctx.connection,
      `SELECT partition, area_code, min(epoch_ms(collected_at)) AS collected, count(*) AS n,
              ${(table.key as readonly string[]).includes('forecast_time') ? 'count(DISTINCT forecast_time)' : '1'} AS hours,
              list(DISTINCT regexp_extract(filename, '[^/]+$') ORDER BY regexp_extract(filename, '[^/]+$')) AS files
       FROM (SELECT *, count(*) OVER (PARTITION BY ${key}) AS copies FROM ${table.name})
       WHERE copies > 1
       GROUP BY partition, area_code, ${(table.key as readonly string[]).includes('run_id') ? 'run_id' : 'collected_at'}
       ORDER BY partition, area_code, collected`,
    )) {
      const what = (table.key as readonly string[]).includes('forecast_time')
        ? `${r.hours} forecast hour(s) held ${Number(r.n) / Number(r.hours)} times`
        : `held ${r.n} times`;
      problems.push({
        check: 'duplicate',
        text: `${table.name} ${r.partition}: ${r.area_code} collected at ${kst(Number(r.collected))} ${what}, in ${(r.files as string[]).join(', ')}`,
        ...(ctx.rawPartitions.has(String(r.partition)) ? { repair: { replay: String(r.partition) } } : {}),
      });
    }
  }
  return problems;
}

/**
 * Every raw envelope is in its dataset's answer table (by place and collection time) or in `rejected/` (by
 * run, place and collection time). Broken raw lines are problems of their own: they cannot be
 * replayed, but they are still in raw/ for a person to look at. Every file is read within the
 * limits of read-limits.ts; one that breaks them is named, and the others are still read.
 */
export async function checkRawAccounted(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  await ctx.connection.run(
    'CREATE OR REPLACE TABLE raw_envelopes (raw_key VARCHAR, line INTEGER, run_id VARCHAR, area_code VARCHAR, collected_ms BIGINT)',
  );
  await ctx.connection.run(
    'CREATE OR REPLACE TABLE rejected_lines (rejected_key VARCHAR, line INTEGER, run_id VARCHAR, place_code VARCHAR, collected_ms BIGINT, reason VARCHAR)',
  );
  const raw = await ctx.connection.createAppender('raw_envelopes');
  const rejected = await ctx.connection.createAppender('rejected_lines');
  const where = (u: UnreadableLine) => `${u.key}${u.line > 0 ? ` line ${u.line}` : ''}: ${u.reason}`;
  try {
    for (const key of ctx.keys) {
      if (!key.endsWith(RAW_SUFFIX)) continue;
      if (key.startsWith('raw/')) {
        // Four fields of each envelope are kept, not the envelope: memory stays flat.
        const found: [number, string, string, number][] = [];
        const file = await readRawKey(ctx.files, key, (envelope, line) => {
          found.push([line, envelope.runId, envelope.place.code, Date.parse(envelope.collectedAt)]);
          ctx.sightings?.add(envelope);
          return false;
        });
        for (const u of file.unreadable) problems.push({ check: 'raw-unreadable', text: where(u) });
        if (!file.whole) continue;
        for (const [line, runId, code, collectedMs] of found) {
          raw.appendVarchar(key);
          raw.appendInteger(line);
          raw.appendVarchar(runId);
          raw.appendVarchar(code);
          raw.appendBigInt(BigInt(collectedMs));
          raw.endRow();
        }
      } else if (key.startsWith('rejected/')) {
        const file = await readRejectedKey(ctx.files, key);
        for (const u of file.unreadable) problems.push({ check: 'rejected-unreadable', text: where(u) });
        for (const r of file.lines) {
          rejected.appendVarchar(key);
          rejected.appendInteger(r.line);
          if (r.runId === undefined) rejected.appendNull();
          else rejected.appendVarchar(r.runId);
          if (r.placeCode === undefined) rejected.appendNull();
          else rejected.appendVarchar(r.placeCode);
          if (r.collectedMs === undefined) rejected.appendNull();
          else rejected.appendBigInt(BigInt(r.collectedMs));
          rejected.appendVarchar(r.reason);
          rejected.endRow();
        }
      }
    }
  } finally {
    raw.closeSync();
    rejected.closeSync();
  }
  for (const r of await rows(
    ctx.connection,
    `SELECT r.* FROM raw_envelopes AS r
     WHERE NOT EXISTS (SELECT 1 FROM ${answers('p')} WHERE p.area_code = r.area_code AND epoch_ms(p.collected_at) = r.collected_ms)
       AND NOT EXISTS (SELECT 1 FROM rejected_lines AS j WHERE j.run_id = r.run_id AND j.place_code = r.area_code AND j.collected_ms = r.collected_ms)
     ORDER BY raw_key, line`,
  )) {
    problems.push({
      check: 'unaccounted',
      text: `${r.raw_key} line ${r.line}: ${r.area_code} of run ${r.run_id} (${kst(Number(r.collected_ms))})`,
      repair: { replay: partitionPath(partitionValuesFor(new Date(Number(r.collected_ms)))) },
    });
  }
  return problems;
}

/**
 * Every `ok` outcome has its row (in the answer table of its dataset), or its answer is in
 * `rejected/` with the reason (an answer that arrived and could not be used is accounted for: it is
 * reported apart, not a problem).
 */
export async function checkOutcomesHaveRows(ctx: CheckContext): Promise<Problem[]> {
  return (
    await rows(
      ctx.connection,
      `SELECT o.partition, o.run_id, o.area_code, epoch_ms(o.collected_at) AS collected,
              (SELECT min(raw_key) FROM raw_envelopes AS r
                WHERE r.area_code = o.area_code AND r.collected_ms = epoch_ms(o.collected_at)) AS raw_key
       FROM collection_outcomes AS o
       WHERE o.status = 'ok' AND NOT EXISTS (
         SELECT 1 FROM ${answers('p')} WHERE p.area_code = o.area_code AND p.collected_at = o.collected_at)
       AND NOT EXISTS (
         SELECT 1 FROM rejected_lines AS j
         WHERE j.run_id = o.run_id AND j.place_code = o.area_code AND j.collected_ms = epoch_ms(o.collected_at))
       ORDER BY o.collected_at, o.area_code`,
    )
  ).map((r) => ({
    check: 'ok-without-row' as const,
    text: `run ${r.run_id} (${kst(Number(r.collected))}): ${r.area_code} ok but no ${ANSWER_TABLES} row${r.raw_key ? `; its envelope is in ${r.raw_key}` : ' and no envelope in raw/'}`,
    ...(r.raw_key
      ? { repair: { replay: partitionPath(partitionValuesFor(new Date(Number(r.collected)))) } }
      : {}),
  }));
}

/**
 * The records of `rejected/`, grouped by reason: each was received and could not be used, and is
 * kept with its reason. They are accounted for, so they are findings to read, not problems.
 */
export async function rejectedFindings(ctx: CheckContext): Promise<Finding[]> {
  return (
    await rows(
      ctx.connection,
      `SELECT reason, count(*) AS n, min(rejected_key || ' line ' || line) AS first
       FROM rejected_lines GROUP BY reason ORDER BY n DESC, reason`,
    )
  ).map((r) => ({ count: Number(r.n), text: `${r.n} × ${r.reason} (first: ${r.first})` }));
}

/** Runs where fewer places were collected than asked, with what happened to the others. */
export async function checkIncompleteRuns(ctx: CheckContext): Promise<Problem[]> {
  return (
    await rows(
      ctx.connection,
      `SELECT run_id, epoch_ms(min(collected_at)) AS collected, count(*) AS asked,
              count(*) FILTER (WHERE status = 'ok') AS ok,
              count(*) FILTER (WHERE status = 'no-data') AS no_data,
              count(*) FILTER (WHERE status = 'failed') AS failed,
              string_agg(DISTINCT CASE WHEN status <> 'ok' THEN reason END, '; ') AS reasons
       FROM collection_outcomes GROUP BY run_id
       HAVING count(*) FILTER (WHERE status = 'ok') < count(*)
       ORDER BY collected`,
    )
  ).map((r) => ({
    check: 'incomplete-run' as const,
    text: `run ${r.run_id} (${kst(Number(r.collected))}): ${r.ok} of ${r.asked} places (${r.no_data} no data, ${r.failed} failed${r.reasons ? `: ${r.reasons}` : ''})`,
  }));
}

/** Rows whose data was already old when collected (each dataset's `observedAt`), grouped by run. */
export async function checkStale(ctx: CheckContext): Promise<Problem[]> {
  const limit = ctx.settings.staleMinutes;
  const problems: Problem[] = [];
  for (const dataset of DATASETS) {
    const observed = dataset.observedAt;
    for (const r of await rows(
      ctx.connection,
      `SELECT run_id, epoch_ms(min(collected_at)) AS collected, count(*) AS places,
              round(max(epoch_ms(collected_at) - epoch_ms(${observed})) / 60000) AS worst,
              string_agg(area_code, ', ' ORDER BY area_code) AS codes
       FROM ${answerTable(dataset).name}
       WHERE epoch_ms(collected_at) - epoch_ms(${observed}) > ${limit * 60_000}
       GROUP BY run_id ORDER BY collected`,
    ))
      problems.push({
        check: 'stale',
        text: `run ${r.run_id} (${kst(Number(r.collected))}): ${r.places} place(s) with data more than ${limit} min old (worst ${r.worst} min): ${r.codes}`,
      });
  }
  return problems;
}

/**
 * Rows whose answer time lies outside the window the normalizer accepts (field-reader.ts
 * `answerTimeWindow`): before the API existed, or more than a day after their collection
 * (future-dated). Written by an older writer, or by another one; a replay of the partition from
 * raw/ moves them to rejected/ with the reason. The columns are every API time of the datasets'
 * tables (those read as a Korean wall-clock time).
 */
export async function checkTimeWindow(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const table of DATASET_TABLES) {
    const apiTimes = (table.columns as readonly ColumnSpec[]).filter((c) => c.field?.read === 'kstTime');
    for (const { name: column } of apiTimes) {
      for (const r of await rows(
        ctx.connection,
        `SELECT partition, count(*) AS n, epoch_ms(min(${column})) AS earliest, epoch_ms(max(${column})) AS latest,
                string_agg(DISTINCT area_code, ', ' ORDER BY area_code) AS codes
         FROM ${table.name}
         WHERE epoch_ms(${column}) < ${API_FIRST_DAY.getTime()}
            OR epoch_ms(${column}) > epoch_ms(collected_at) + ${ANSWER_TIME_LEAD_MS}
         GROUP BY partition ORDER BY partition`,
      ))
        problems.push({
          check: 'out-of-window',
          text: `${table.name} ${r.partition}: ${r.n} row(s) with ${column} from ${kst(Number(r.earliest))} to ${kst(Number(r.latest))}, outside ${kst(API_FIRST_DAY)} … a day after collection: ${r.codes}`,
          ...(ctx.rawPartitions.has(String(r.partition)) ? { repair: { replay: String(r.partition) } } : {}),
        });
    }
  }
  return problems;
}

/** Labels outside the known set of their dataset (kept and flagged when written). */
export async function checkLabels(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const { labels } of DATASETS) {
    const known = labels.known.map(quote).join(', ');
    for (const { table, column } of labels.columns) {
      for (const r of await rows(
        ctx.connection,
        `SELECT ${column} AS label, count(*) AS n, epoch_ms(min(collected_at)) AS first, min(partition) AS partition
         FROM ${table} WHERE ${column} NOT IN (${known}) GROUP BY ${column} ORDER BY first`,
      ))
        problems.push({
          check: 'label',
          text: `${table}.${column} ${JSON.stringify(r.label)} in ${r.n} row(s), first collected at ${kst(Number(r.first))} (${r.partition})`,
        });
    }
  }
  return problems;
}

const AREA_SUFFIX: Record<string, string> = {
  ...Object.fromEntries(TABLES.map((table) => [table.name, '.parquet'])),
  raw: RAW_SUFFIX,
  rejected: RAW_SUFFIX,
};
/** The answer tables' names, for a sentence. */
const ANSWER_TABLES = DATASETS.map((d) => answerTable(d).name).join(' or ');

/** Files a lake folder may hold at its top: the demo's marker and report. */
const ROOT_FILES = new Set(['_SIMULATED', 'report.html', LAKE_LOCK]);
/** The folder of the local warehouse (`local-warehouse.ts`), beside the lake's areas. */
const DERIVED_AREA = dirname(WAREHOUSE_FILE);
const TEMPORARY = /(\.tmp$|\.write-probe-)/;

/** Temporary names, unknown extensions, files outside the areas or outside partition folders. */
export async function checkStrays(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const key of ctx.keys) {
    const area = key.split('/')[0] as string;
    const name = key.slice(key.lastIndexOf('/') + 1);
    if (TEMPORARY.test(name)) {
      const age = await ctx.ageOf(key);
      const leftover = age !== undefined && age > ctx.settings.leftoverAgeMs;
      problems.push({
        check: 'stray',
        text: `${key}: temporary file${age === undefined ? '' : `, ${Math.round(age / 60_000)} min old`}${leftover ? '' : ' (may be in use)'}`,
        ...(leftover ? { repair: { remove: key } } : {}),
      });
    } else if (key.startsWith(PENDING_RUNS)) {
      problems.push({
        check: 'stray',
        text: ctx.writer
          ? `${key}: a run in progress, or left by an earlier process (${describeHolder(ctx.writer)} holds the lake)`
          : `${key}: a run that did not finish; the next npm start settles it`,
      });
    } else if (!key.includes('/')) {
      if (!ROOT_FILES.has(key))
        problems.push({ check: 'stray', text: `${key}: unknown file at the top of the lake` });
    } else if (area === DERIVED_AREA) {
      // The local warehouse file is derived state, rebuilt from the tables at will: not a stray.
    } else if (area === CATALOGUE_AREA) {
      if (key !== CATALOGUE_KEY)
        problems.push({ check: 'stray', text: `${key}: ${CATALOGUE_AREA}/ holds only ${CATALOGUE_KEY}` });
    } else if (!(LAKE_AREAS as readonly string[]).includes(area)) {
      problems.push({ check: 'stray', text: `${key}: outside the lake's areas (${LAKE_AREAS.join(', ')})` });
    } else if (!key.endsWith(AREA_SUFFIX[area] as string)) {
      problems.push({
        check: 'stray',
        text: `${key}: unknown extension for ${area}/ (expected ${AREA_SUFFIX[area]})`,
      });
    } else if (!isInPartition(key) && area !== 'raw') {
      problems.push({ check: 'stray', text: `${key}: not in a year=…/month=…/day=…/hour=…/minute=… folder` });
    }
  }
  return problems;
}

/** The folder levels under a table area, in order: `year=YYYY/month=MM/day=DD/hour=HH/minute=mm`. */
const PARTITION_LEVELS = [/^year=\d{4}$/, /^month=\d{2}$/, /^day=\d{2}$/, /^hour=\d{2}$/, /^minute=\d{2}$/];
/** Folders a lake holds at its top besides the areas: the run notes, the derived warehouse, the place catalogue. */
const ROOT_FOLDERS = new Set([PENDING_RUNS.replace(/\/$/, ''), DERIVED_AREA, CATALOGUE_AREA]);

/**
 * Links, pipes, devices, folders named like files and keys with `..` parts: never followed or read
 * by any command, each named here. Folders outside the layout too (a local lake): at the top, only
 * the areas, `_pending_runs` and `_warehouse`; in a table area or `rejected/`, only partition levels
 * in order. raw/ may hold restored archives in any folders (replay reads them wherever they are).
 */
export async function checkLayout(ctx: CheckContext): Promise<Problem[]> {
  const problems: Problem[] = ctx.foreign.map((entry) => ({
    check: 'not-followed' as const,
    text: `${entry.key}: ${entry.what}`,
  }));
  const foreign = new Set(ctx.foreign.map((entry) => entry.key));
  const reported: string[] = [];
  for (const folder of ctx.folders) {
    // A folder inside one already named (or named like a file) is part of that one finding.
    if (foreign.has(folder) || reported.some((top) => folder.startsWith(`${top}/`))) continue;
    const [area, ...levels] = folder.split('/') as [string, ...string[]];
    if (levels.length === 0) {
      if (!(LAKE_AREAS as readonly string[]).includes(area) && !ROOT_FOLDERS.has(area))
        problems.push({ check: 'not-followed', text: `${folder}/: a folder the lake layout does not have` });
      continue;
    }
    if (area === 'raw' || ROOT_FOLDERS.has(area) || !(LAKE_AREAS as readonly string[]).includes(area))
      continue;
    const level = levels.length - 1;
    if (level >= PARTITION_LEVELS.length || !PARTITION_LEVELS[level]?.test(levels[level] as string)) {
      reported.push(folder);
      problems.push({
        check: 'not-followed',
        text: `${folder}/: not a year=…/month=…/day=…/hour=…/minute=… folder of ${area}/`,
      });
    }
  }
  return problems;
}

/**
 * Slots of the schedule (every `runIntervalMinutes`: :00/:20/:40 by default) between the first and the last run with no run in them. A
 * run belongs to the slot it starts in (a `--once` run at 14:07 fills the 14:00 slot).
 */
export async function checkMissingRuns(ctx: CheckContext): Promise<Problem[]> {
  // The cadence setting, as the schedule that wrote the lake used it.
  const SLOT_MS = ctx.settings.runIntervalMinutes * 60_000;
  const times = (
    await rows(
      ctx.connection,
      `SELECT DISTINCT epoch_ms(collected_at) AS t FROM (
         SELECT collected_at FROM collection_outcomes UNION ALL SELECT collected_at FROM ${answers('p')})
       ORDER BY t`,
    )
  ).map((r) => Number(r.t));
  const slots = new Set(times.map((t) => Math.floor(t / SLOT_MS)));
  const problems: Problem[] = [];
  const first = Math.min(...slots);
  const last = Math.max(...slots);
  for (let slot = first; slot <= last; slot++) {
    if (slots.has(slot)) continue;
    let end = slot;
    while (end + 1 <= last && !slots.has(end + 1)) end++;
    const count = end - slot + 1;
    problems.push({
      check: 'missing-run',
      text:
        count === 1
          ? `no run at ${kst(slot * SLOT_MS)}`
          : `no run from ${kst(slot * SLOT_MS)} to ${kst(end * SLOT_MS)} (${count} runs)`,
    });
    slot = end;
  }
  return problems;
}

/**
 * The place catalogue, when the lake has one, can be used by the collector: a catalogue that
 * cannot (broken JSON, a bad code, every place retired) makes every run fall back to the places
 * known before, so a place the city added would go uncollected. Fixed by importing the list again.
 */
export async function checkCatalogue(ctx: CheckContext): Promise<Problem[]> {
  if (!ctx.keys.includes(CATALOGUE_KEY)) return [];
  try {
    await readCatalogue(ctx.files);
    return [];
  } catch (error) {
    return [
      {
        check: 'catalogue',
        text: `${CATALOGUE_KEY}: ${describeError(error)}; runs collect the places known before it (npm run places -- --import FILE writes a good one)`,
      },
    ];
  }
}
