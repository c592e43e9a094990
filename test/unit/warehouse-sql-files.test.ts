import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { POPULATION, POPULATION_FORECAST } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { COLLECTION_OUTCOMES, SCHEMA_MIGRATIONS } from '../../lambdas/core/schema.js';
import { TABLES, WAREHOUSE_TABLES } from '../../lambdas/core/tables.js';
import { runsAsOneBatch } from '../../lambdas/core/warehouse/apply-sql.js';
import { staleSqlFiles } from '../../lambdas/core/warehouse/ddl.js';
import { SqlTemplateError } from '../../lambdas/core/warehouse/errors.js';
import { failedLoadStatements, mergePartitionStatements } from '../../lambdas/core/warehouse/loader-sql.js';
import {
  defaultSqlDir,
  isPortableViewFile,
  loadSqlFiles,
  placeholdersOf,
  statementsOf,
} from '../../lambdas/core/warehouse/sql-files.js';
import {
  fillPlaceholders,
  parameterNames,
  replaceParameters,
  splitStatements,
} from '../../lambdas/core/warehouse/sql-text.js';
import {
  bucketName,
  glueDatabaseName,
  iamRoleArn,
  lakePrefix,
  partitionPathOf,
} from '../../lambdas/core/warehouse/sql-values.js';
import { PROJECT_ROOT } from '../../lib/project-function.js';

describe('splitStatements', () => {
  it('splits at semicolons in code only, never inside quotes, comments or dollar quotes', () => {
    const sql = `-- header; with a semicolon
CREATE VIEW a AS SELECT 'x;y' AS "we;ird", 1 /* ; */ AS n;
-- a comment between statements;
SELECT $$ ; $$, $tag$ ; $tag$;

;
SELECT 'it''s; fine'`;
    assert.deepEqual(splitStatements(sql), [
      `CREATE VIEW a AS SELECT 'x;y' AS "we;ird", 1 /* ; */ AS n`,
      'SELECT $$ ; $$, $tag$ ; $tag$',
      "SELECT 'it''s; fine'",
    ]);
  });

  it('refuses an unterminated literal or comment', () => {
    assert.throws(() => splitStatements("SELECT 'oops"), /unterminated quoted text/);
    assert.throws(() => splitStatements('SELECT 1 /* oops'), /unterminated comment/);
  });
});

describe('parameters and placeholders', () => {
  it('finds :name parameters in code, not casts, literals or comments', () => {
    assert.deepEqual(
      parameterNames('SELECT :a, x::int, \':b\', "c:d" FROM t WHERE y = :e -- :f\n AND z = :a'),
      ['a', 'e'],
    );
  });

  it('rewrites parameters for another engine and leaves everything else', () => {
    assert.equal(
      replaceParameters("SELECT :a, x::int, 's3://b/:c' WHERE y = :b", (name) => `$${name}`),
      "SELECT $a, x::int, 's3://b/:c' WHERE y = $b",
    );
  });

  it('fills {{placeholders}} and refuses a template with one left without a value', () => {
    assert.equal(
      fillPlaceholders("DATABASE '{{ db }}' ROLE '{{role}}'", { db: 'x', role: 'y' }),
      "DATABASE 'x' ROLE 'y'",
    );
    assert.throws(
      () => fillPlaceholders('{{db}} {{role}}', { db: 'x' }),
      /no value for placeholder\(s\) role/,
    );
  });
});

describe('values written into SQL text are validated', () => {
  it('accepts real role ARNs, Glue database names, buckets and prefixes', () => {
    assert.equal(
      iamRoleArn('r', 'arn:aws:iam::123456789012:role/service-role/Spectrum_Role-1'),
      'arn:aws:iam::123456789012:role/service-role/Spectrum_Role-1',
    );
    assert.equal(
      iamRoleArn('r', 'arn:aws-cn:iam::123456789012:role/x'),
      'arn:aws-cn:iam::123456789012:role/x',
    );
    assert.equal(glueDatabaseName('g', 'seoul_population-lake'), 'seoul_population-lake');
    assert.equal(bucketName('b', 'seoul-lake.2026'), 'seoul-lake.2026');
    assert.equal(lakePrefix('p', 'lake/v1'), 'lake/v1/');
    assert.equal(lakePrefix('p', ''), '');
    assert.equal(lakePrefix('p', undefined), '');
  });

  it('refuses anything that could end the quoted literal it is written into', () => {
    const hostile = "x' ; DROP TABLE population; --";
    assert.throws(
      () => iamRoleArn('SPECTRUM_ROLE_ARN', `arn:aws:iam::123456789012:role/${hostile}`),
      /SPECTRUM_ROLE_ARN must be an IAM role ARN/,
    );
    assert.throws(
      () => glueDatabaseName('GLUE_DATABASE', hostile),
      /GLUE_DATABASE must be a Glue database name/,
    );
    assert.throws(() => bucketName('LAKE_BUCKET', hostile), /LAKE_BUCKET must be an S3 bucket name/);
    assert.throws(() => lakePrefix('LAKE_PREFIX', `a/${hostile}`), /LAKE_PREFIX must be a key prefix/);
    assert.throws(() => iamRoleArn('SPECTRUM_ROLE_ARN', undefined), /got null/);
    assert.throws(() => iamRoleArn('SPECTRUM_ROLE_ARN', 'arn:aws:iam::123:role/x'), SqlTemplateError);
  });

  it('builds partition paths of the fixed shape only', () => {
    assert.equal(
      partitionPathOf({ year: '2026', month: '07', day: '16', hour: '23', minute: '20' }),
      'year=2026/month=07/day=16/hour=23/minute=20',
    );
    assert.throws(
      () => partitionPathOf({ year: "2026'", month: '07', day: '16', hour: '23', minute: '20' }),
      SqlTemplateError,
    );
  });
});

describe('the sql/ folder', () => {
  const files = loadSqlFiles(defaultSqlDir());
  const byName = (pattern: RegExp) => files.filter((file) => pattern.test(file.name));

  it('is numbered, runs the external schema and the tables before the views, and the grants last', () => {
    const names = files.map((file) => file.name);
    assert.deepEqual(names, [...names].sort());
    const firstView = names.findIndex(isPortableViewFile);
    const firstGrant = names.findIndex(runsAsOneBatch);
    assert.ok(firstView > names.findIndex((name) => name.includes('_table_')), names.join(', '));
    assert.ok(firstGrant > firstView, 'grants come after every table they name');
    assert.ok(names.slice(firstView, firstGrant).every(isPortableViewFile), 'views read the tables');
    assert.ok(names.slice(firstGrant).every(runsAsOneBatch), names.join(', '));
  });

  it('takes exactly four deployment values (Glue database, Spectrum role, loader user, database) and the cadence', () => {
    assert.deepEqual(placeholdersOf(files), [
      'database',
      'glue_database',
      'loader_db_user',
      'run_interval_minutes',
      'spectrum_role_arn',
    ]);
  });

  it("creates the loader's user and grants it exactly what the merge needs, nothing more", () => {
    const [grants] = byName(/_grants_loader\.sql$/);
    assert.ok(grants);
    const user = 'IAMR:seoulpopulation-loader-ap-northeast-2';
    const statements = statementsOf(grants, { loader_db_user: user, database: 'dev' });
    assert.equal(statements[0], 'SET enable_case_sensitive_identifier TO true');
    assert.match(statements[1] ?? '', /^CREATE OR REPLACE PROCEDURE pipeline_create_user_if_missing\(/);
    assert.match(statements[1] ?? '', /PASSWORD DISABLE/);
    assert.doesNotMatch(statements.join(';'), /CREATEUSER|CREATEDB|SUPERUSER|ALL PRIVILEGES|\bOWNER\b/i);
    // The lake's tables, the load log, and the forecast errors the merge keeps up to date.
    // Not the migrations table: only the SQL runner writes it.
    const loaderTables = WAREHOUSE_TABLES.filter((table) => table !== SCHEMA_MIGRATIONS).map(
      (table) => table.name,
    );
    assert.deepEqual(statements.slice(2), [
      `CALL pipeline_create_user_if_missing('${user}')`,
      'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
      `GRANT TEMP ON DATABASE dev TO "${user}"`,
      `GRANT USAGE ON SCHEMA public TO "${user}"`,
      `GRANT SELECT, INSERT, DELETE ON TABLE ${loaderTables.join(', ')} TO "${user}"`,
    ]);
  });

  it("says in the deploy guide exactly what the loader's user may do: the guide's table equals the grants file", () => {
    // One fact per (privilege, object kind, object): "granted" rows from the GRANT statements,
    // "revoked" rows from the REVOKE ... FROM PUBLIC statements.
    const [grants] = byName(/_grants_loader\.sql$/);
    const facts = new Set<string>();
    for (const sql of statementsOf(grants as NonNullable<typeof grants>, {
      loader_db_user: 'U',
      database: 'dev',
    })) {
      const match =
        /^(GRANT|REVOKE) ([A-Z, ]+) ON (TABLE|SCHEMA|DATABASE) ([a-z_, ]+) (?:TO "U"|FROM PUBLIC)$/.exec(sql);
      if (!match) continue;
      const how = match[1] === 'GRANT' ? 'granted' : 'revoked from PUBLIC';
      for (const privilege of (match[2] as string).split(', ')) {
        for (const object of (match[4] as string).split(', ')) {
          facts.add(`${privilege} ${(match[3] as string).toLowerCase()} ${object} ${how}`);
        }
      }
    }
    const lines = readFileSync(join(PROJECT_ROOT, 'docs', 'deploy-aws.md'), 'utf8').split('\n');
    const header = lines.findIndex((line) => line.trim() === '| privilege | on | how |');
    assert.ok(header > 0, "the guide has the table of the loader's privileges");
    const rows: string[] = [];
    for (let i = header + 2; lines[i]?.trim().startsWith('|'); i++) rows.push(lines[i] as string);
    const documented = new Set<string>();
    for (const row of rows) {
      const [privileges, on, how] = row
        .split('|')
        .slice(1, 4)
        .map((cell) => cell.trim()) as [string, string, string];
      const [kind, ...objects] = on.replace(/`/g, '').replace(/,/g, ' ').split(/\s+/);
      const what = how.startsWith('granted') ? 'granted' : how.replace(/`/g, '');
      for (const privilege of privileges.replace(/`/g, '').split(/,\s*/)) {
        for (const object of objects) documented.add(`${privilege} ${kind} ${object} ${what}`);
      }
    }
    assert.ok(facts.size >= 8, [...facts].join('\n'));
    assert.deepEqual([...documented].sort(), [...facts].sort());
  });

  it('grants the loader exactly the tables its merge statements read and write', () => {
    const touched = new Set<string>();
    for (const table of TABLES) {
      for (const sql of [...mergePartitionStatements(table, ['COPY x']), ...failedLoadStatements()]) {
        // A name followed by a dot is a column (`EXTRACT(EPOCH FROM f.forecast_time)`), not a table.
        for (const match of sql.matchAll(/\b(?:FROM|INTO|DELETE FROM|USING)\s+([a-z_]+)(?![\w.])/g)) {
          const name = match[1] as string;
          if (!name.startsWith('stage_')) touched.add(name);
        }
      }
    }
    const [grants] = byName(/_grants_loader\.sql$/);
    const granted = /GRANT SELECT, INSERT, DELETE ON TABLE ([a-z_, ]+) TO/.exec(grants?.text ?? '')?.[1];
    assert.deepEqual(granted?.split(', ').sort(), [...touched].sort());
  });

  it('creates the Spectrum schema over the Glue database with the role, idempotently', () => {
    const [spectrum] = byName(/_spectrum_schema\.sql$/);
    assert.ok(spectrum);
    assert.deepEqual(
      statementsOf(spectrum, {
        glue_database: 'seoul_population',
        spectrum_role_arn: 'arn:aws:iam::123456789012:role/spectrum',
      }),
      [
        "CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum\nFROM DATA CATALOG\nDATABASE 'seoul_population'\nIAM_ROLE 'arn:aws:iam::123456789012:role/spectrum'",
      ],
    );
  });

  it('is idempotent: tables IF NOT EXISTS, views dropped if they exist and created again', () => {
    for (const file of files.filter((f) => !runsAsOneBatch(f.name))) {
      for (const statement of statementsOf(file, {
        glue_database: 'g',
        spectrum_role_arn: 'arn:aws:iam::123456789012:role/r',
        run_interval_minutes: '20',
      })) {
        assert.match(
          statement,
          /^(CREATE (EXTERNAL SCHEMA|TABLE) IF NOT EXISTS|DROP VIEW IF EXISTS \w+ CASCADE$|CREATE VIEW )/,
          `${file.name}: ${statement.slice(0, 60)}`,
        );
      }
    }
  });

  // COPY from Parquet maps columns by position, so the native tables must hold the schema's
  // columns in the schema's order with the schema's types: the files are generated from it.
  it('holds the native tables exactly as generated from the one schema definition', () => {
    assert.deepEqual(staleSqlFiles(defaultSqlDir()), []);
  });

  it('distributes every table on area_code, so the views join without moving rows', () => {
    for (const table of [POPULATION, POPULATION_FORECAST, COLLECTION_OUTCOMES]) {
      const [file] = byName(new RegExp(`_table_${table.name}\\.sql$`));
      assert.match(file?.text ?? '', /DISTKEY \(area_code\)/, table.name);
      assert.match(file?.text ?? '', /SORTKEY \(/, table.name);
    }
  });

  it('has a load log with what the loader records', () => {
    const [file] = byName(/_table_load_log\.sql$/);
    assert.match(
      statementsOf(file as NonNullable<typeof file>)[0] ?? '',
      /table_name VARCHAR\(64\) NOT NULL,\n {2}partition_path VARCHAR\(64\) NOT NULL,\n {2}file_count INTEGER NOT NULL,\n {2}rows_loaded BIGINT NOT NULL,\n {2}loaded_at TIMESTAMP NOT NULL/,
    );
  });
});
