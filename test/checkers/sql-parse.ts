import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { POPULATION } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import type { ColumnSpec } from '../../lambdas/core/schema.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { warehousePlaceholders } from '../../lambdas/core/warehouse/apply-sql.js';
import {
  failedLoadStatements,
  LOAD_LOG_BOUNDS_QUERY,
  LOAD_LOG_QUERY,
  mergePartitionStatements,
} from '../../lambdas/core/warehouse/loader-sql.js';
import { EXISTING_TABLES_QUERY, MIGRATIONS_TABLE } from '../../lambdas/core/warehouse/migrations/apply.js';
import { loadMigrations } from '../../lambdas/core/warehouse/migrations/files.js';
import {
  currentSnapshot,
  type Journal,
  type JournalColumn,
  newJournal,
} from '../../lambdas/core/warehouse/migrations/journal.js';
import { planMigration } from '../../lambdas/core/warehouse/migrations/plan.js';
import { defaultSqlDir, loadSqlFiles, statementsOf } from '../../lambdas/core/warehouse/sql-files.js';
import { replaceParameters } from '../../lambdas/core/warehouse/sql-text.js';
import {
  redshiftCopy,
  redshiftCopyFiles,
  stagePartition,
} from '../../lambdas/core/warehouse/staging-fill.js';
import { temporaryDir } from '../infra/support/synth.js';
import { checkersPython } from './iam-catalogue/check.js';

/**
 * An independent SQL parser on everything this repository sends to Redshift: sqlfluff's Redshift
 * dialect parses every `sql/` file (its `{{placeholders}}` filled as the SQL runner fills them)
 * and every statement the loader generates (its `:parameters` filled as the Data API binds them).
 * A statement sqlfluff cannot parse is a finding: our own splitter and tests only know the SQL
 * they were written for.
 */

/** Deployment values as the SQL runner gets them, passed through the same validators. */
const SAMPLE_ENV = {
  GLUE_DATABASE: 'seoul_population',
  SPECTRUM_ROLE_ARN: 'arn:aws:iam::123456789012:role/seoul-spectrum',
  LOADER_DB_USER: 'IAMR:seoulpopulation-pipeline-loader-ap-northeast-2',
  DATABASE: 'dev',
};
const SAMPLE_PARAMETERS: Record<string, string> = {
  table_name: "'population'",
  partition_path: "'year=2026/month=07/day=16/hour=23/minute=20'",
  since_partition: "'year=2026/month=07/day=15/hour=00/minute=00'",
  file_count: "'3'",
  loaded_at: "'2026-07-16 14:25:00.000'",
};

export interface SqlToParse {
  readonly name: string;
  /** Statements, each ending with `;`. */
  readonly text: string;
}

/** Every sql/ file, rendered, and the loader's statements for every table, as files to parse. */
export function sqlToParse(): SqlToParse[] {
  const values = warehousePlaceholders(SAMPLE_ENV);
  const files = loadSqlFiles(defaultSqlDir()).map((file) => ({
    name: file.name,
    text: statementsOf(file, values)
      .map((sql) => `${sql};\n`)
      .join('\n'),
  }));
  const fill = redshiftCopy({ bucket: 'seoul-lake', prefix: 'lake/', roleArn: SAMPLE_ENV.SPECTRUM_ROLE_ARN });
  const bind = (sql: string) =>
    replaceParameters(sql, (name) => {
      const value = SAMPLE_PARAMETERS[name];
      if (value === undefined) throw new Error(`no sample value for :${name} in ${sql}`);
      return value;
    });
  const loader = TABLES.map((table) => ({
    name: `loader_merge_${table.name}.sql`,
    text: mergePartitionStatements(table, fill(table, ['year=2026/month=07/day=16/hour=23/minute=20']))
      .map((sql) => `${bind(sql)};\n`)
      .join('\n'),
  }));
  return [
    ...files,
    ...loader,
    { name: 'loader_load_log_query.sql', text: `${bind(LOAD_LOG_QUERY)};\n` },
    { name: 'loader_load_log_bounds.sql', text: `${bind(LOAD_LOG_BOUNDS_QUERY)};\n` },
    { name: 'loader_failed_load.sql', text: `${failedLoadStatements().map(bind).join(';\n')};\n` },
    ...migrationSql(),
  ];
}

/**
 * The migrations of sql/migrations/, and every kind of statement the generator writes (a column
 * added of each type, a VARCHAR widened, a column dropped) with the runner's own statements.
 */
function migrationSql(): SqlToParse[] {
  const added = (type: ColumnSpec['type']): ColumnSpec => ({
    name: `new_${type}`,
    type,
    source: 'a new field',
    nullable: true,
    ...(type === 'string' ? { maxBytes: 64 } : {}),
  });
  const types = ['string', 'int32', 'int64', 'double', 'boolean', 'timestamp'] as const;
  const snapshot = currentSnapshot(newJournal([POPULATION]));
  const adds = planMigration(snapshot, [
    { ...POPULATION, columns: [...POPULATION.columns, ...types.map(added)] },
  ]);
  const widen = planMigration(snapshot, [
    {
      ...POPULATION,
      columns: POPULATION.columns.map((c) => (c.name === 'area_name' ? { ...c, maxBytes: 512 } : c)),
    },
  ]);
  const drop = planMigration(snapshot, [{ ...POPULATION, columns: POPULATION.columns.slice(0, -1) }], {
    destructive: true,
  });
  const record = replaceParameters(
    `INSERT INTO ${MIGRATIONS_TABLE} (migration_id, checksum, statements_run, applied_at) VALUES (:migration_id, :checksum, CAST(:statements_run AS INTEGER), CAST(:applied_at AS TIMESTAMP))`,
    (name) =>
      ({
        migration_id: "'0001_x'",
        checksum: "'ab'",
        statements_run: "'1'",
        applied_at: "'2026-08-01 00:00:00'",
      })[name] ?? '',
  );
  const generated = [
    ...adds.statements,
    ...widen.statements,
    ...drop.statements,
    record,
    EXISTING_TABLES_QUERY,
  ];
  return [
    ...loadMigrations(defaultSqlDir()).map((m) => ({
      name: `migration_${m.id}.sql`,
      text: m.statements.map((sql) => `${sql};\n`).join('\n'),
    })),
    { name: 'migration_statements.sql', text: generated.map((sql) => `${sql};\n`).join('\n') },
    {
      name: 'loader_old_and_new_files.sql',
      text: oldAndNewFiles(adds.tables)
        .map((sql) => `${sql};\n`)
        .join('\n'),
    },
  ];
}

/**
 * What the loader sends for a partition holding a file written before a column was added and one
 * after: a staging table of the old version's columns, a COPY per file, the move by name.
 */
function oldAndNewFiles(changed: Record<string, JournalColumn[]>): string[] {
  const journal: Journal = {
    ...newJournal([POPULATION]),
    migrations: [{ id: '0001_population_add_columns', tables: changed }],
  };
  const lake = { bucket: 'seoul-lake', prefix: '', roleArn: SAMPLE_ENV.SPECTRUM_ROLE_ARN };
  const added = (changed.population ?? []).slice(POPULATION.columns.length) as ColumnSpec[];
  const table = {
    ...POPULATION,
    columns: [...POPULATION.columns, ...added.map((c) => ({ ...c, source: '' }))],
  };
  return stagePartition(
    table,
    'year=2026/month=07/day=16/hour=23/minute=20',
    ['t-0-0.parquet', 't-0-1.v2.parquet'],
    journal,
    { folder: redshiftCopy(lake), files: redshiftCopyFiles(lake) },
  );
}

export interface ParseResult {
  readonly name: string;
  /** The text of every part sqlfluff could not parse; empty when the whole file parsed. */
  readonly unparsable: readonly string[];
}

/** Parses the files with `sqlfluff parse --dialect redshift` (raw templater: no Jinja). */
export function parseWithSqlfluff(files: readonly SqlToParse[]): ParseResult[] {
  const dir = join(temporaryDir('seoul-sqlfluff-'), 'sql');
  mkdirSync(dir);
  for (const file of files) writeFileSync(join(dir, file.name), file.text);
  const sqlfluff = join(checkersPython('sqlfluff'), '..', 'sqlfluff');
  let output: string;
  try {
    output = execFileSync(
      sqlfluff,
      ['parse', '--dialect', 'redshift', '--templater', 'raw', '--format', 'json', dir],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    // Exit status 1: some file did not parse; the JSON on stdout says where.
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    if (failed.status !== 1 || !failed.stdout) throw new Error(`sqlfluff failed: ${failed.stderr ?? error}`);
    output = failed.stdout;
  }
  const parsed = JSON.parse(output) as { filepath: string; segments: unknown }[];
  return files.map((file) => {
    const entry = parsed.find((p) => p.filepath.endsWith(`/${file.name}`) || p.filepath === file.name);
    if (!entry) return { name: file.name, unparsable: ['sqlfluff returned nothing for this file'] };
    return { name: file.name, unparsable: unparsableTexts(entry.segments) };
  });
}

/** The source text of every `unparsable` segment of sqlfluff's parse tree. */
function unparsableTexts(tree: unknown): string[] {
  const found: string[] = [];
  const text = (node: unknown): string =>
    typeof node === 'string'
      ? node
      : Array.isArray(node)
        ? node.map(text).join('')
        : node && typeof node === 'object'
          ? Object.values(node).map(text).join('')
          : '';
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'unparsable') found.push(text(value).replace(/\s+/g, ' ').trim());
        else walk(value);
      }
    }
  };
  walk(tree);
  return found;
}

// `npm run test:sql-parse`: parse, print, exit 1 on any parse error.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = parseWithSqlfluff(sqlToParse());
  const failed = results.filter((r) => r.unparsable.length > 0);
  for (const r of failed)
    for (const part of r.unparsable) console.log(`${r.name}: cannot parse: ${part.slice(0, 200)}`);
  console.log(`sqlfluff (redshift): ${results.length} files, ${failed.length} with parse errors`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}
