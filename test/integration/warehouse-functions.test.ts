import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { objectKey, partitionValuesFor } from '../../lambdas/core/lake/partitions.js';
import { TABLES } from '../../lambdas/core/tables.js';
import { EXISTING_TABLES_QUERY, MIGRATIONS_TABLE } from '../../lambdas/core/warehouse/migrations/apply.js';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import { recordAs } from '../access/recorder.js';
import { lambdaContext } from '../support/lambda-context.js';
import { createBucket, createSecret, s3 } from './support/aws.js';
import { DataApiEmulator } from './support/data-api-emulator.js';
import { uniqueName } from './support/environment.js';

/**
 * The two warehouse functions as Lambda runs them (handlers, environment, real SDK clients), with
 * the lake in moto's S3 and the Redshift Data API played by an emulator: the SQL runner applies
 * sql/ as the namespace's admin (the admin secret), the loader COPYs the lake's new partitions as
 * its own IAM identity (no secret). Their AWS calls are recorded for the access proof.
 */
describe('warehouse functions against S3 and the Data API', () => {
  const dataApi = new DataApiEmulator();
  const bucket = uniqueName('lake');
  const workgroup = uniqueName('seoul-wg');
  const spectrumRole = 'arn:aws:iam::123456789012:role/seoul-spectrum';
  // A partition an hour old: inside the loader's look-back, past its settle time.
  const partition = partitionValuesFor(new Date(Date.now() - 60 * 60 * 1000));
  let adminSecretArn: string;
  let loader: (event: unknown) => Promise<{ loaded: { table: string }[]; failed: unknown[] }>;
  let sqlRunner: (event: CloudFormationCustomResourceEvent) => Promise<{ Data?: Record<string, unknown> }>;

  before(async () => {
    const endpoint = await dataApi.start();
    await createBucket(bucket);
    for (const table of TABLES) {
      // The loader only lists the files; COPY reads them inside Redshift. The bytes do not matter.
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey(table.name, partition, 'part-0.parquet'),
          Body: 'PAR1',
        }),
      );
    }
    adminSecretArn = await createSecret(
      uniqueName('redshift-admin'),
      JSON.stringify({ username: 'pipeline_admin', password: 'x' }),
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint,
      WORKGROUP_NAME: workgroup,
      DATABASE: 'dev',
      GLUE_DATABASE: 'seoul_population',
      SPECTRUM_ROLE_ARN: spectrumRole,
      LAKE_BUCKET: bucket,
      RUN_INTERVAL_MINUTES: '20',
      ADMIN_SECRET_ARN: adminSecretArn,
      LOADER_DB_USER: 'IAMR:seoul-loader',
      POWERTOOLS_SERVICE_NAME: 'seoul-population',
      POWERTOOLS_METRICS_NAMESPACE: 'SeoulPopulation',
      LOG_LEVEL: 'ERROR',
    });
    // Imported only now: like on Lambda, the handlers read their environment when loaded.
    const loaderHandler = (await import('../../lambdas/loader/handler.js')).handler;
    const sqlRunnerHandler = (await import('../../lambdas/sql-runner/handler.js')).handler;
    // The loader's timeout in the stack is 15 minutes; it stops starting partitions near its end.
    const loaderContext = { ...lambdaContext('loader'), getRemainingTimeInMillis: () => 15 * 60_000 };
    loader = (event) =>
      recordAs({ as: 'function', handler: 'loader' }, () => loaderHandler(event as never, loaderContext));
    sqlRunner = (event) =>
      recordAs({ as: 'function', handler: 'sql-runner' }, () =>
        sqlRunnerHandler(event, lambdaContext('sql')),
      );
  });

  after(() => dataApi.stop());

  it('the SQL runner applies every sql/ file through the Data API, signed in with the admin secret', async () => {
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:ap-northeast-2:123456789012:function:provider',
      ResponseURL: 'https://example.invalid/',
      StackId: 'arn:aws:cloudformation:ap-northeast-2:123456789012:stack/s/1',
      RequestId: 'r1',
      LogicalResourceId: 'Sql',
      ResourceType: 'Custom::RedshiftSql',
      ResourceProperties: { ServiceToken: 'x' },
    } as CloudFormationCustomResourceEvent;
    const before = dataApi.received.length;
    const result = await sqlRunner(event);
    const sent = dataApi.received.slice(before);
    const files = readdirSync(join(PROJECT_ROOT, 'sql')).filter((f) => f.endsWith('.sql'));
    assert.equal(result.Data?.Files, files.length);
    // The runner also reads which tables exist and which migrations are recorded, before it migrates.
    const reads = sent
      .flatMap((s) => s.sqls)
      .filter((sql) => sql === EXISTING_TABLES_QUERY || sql.includes(`FROM ${MIGRATIONS_TABLE}`));
    assert.deepEqual(reads, [
      EXISTING_TABLES_QUERY,
      `SELECT migration_id, checksum FROM ${MIGRATIONS_TABLE}`,
    ]);
    assert.equal(
      sent.flatMap((s) => s.sqls).length - reads.length,
      result.Data?.Statements,
      'every statement reached the Data API',
    );
    assert.ok(sent.length > 0);
    for (const statement of sent) {
      assert.equal(statement.secretArn, adminSecretArn);
      assert.equal(statement.workgroupName, workgroup);
      assert.equal(statement.database, 'dev');
    }
  });

  it('the loader COPYs each new partition of the three tables as its own IAM identity', async () => {
    const before = dataApi.received.length;
    const result = await loader({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    const sent = dataApi.received.slice(before);
    assert.deepEqual(result.failed, []);
    assert.deepEqual(result.loaded.map((p) => p.table).sort(), TABLES.map((t) => t.name).sort());
    assert.ok(sent.every((s) => s.secretArn === undefined && s.workgroupName === workgroup));
    const copies = sent.flatMap((s) => s.sqls).filter((sql) => /^\s*COPY\b/i.test(sql));
    assert.equal(copies.length, TABLES.length, 'one COPY per partition');
    for (const copy of copies) {
      assert.match(copy, new RegExp(`s3://${bucket}/`));
      assert.match(copy, new RegExp(spectrumRole));
    }
  });
});
