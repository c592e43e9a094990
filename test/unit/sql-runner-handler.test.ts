import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { runsAsOneBatch } from '../../lambdas/core/warehouse/apply-sql.js';
import { DataApiWarehouse } from '../../lambdas/core/warehouse/data-api.js';
import { EXISTING_TABLES_QUERY } from '../../lambdas/core/warehouse/migrations/apply.js';
import { loadMigrations } from '../../lambdas/core/warehouse/migrations/files.js';
import {
  defaultSqlDir,
  loadSqlFiles,
  runsBeforeMigrations,
  sqlFilesDigest,
  statementsOf,
} from '../../lambdas/core/warehouse/sql-files.js';
import { handleSqlResource } from '../../lambdas/sql-runner/sql-resource.js';
import { FakeRedshiftData } from '../support/fake-redshift-data.js';
import { MemoryLog } from '../support/memory-log.js';

const ENV = {
  WORKGROUP_NAME: 'seoul-population',
  DATABASE: 'dev',
  GLUE_DATABASE: 'seoul_population',
  SPECTRUM_ROLE_ARN: 'arn:aws:iam::123456789012:role/seoul-spectrum',
  LOADER_DB_USER: 'IAMR:seoulpopulation-loader-ap-northeast-2',
  ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:redshift!ns-admin-AbCdEf',
};

const base = {
  ServiceToken: 'arn:aws:lambda:ap-northeast-2:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: 'arn:aws:cloudformation:ap-northeast-2:123456789012:stack/warehouse/1',
  RequestId: 'request-1',
  LogicalResourceId: 'WarehouseSql',
  ResourceType: 'Custom::WarehouseSql',
  ResourceProperties: { ServiceToken: 'x', Digest: 'abc' },
};
const create = { ...base, RequestType: 'Create' } as CloudFormationCustomResourceEvent;
const update = {
  ...base,
  RequestType: 'Update',
  PhysicalResourceId: 'warehouse-sql:seoul-population/dev',
  OldResourceProperties: { ServiceToken: 'x', Digest: 'old' },
} as CloudFormationCustomResourceEvent;
const remove = {
  ...base,
  RequestType: 'Delete',
  PhysicalResourceId: 'warehouse-sql:seoul-population/dev',
} as CloudFormationCustomResourceEvent;

function setup(env: Record<string, string> = ENV, sqlDir = defaultSqlDir()) {
  const fake = new FakeRedshiftData();
  const log = new MemoryLog();
  const warehouse = new DataApiWarehouse({
    client: fake.asClient(),
    workgroupName: env.WORKGROUP_NAME ?? '',
    secretArn: ENV.ADMIN_SECRET_ARN,
    log,
    sleep: async () => undefined,
  });
  const run = (event: CloudFormationCustomResourceEvent) =>
    handleSqlResource(event, { warehouse, env, sqlDir, log });
  return { fake, run };
}

describe('sql-runner custom resource', () => {
  const files = loadSqlFiles(defaultSqlDir());
  const values = {
    glue_database: 'seoul_population',
    spectrum_role_arn: 'arn:aws:iam::123456789012:role/seoul-spectrum',
    loader_db_user: 'IAMR:seoulpopulation-loader-ap-northeast-2',
    database: 'dev',
    run_interval_minutes: '20',
  };
  const grantFiles = files.filter((file) => runsAsOneBatch(file.name));
  const statements = (before: boolean) =>
    files
      .filter((file) => !runsAsOneBatch(file.name) && runsBeforeMigrations(file.name) === before)
      .flatMap((file) => statementsOf(file, values));
  // Which tables exist, the schema and table files, the migrations recorded, the views.
  const expected = [
    EXISTING_TABLES_QUERY,
    ...statements(true),
    'SELECT migration_id, checksum FROM schema_migrations',
    ...statements(false),
  ];
  const migrations = loadMigrations(defaultSqlDir());
  const batched = grantFiles.map((file) => statementsOf(file, values));

  for (const event of [create, update]) {
    it(`runs every sql/ statement in order, one at a time, on ${event.RequestType}`, async () => {
      const { fake, run } = setup();
      const response = await run(event);

      const sent = fake.sent('ExecuteStatementCommand').map((call) => call.input);
      assert.deepEqual(
        sent.map((input) => input.Sql),
        expected,
      );
      // Exactly these Data API parameters: the workgroup, the database, and the namespace's admin
      // secret to sign in with (no DbUser, no ClusterIdentifier, nothing else).
      for (const input of sent) {
        assert.deepEqual(Object.keys(input).sort(), ['Database', 'SecretArn', 'Sql', 'WorkgroupName']);
        assert.equal(input.WorkgroupName, 'seoul-population');
        assert.equal(input.Database, 'dev');
        assert.equal(input.SecretArn, ENV.ADMIN_SECRET_ARN);
      }
      // The grant file goes as one batch (one session, one transaction), after every other file.
      const batches = fake.sent('BatchExecuteStatementCommand').map((call) => call.input);
      assert.deepEqual(
        batches,
        batched.map((sqls) => ({
          WorkgroupName: 'seoul-population',
          Database: 'dev',
          SecretArn: ENV.ADMIN_SECRET_ARN,
          Sqls: sqls,
        })),
      );
      assert.equal(grantFiles.length, 1);
      assert.match(
        sent[1]?.Sql ?? '',
        /^CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum\nFROM DATA CATALOG\nDATABASE 'seoul_population'\nIAM_ROLE 'arn:aws:iam::123456789012:role\/seoul-spectrum'$/,
      );
      // Each statement is waited for before the next is sent.
      const order = fake.calls.map((call) => call.command);
      assert.deepEqual(order.slice(0, 6), [
        'ExecuteStatementCommand',
        'DescribeStatementCommand',
        'GetStatementResultCommand',
        'ExecuteStatementCommand',
        'DescribeStatementCommand',
        'ExecuteStatementCommand',
      ]);
      assert.deepEqual(response, {
        PhysicalResourceId: 'warehouse-sql:seoul-population/dev',
        Data: {
          Files: files.length,
          Statements: expected.length - 2 + batched.flat().length,
          Migrations: migrations.length,
          MigrationsApplied: '-',
          Digest: sqlFilesDigest(
            files,
            migrations.map((m) => `${m.id}:${m.checksum}`),
          ),
        },
      });
    });
  }

  it('keeps tables and views on Delete: nothing is sent', async () => {
    const { fake, run } = setup();
    assert.deepEqual(await run(remove), { PhysicalResourceId: 'warehouse-sql:seoul-population/dev' });
    assert.equal(fake.calls.length, 0);
  });

  it('stops at the first failing statement and names the file, statement and statement id', async () => {
    const { fake, run } = setup();
    fake.statuses.set(4, [{ Status: 'FAILED', Error: 'ERROR: permission denied for schema public' }]);
    await assert.rejects(run(create), (error: Error & { statementId?: string }) => {
      assert.match(
        error.message,
        /^11_table_load_log\.sql, statement 1 of 1: statement stmt-4 FAILED: ERROR: permission denied/,
      );
      assert.equal(error.statementId, 'stmt-4');
      return true;
    });
    assert.equal(fake.sent('ExecuteStatementCommand').length, 4);
  });

  it('sends nothing when a deployment value is missing or not what it should be', async () => {
    for (const [env, message] of [
      [{ ...ENV, SPECTRUM_ROLE_ARN: '' }, /SPECTRUM_ROLE_ARN must be an IAM role ARN/],
      [
        { ...ENV, GLUE_DATABASE: "lake'; DROP TABLE population; --" },
        /GLUE_DATABASE must be a Glue database name/,
      ],
      [{ ...ENV, WORKGROUP_NAME: '' }, /WORKGROUP_NAME is not set/],
      [{ ...ENV, LOADER_DB_USER: '' }, /LOADER_DB_USER must be IAMR:/],
      [{ ...ENV, LOADER_DB_USER: 'IAMR:x" WITH CREATEUSER; --' }, /LOADER_DB_USER must be IAMR:/],
      [{ ...ENV, LOADER_DB_USER: 'pipeline_admin' }, /LOADER_DB_USER must be IAMR:/],
    ] as const) {
      const { fake, run } = setup(env);
      await assert.rejects(run(create), message);
      assert.equal(fake.calls.length, 0);
    }
  });

  it('reads the files from SQL_DIR when the bundle has them elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sql-dir-'));
    writeFileSync(
      join(dir, '01_one.sql'),
      'CREATE TABLE IF NOT EXISTS one (a INTEGER);\n-- trailing comment\n',
    );
    writeFileSync(join(dir, '02_two.sql'), "CREATE VIEW two AS SELECT 'a;b' AS x;");
    writeFileSync(join(dir, 'README.md'), 'not SQL');
    const { fake, run } = setup(ENV, dir);
    await run(create);
    assert.deepEqual(
      fake.sent('ExecuteStatementCommand').map((call) => call.input.Sql),
      [
        EXISTING_TABLES_QUERY,
        'SELECT migration_id, checksum FROM schema_migrations',
        'CREATE TABLE IF NOT EXISTS one (a INTEGER)',
        "CREATE VIEW two AS SELECT 'a;b' AS x",
      ],
    );
  });
});
