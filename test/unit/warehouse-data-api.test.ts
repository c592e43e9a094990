import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataApiWarehouse } from '../../lambdas/core/warehouse/data-api.js';
import { SqlTemplateError, WarehouseStatementError } from '../../lambdas/core/warehouse/errors.js';
import { FakeRedshiftData, resultPage } from '../support/fake-redshift-data.js';
import { MemoryLog } from '../support/memory-log.js';

function warehouseOver(fake: FakeRedshiftData, options: { timeoutMs?: number } = {}) {
  const sleeps: number[] = [];
  const warehouse = new DataApiWarehouse({
    client: fake.asClient(),
    workgroupName: 'seoul-population',
    database: 'analytics',
    log: new MemoryLog(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { warehouse, sleeps };
}

describe('DataApiWarehouse', () => {
  it('submits a statement to the workgroup with its parameters bound, then polls until it finishes', async () => {
    const fake = new FakeRedshiftData();
    fake.statuses.set(1, [
      { Status: 'SUBMITTED' },
      { Status: 'STARTED' },
      { Status: 'STARTED' },
      { Status: 'FINISHED' },
    ]);
    const { warehouse, sleeps } = warehouseOver(fake);

    const id = await warehouse.execute('DELETE FROM load_log WHERE table_name = :table_name', {
      table_name: 'population',
    });

    assert.equal(id, 'stmt-1');
    assert.deepEqual(fake.sent('ExecuteStatementCommand')[0]?.input, {
      WorkgroupName: 'seoul-population',
      Database: 'analytics',
      Sql: 'DELETE FROM load_log WHERE table_name = :table_name',
      Parameters: [{ name: 'table_name', value: 'population' }],
    });
    assert.equal(fake.sent('DescribeStatementCommand').length, 4);
    assert.deepEqual(sleeps, [250, 500, 1000], 'backs off between polls');
  });

  it('sends no Parameters at all for a statement without any', async () => {
    const fake = new FakeRedshiftData();
    await warehouseOver(fake).warehouse.execute('CREATE TABLE IF NOT EXISTS t (a INTEGER)');
    assert.equal('Parameters' in (fake.sent('ExecuteStatementCommand')[0]?.input ?? {}), false);
  });

  it('defaults the database to dev', async () => {
    const fake = new FakeRedshiftData();
    const warehouse = new DataApiWarehouse({
      client: fake.asClient(),
      workgroupName: 'wg',
      log: new MemoryLog(),
    });
    await warehouse.execute('SELECT 1');
    assert.equal(fake.sent('ExecuteStatementCommand')[0]?.input.Database, 'dev');
  });

  it('fails with the statement id and Redshift error when a statement fails', async () => {
    const fake = new FakeRedshiftData();
    fake.statuses.set(1, [{ Status: 'FAILED', Error: 'ERROR: relation "population" does not exist' }]);
    const { warehouse } = warehouseOver(fake);
    await assert.rejects(warehouse.execute('SELECT count(*) FROM population'), (error: unknown) => {
      assert.ok(error instanceof WarehouseStatementError);
      assert.equal(error.statementId, 'stmt-1');
      assert.match(error.message, /statement stmt-1 FAILED: ERROR: relation "population" does not exist/);
      assert.match(error.message, /SELECT count\(\*\) FROM population/);
      return true;
    });
  });

  it('names the failing statement of a batch', async () => {
    const fake = new FakeRedshiftData();
    fake.statuses.set(1, [
      {
        Status: 'FAILED',
        Error: 'batch failed',
        SubStatements: [
          { Id: 'stmt-1:1', Status: 'FINISHED' },
          {
            Id: 'stmt-1:2',
            Status: 'FAILED',
            Error: 'ERROR: S3ServiceException: Access Denied',
            QueryString: 'COPY stage_population FROM ...',
          },
          { Id: 'stmt-1:3', Status: 'ABORTED' },
        ],
      },
    ]);
    const { warehouse } = warehouseOver(fake);
    await assert.rejects(
      warehouse.batch(['CREATE TEMP TABLE s (a INTEGER)', 'COPY ...', 'SELECT 1']),
      (error: unknown) => {
        assert.ok(error instanceof WarehouseStatementError);
        assert.equal(error.statementId, 'stmt-1:2');
        assert.match(
          error.message,
          /batch stmt-1 FAILED: statement stmt-1:2 \(#2 of 3\) FAILED: ERROR: S3ServiceException: Access Denied/,
        );
        return true;
      },
    );
  });

  it('sends a batch as one BatchExecuteStatement with the parameters shared by its statements', async () => {
    const fake = new FakeRedshiftData();
    await warehouseOver(fake).warehouse.batch(
      ['DELETE FROM t WHERE a = :a', 'INSERT INTO t VALUES (:a, :b)'],
      { a: 1, b: 'x' },
    );
    assert.deepEqual(fake.sent('BatchExecuteStatementCommand')[0]?.input, {
      WorkgroupName: 'seoul-population',
      Database: 'analytics',
      Sqls: ['DELETE FROM t WHERE a = :a', 'INSERT INTO t VALUES (:a, :b)'],
      Parameters: [
        { name: 'a', value: '1' },
        { name: 'b', value: 'x' },
      ],
    });
  });

  it('reads every page of a query result, columns by name and NULLs as null', async () => {
    const fake = new FakeRedshiftData();
    fake.results.set(1, [
      resultPage(['table_name', 'file_count'], [['population', 2]], '1'),
      resultPage(['table_name', 'file_count'], [[null, 3]]),
    ]);
    const rows = await warehouseOver(fake).warehouse.query('SELECT table_name, file_count FROM load_log');
    assert.deepEqual(rows, [
      { table_name: 'population', file_count: 2 },
      { table_name: null, file_count: 3 },
    ]);
    assert.deepEqual(
      fake.sent('GetStatementResultCommand').map((call) => call.input),
      [{ Id: 'stmt-1' }, { Id: 'stmt-1', NextToken: '1' }],
    );
  });

  it('refuses, before sending anything, a parameter that is missing, unused or empty', async () => {
    const fake = new FakeRedshiftData();
    const { warehouse } = warehouseOver(fake);
    await assert.rejects(warehouse.execute('SELECT :a, :b', { a: '1' }), /no value for parameter\(s\) :b/);
    await assert.rejects(warehouse.execute('SELECT :a', { a: '1', c: '2' }), /not used by any statement: c/);
    await assert.rejects(warehouse.execute('SELECT :a', { a: '' }), SqlTemplateError);
    assert.equal(fake.calls.length, 0);
  });

  it('does not take a cast or a colon inside a literal for a parameter', async () => {
    const fake = new FakeRedshiftData();
    await warehouseOver(fake).warehouse.execute("SELECT '12:30'::time, 's3://bucket/x' -- :not_a_parameter");
    assert.equal(fake.calls.length, 2);
  });

  it('cancels a statement that runs past the time limit, and says so with its id', async () => {
    const fake = new FakeRedshiftData();
    fake.statuses.set(1, [{ Status: 'STARTED' }]);
    const { warehouse } = warehouseOver(fake, { timeoutMs: -1 });
    await assert.rejects(
      warehouse.execute('SELECT 1'),
      /statement stmt-1 still STARTED after 0 s; cancelled/,
    );
    assert.deepEqual(fake.sent('CancelStatementCommand')[0]?.input, { Id: 'stmt-1' });
  });
});
