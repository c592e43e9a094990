import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../lambdas/cli/analysis/duckdb-warehouse.js';
import { POPULATION } from '../../lambdas/core/datasets/citydata-ppltn/tables.js';
import { type ColumnSpec, SCHEMA_MIGRATIONS, type TableSpec } from '../../lambdas/core/schema.js';
import { applyMigrations, existingTables } from '../../lambdas/core/warehouse/migrations/apply.js';
import { migrationFileText } from '../../lambdas/core/warehouse/migrations/files.js';
import {
  currentSnapshot,
  fileVersions,
  type Journal,
  newJournal,
} from '../../lambdas/core/warehouse/migrations/journal.js';
import { journalEntry, planMigration } from '../../lambdas/core/warehouse/migrations/plan.js';
import { splitStatements } from '../../lambdas/core/warehouse/sql-text.js';
import { MemoryLog } from '../support/memory-log.js';

/** A table of the schema with its columns changed, as one edit of schema.ts would change it. */
const withColumns = (table: TableSpec, columns: readonly ColumnSpec[]): TableSpec => ({ ...table, columns });
const NEW: ColumnSpec = {
  name: 'forecast_hours',
  type: 'int32',
  source: 'entries of FCST_PPLTN',
  nullable: true,
};
const baseline = newJournal([POPULATION]);
const plan = (tables: readonly TableSpec[], destructive = false) =>
  planMigration(currentSnapshot(baseline), tables, { destructive });

describe('the migration generator (npm run generate:sql)', () => {
  it('has nothing to do when the schema is the snapshot', () => {
    assert.equal(plan([POPULATION]).empty, true);
  });

  it('adds a nullable column appended to a table: one ALTER TABLE … ADD COLUMN', () => {
    const p = plan([withColumns(POPULATION, [...POPULATION.columns, NEW])]);
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.statements, ['ALTER TABLE population ADD COLUMN forecast_hours INTEGER']);
    assert.equal(p.slug, 'population_add_forecast_hours');
    assert.deepEqual(Object.keys(p.tables), ['population']);
  });

  it('widens a VARCHAR in place', () => {
    const columns = POPULATION.columns.map((c) => (c.name === 'area_name' ? { ...c, maxBytes: 512 } : c));
    const p = plan([withColumns(POPULATION, columns)]);
    assert.deepEqual(p.statements, ['ALTER TABLE population ALTER COLUMN area_name TYPE VARCHAR(512)']);
    assert.deepEqual(p.refused, []);
  });

  it('keeps a widening in a migration of its own: with any other change it is refused, saying how', () => {
    const wider = (c: ColumnSpec) => (c.name === 'area_name' ? { ...c, maxBytes: 512 } : c);
    for (const columns of [
      [...POPULATION.columns.map(wider), NEW],
      POPULATION.columns.map(wider).filter((c) => c.name !== 'replace_yn'),
    ]) {
      const p = plan([withColumns(POPULATION, columns)], true);
      assert.ok(
        p.refused.some((r) => /a VARCHAR widened goes in a migration of its own/.test(r)),
        JSON.stringify(p.refused),
      );
    }
    const two = POPULATION.columns.map((c) =>
      c.name === 'area_name' || c.name === 'category' ? { ...c, maxBytes: 512 } : c,
    );
    assert.deepEqual(plan([withColumns(POPULATION, two)]).refused, [], 'two widenings are one migration');
  });

  it('refuses every change that loses history or breaks old files, each with what to do', () => {
    const cols = POPULATION.columns;
    const cases: Record<string, [readonly ColumnSpec[], RegExp]> = {
      'a column removed': [
        cols.filter((c) => c.name !== 'replace_yn'),
        /population\.replace_yn is gone.*--destructive/,
      ],
      'a column renamed': [
        cols.map((c) => (c.name === 'replace_yn' ? { ...c, name: 'replaced' } : c)),
        /replace_yn is gone .*renamed to replaced.*Renaming a column/,
      ],
      'a column added as NOT NULL': [
        [...cols, { ...NEW, nullable: false }],
        /forecast_hours is added as NOT NULL/,
      ],
      'a column added between others': [
        [NEW, ...cols],
        /forecast_hours is added between existing columns: put it after population_time/,
      ],
      'a type changed': [
        cols.map((c) => (c.name === 'area_population_min' ? { ...c, type: 'int64' as const } : c)),
        /area_population_min changed from int32 NOT NULL to int64 NOT NULL/,
      ],
      'a VARCHAR narrowed': [
        cols.map((c) => (c.name === 'area_name' ? { ...c, maxBytes: 128 } : c)),
        /area_name changed from VARCHAR\(256\) NOT NULL to VARCHAR\(128\) NOT NULL/,
      ],
      'NOT NULL dropped': [
        cols.map((c) => (c.name === 'area_name' ? { ...c, nullable: true } : c)),
        /area_name changed from VARCHAR\(256\) NOT NULL to VARCHAR\(256\)/,
      ],
      'columns reordered': [[cols[1], cols[0], ...cols.slice(2)] as ColumnSpec[], /columns reordered/],
    };
    for (const [name, [columns, reason]] of Object.entries(cases)) {
      const p = plan([withColumns(POPULATION, columns)]);
      assert.equal(p.statements.length === 0 || p.refused.length > 0, true, name);
      assert.ok(
        p.refused.some((r) => reason.test(r)),
        `${name}: ${JSON.stringify(p.refused)}`,
      );
    }
    assert.match(plan([]).refused[0] ?? '', /table population is gone from the schema/);
  });

  it('drops a removed column only when --destructive says it is meant, and marks older files stale', () => {
    const p = plan(
      [
        withColumns(
          POPULATION,
          POPULATION.columns.filter((c) => c.name !== 'replace_yn'),
        ),
      ],
      true,
    );
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.statements, ['ALTER TABLE population DROP COLUMN replace_yn CASCADE']);
    assert.equal(p.destructive, true);
    const journal: Journal = {
      ...baseline,
      migrations: [journalEntry('0001_population_drop_replace_yn', p)],
    };
    assert.deepEqual(
      fileVersions(journal, 'population').map((v) => [v.version, v.columns.length, v.stale]),
      [
        [1, POPULATION.columns.length, true],
        [2, POPULATION.columns.length - 1, false],
      ],
    );
  });

  it('records a new table without a statement (its CREATE TABLE file makes it)', () => {
    const p = plan([POPULATION, SCHEMA_MIGRATIONS]);
    assert.deepEqual(p.statements, []);
    assert.deepEqual(Object.keys(p.tables), ['schema_migrations']);
    assert.equal(p.empty, false);
  });

  it('keeps the versions of a table’s files: the baseline, then one per migration of it', () => {
    const p = plan([withColumns(POPULATION, [...POPULATION.columns, NEW])]);
    const journal: Journal = {
      ...baseline,
      migrations: [journalEntry('0001_population_add_forecast_hours', p)],
    };
    const versions = fileVersions(journal, 'population');
    assert.deepEqual(
      versions.map((v) => [v.version, v.columns.at(-1)?.name, v.migration]),
      [
        [1, 'population_time', undefined],
        [2, 'forecast_hours', '0001_population_add_forecast_hours'],
      ],
    );
    assert.equal(plan([withColumns(POPULATION, [...POPULATION.columns, NEW])]).empty, false);
    assert.equal(
      planMigration(currentSnapshot(journal), [withColumns(POPULATION, [...POPULATION.columns, NEW])]).empty,
      true,
      'after the migration, the snapshot is the schema',
    );
  });
});

describe('applying migrations once (the SQL runner and the local analysis database, run on DuckDB)', () => {
  const ddl = (table: TableSpec) =>
    `CREATE TABLE IF NOT EXISTS ${table.name} (${table.columns
      .map(
        (c) =>
          `${c.name} ${c.type === 'string' ? `VARCHAR(${c.maxBytes})` : c.type === 'int32' ? 'INTEGER' : c.type === 'double' ? 'DOUBLE PRECISION' : c.type.toUpperCase()}${c.nullable ? '' : ' NOT NULL'}`,
      )
      .join(', ')})`;
  const p = planMigration(currentSnapshot(newJournal([POPULATION])), [
    withColumns(POPULATION, [...POPULATION.columns, NEW]),
  ]);
  const text = migrationFileText('0001_population_add_forecast_hours', p.changes, p.statements);
  const migration = {
    id: '0001_population_add_forecast_hours',
    statements: splitStatements(text),
    tables: ['population'],
    checksum: 'c1',
  };

  async function warehouse() {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    return { connection, warehouse: new DuckDbWarehouse(connection), close: () => instance.closeSync() };
  }
  const columnsOf = async (w: DuckDbWarehouse) =>
    (
      await w.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'population' ORDER BY ordinal_position",
      )
    ).map((r) => r.column_name);

  it('alters a table made before the migration, once: its rows get NULL, a second deploy changes nothing', async () => {
    const { connection, warehouse: w, close } = await warehouse();
    try {
      await connection.run(ddl(POPULATION));
      await connection.run(
        `INSERT INTO population SELECT ${POPULATION.columns.map((c) => (c.type === 'string' ? `'x'` : c.type === 'timestamp' ? "TIMESTAMP '2026-07-16 05:20:00'" : c.type === 'boolean' ? 'false' : '1')).join(', ')}`,
      );
      const before = await existingTables(w);
      await connection.run(ddl(SCHEMA_MIGRATIONS));
      const first = await applyMigrations(
        w,
        [migration],
        before,
        new MemoryLog(),
        () => new Date('2026-08-01T00:00:00Z'),
      );
      assert.deepEqual(first, { applied: [migration.id], recorded: [], already: 0 });
      assert.equal((await columnsOf(w)).at(-1), 'forecast_hours');
      assert.deepEqual(await w.query('SELECT forecast_hours FROM population'), [{ forecast_hours: null }]);
      assert.deepEqual(
        await w.query('SELECT migration_id, statements_run, applied_at FROM schema_migrations'),
        [{ migration_id: migration.id, statements_run: 1, applied_at: '2026-08-01 00:00:00' }],
      );
      const second = await applyMigrations(w, [migration], await existingTables(w), new MemoryLog());
      assert.deepEqual(second, { applied: [], recorded: [], already: 1 });
    } finally {
      close();
    }
  });

  it('only records the migration on a warehouse whose table is created now with its current columns', async () => {
    const { connection, warehouse: w, close } = await warehouse();
    try {
      const before = await existingTables(w);
      await connection.run(ddl(withColumns(POPULATION, [...POPULATION.columns, NEW])));
      await connection.run(ddl(SCHEMA_MIGRATIONS));
      const result = await applyMigrations(w, [migration], before, new MemoryLog());
      assert.deepEqual(result, { applied: [], recorded: [migration.id], already: 0 });
      assert.deepEqual(await w.query('SELECT statements_run FROM schema_migrations'), [
        { statements_run: 0 },
      ]);
    } finally {
      close();
    }
  });

  it('runs a widening statement by statement, never in a batch (Redshift cannot alter a column in a transaction), then records it', async () => {
    const { connection, warehouse: w, close } = await warehouse();
    try {
      await connection.run(ddl(POPULATION));
      const before = await existingTables(w);
      await connection.run(ddl(SCHEMA_MIGRATIONS));
      const wider = POPULATION.columns.map((c) =>
        c.name === 'area_name' || c.name === 'category' ? { ...c, maxBytes: 512 } : c,
      );
      const widen = planMigration(currentSnapshot(baseline), [withColumns(POPULATION, wider)]);
      const id = '0001_population_widen_area_name_and_population_widen_category';
      const sent: { how: string; sql: string }[] = [];
      const recording = {
        query: (sql: string) => w.query(sql),
        execute: (sql: string, params?: Parameters<DuckDbWarehouse['execute']>[1]) => {
          sent.push({ how: 'execute', sql });
          return w.execute(sql, params);
        },
        batch: (sqls: readonly string[], params?: Parameters<DuckDbWarehouse['batch']>[1]) => {
          for (const sql of sqls) sent.push({ how: 'batch', sql });
          return w.batch(sqls, params);
        },
      };
      const result = await applyMigrations(
        recording,
        [{ id, statements: widen.statements, tables: ['population'], checksum: 'w1' }],
        before,
        new MemoryLog(),
      );
      assert.deepEqual(result.applied, [id]);
      assert.deepEqual(
        sent.map((s) => [s.how, s.sql.slice(0, 60)]),
        [
          ['execute', 'ALTER TABLE population ALTER COLUMN area_name TYPE VARCHAR(5'],
          ['execute', 'ALTER TABLE population ALTER COLUMN category TYPE VARCHAR(51'],
          ['execute', 'INSERT INTO schema_migrations (migration_id, checksum, state'],
        ],
      );
      assert.deepEqual(await w.query('SELECT migration_id, statements_run FROM schema_migrations'), [
        { migration_id: id, statements_run: 2 },
      ]);
    } finally {
      close();
    }
  });

  it('runs the destructive statement, DROP COLUMN … CASCADE, with a view reading the column (on Redshift the view files make the views again after the migrations)', async () => {
    const { connection, warehouse: w, close } = await warehouse();
    try {
      await connection.run(ddl(POPULATION));
      await connection.run('CREATE VIEW v_replaced AS SELECT area_code, replace_yn FROM population');
      const before = await existingTables(w);
      await connection.run(ddl(SCHEMA_MIGRATIONS));
      const drop = planMigration(
        currentSnapshot(baseline),
        [
          withColumns(
            POPULATION,
            POPULATION.columns.filter((c) => c.name !== 'replace_yn'),
          ),
        ],
        { destructive: true },
      );
      const id = '0001_population_drop_replace_yn';
      await applyMigrations(
        w,
        [{ id, statements: drop.statements, tables: ['population'], checksum: 'd1' }],
        before,
        new MemoryLog(),
      );
      assert.equal((await columnsOf(w)).includes('replace_yn'), false);
    } finally {
      close();
    }
  });

  it('refuses a migration whose file changed after it was applied, and applies nothing half', async () => {
    const { connection, warehouse: w, close } = await warehouse();
    try {
      await connection.run(ddl(POPULATION));
      const before = await existingTables(w);
      await connection.run(ddl(SCHEMA_MIGRATIONS));
      await applyMigrations(w, [migration], before, new MemoryLog());
      await assert.rejects(
        applyMigrations(w, [{ ...migration, checksum: 'c2' }], before, new MemoryLog()),
        /was applied, and its file has changed since/,
      );
      const broken = {
        ...migration,
        id: '0002_broken',
        statements: ['ALTER TABLE population ADD COLUMN x INTEGER', 'SELECT nonsense FROM nowhere'],
      };
      await assert.rejects(
        applyMigrations(w, [migration, broken], before, new MemoryLog()),
        /migration 0002_broken/,
      );
      assert.equal((await columnsOf(w)).includes('x'), false, 'the failed migration left nothing');
      assert.deepEqual(
        (await w.query('SELECT migration_id FROM schema_migrations')).map((r) => r.migration_id),
        [migration.id],
      );
    } finally {
      close();
    }
  });
});
