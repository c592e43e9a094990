import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runOnce } from '../../lambdas/cli/pipeline/runner.js';
import { InProcessQueue } from '../../lambdas/cli/transport/in-process-queue.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { synthesize } from '../infra/support/synth.js';
import { parseCsvWithPython } from '../journeys/support/python.js';
import { Sandbox } from '../journeys/support/sandbox.js';
import { MemoryLog } from '../support/memory-log.js';
import { type Era, RecordedApi, recordedRecord } from '../support/recorded-api.js';

/**
 * A column added on a lake with history, the API's real history as the case (issue 20, items 1
 * and 4). The lake is written by the code as it is (version 1 of every table): three runs from
 * answers of the era without the forecast list (the recorded answer of 2026-09-07), three from
 * answers with it (2026-07-16). Then, in a copy of the repository, the one edit: a column
 * `forecast_hours` at the end of `population`, reading how many entries FCST_PPLTN holds. The
 * commands a person runs, run in the copy as processes on that old lake: `generate:sql` writes the
 * migration; `query`, `report` (its analysis database made before the column: migrated once) and
 * `check` work on the old files; `replay` fills the column from raw/ where the stored answers
 * carried the list; the loader's merge takes old and new files of one partition on DuckDB.
 * Oracles: the recorded answers (how many forecast entries each era's answer holds), read here as
 * JSON, and the CSV output read with Python's csv module.
 */

const PLACES = ['POI009', 'POI072'].map((code) => findPlace(code) as Place);
const SLOTS = Array.from(
  { length: 6 },
  (_, i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000),
);
const ERA_OF = (slot: number): Era => (slot < 3 ? 'without-forecast' : 'with-forecast');
/** The oracle: what the new column must hold for an answer of each era, counted from the recorded JSON. */
const HOURS: Record<Era, string> = {
  'without-forecast': String(
    (recordedRecord('without-forecast').FCST_PPLTN as unknown[] | undefined)?.length ?? '',
  ),
  'with-forecast': String((recordedRecord('with-forecast').FCST_PPLTN as unknown[]).length),
};
const TABLES_FILE = 'lambdas/core/datasets/citydata-ppltn/tables.ts';
const ADDED_COLUMN = `    {
      name: 'forecast_hours',
      type: 'int32',
      source: 'FCST_PPLTN: how many forecast hours the answer holds',
      field: { name: 'FCST_PPLTN', read: 'count' },
      nullable: true,
    },`;

/** Writes the lake with the code as it is now: every table at version 1. */
async function writeOldLake(lake: string, places: readonly Place[] = PLACES): Promise<void> {
  let clock = SLOTS[0] as Date;
  const api = new RecordedApi(() => clock);
  const baseUrl = await api.start();
  const log = new MemoryLog();
  const store = new LocalFolderStore(lake);
  try {
    const client = new SeoulApiClient({ baseUrl, apiKey: 'schema-change-key', timeoutMs: 10_000, log });
    const transport = new InProcessQueue({
      deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
      log,
    });
    for (const [index, slot] of SLOTS.entries()) {
      api.era = ERA_OF(index);
      clock = new Date(slot.getTime() + 30_000);
      await runOnce(
        { client, places, transport, store, log, concurrency: 2, runTimeoutMs: 60_000, simulated: false },
        slot,
      );
    }
    await transport.close();
  } finally {
    await api.stop();
  }
}

/** A resource of a synthesized template, as far as this test reads it. */
interface Resource {
  readonly Type: string;
  readonly Properties?: {
    readonly TableInput?: {
      readonly Name: string;
      readonly StorageDescriptor: { readonly Columns: { Name: string; Type: string }[] };
    };
    readonly SqlDigest?: string;
  };
}

/** The population Glue table and the SQL resource's digest, as the repository (before the edit) synthesizes them. */
function glueAndDigests(): [{ id: string; columns: string[] }, [string, string][]] {
  const s = synthesize();
  const all = [s.data, s.pipeline].flatMap((t) =>
    Object.entries(t.toJSON().Resources as Record<string, Resource>),
  );
  const [id, table] = all.find(
    ([, r]) => r.Type === 'AWS::Glue::Table' && r.Properties?.TableInput?.Name === 'population',
  ) as [string, Resource];
  const columns = (table.Properties?.TableInput?.StorageDescriptor.Columns ?? []).map(
    (c) => `${c.Name} ${c.Type}`,
  );
  const digests = all
    .filter(([, r]) => r.Properties?.SqlDigest)
    .map(([id, r]) => [id, String(r.Properties?.SqlDigest)] as [string, string]);
  return [{ id, columns }, digests];
}

const files = (lake: string, table: string) =>
  readdirSync(join(lake, table), { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.parquet'))
    .sort();

describe('a column added on a lake with history: every command still works', () => {
  let sandbox: Sandbox;
  let lake: string;
  const run = (command: string) => sandbox.run(command, { timeoutMs: 300_000 });
  /** Runs a script in the copy, with the copy's code: what a person's own script would see. */
  const probe = async (name: string, code: string, args = '') => {
    writeFileSync(sandbox.path(name), code);
    const result = await run(`node --import tsx ${name} ${args}`);
    assert.equal(result.status, 0, result.screen);
    return result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  };
  const column = async () => {
    const result = await run(
      `npm run -s query -- --lake ${lake} --format csv "SELECT area_code, strftime(collected_at, '%H:%M') AS at, forecast_hours FROM population ORDER BY collected_at, area_code"`,
    );
    assert.equal(result.status, 0, result.screen);
    const [header, ...rows] = parseCsvWithPython(result.stdout);
    assert.deepEqual(header, ['area_code', 'at', 'forecast_hours']);
    return rows;
  };

  before(async () => {
    sandbox = new Sandbox('');
    lake = mkdtempSync(join(tmpdir(), 'schema-change-lake-'));
    await writeOldLake(lake);
    // The analysis database, made by the code before the change (as a person's report would have).
    const report = await run(`npm run report -- --lake ${lake}`);
    assert.equal(report.status, 0, report.screen);
    // The one edit: the column at the end of population's columns.
    const path = sandbox.path(TABLES_FILE);
    const text = readFileSync(path, 'utf8');
    const end = "      field: { name: 'PPLTN_TIME', read: 'kstTime' },\n    },\n";
    assert.ok(text.includes(end), `${TABLES_FILE} ends population's columns with population_time`);
    writeFileSync(path, text.replace(end, `${end}${ADDED_COLUMN}\n`));
  });
  after(() => sandbox?.remove());

  it('npm run generate:sql writes the migration: ALTER TABLE … ADD COLUMN, recorded in the journal', async () => {
    const check = await run('npm run generate:sql -- --check');
    assert.equal(check.status, 1, 'CI says a migration is due');
    assert.match(check.screen, /a migration is due \(population: add column forecast_hours INTEGER/);
    const generated = await run('npm run generate:sql');
    assert.equal(generated.status, 0, generated.screen);
    assert.match(generated.stdout, /wrote sql\/migrations\/0001_population_add_forecast_hours\.sql/);
    const migration = readFileSync(
      sandbox.path('sql/migrations/0001_population_add_forecast_hours.sql'),
      'utf8',
    );
    assert.match(migration, /^ALTER TABLE population ADD COLUMN forecast_hours INTEGER;$/m);
    const journal = JSON.parse(readFileSync(sandbox.path('sql/migrations/journal.json'), 'utf8'));
    assert.deepEqual(
      journal.migrations.map((m: { id: string }) => m.id),
      ['0001_population_add_forecast_hours'],
    );
    assert.equal((await run('npm run generate:sql -- --check')).status, 0);
    // The column's row of docs/columns.md, as the docs' procedure says.
    assert.equal((await run('npm run generate:docs -- --check')).status, 1, 'the row is due');
    assert.equal((await run('npm run generate:docs')).status, 0);
    assert.equal((await run('npm run generate:docs -- --check')).status, 0);
    assert.match(
      readFileSync(sandbox.path('docs/columns.md'), 'utf8'),
      /^\| `forecast_hours` \| int32 \| INTEGER \| yes \|/m,
    );
  });

  it('the stacks change with it: the Glue table gains the column in place, the SQL runner runs again', async () => {
    const SYNTH_PROBE = `import { synthesize } from './test/infra/support/synth.js';
const s = synthesize();
const all = [s.data, s.pipeline].flatMap((t) => Object.entries(t.toJSON().Resources));
const [id, table] = all.find(([, r]) => r.Type === 'AWS::Glue::Table' && r.Properties.TableInput.Name === 'population');
console.log(JSON.stringify({ id, columns: table.Properties.TableInput.StorageDescriptor.Columns.map((c) => c.Name + ' ' + c.Type) }));
console.log(JSON.stringify(all.filter(([, r]) => r.Properties?.SqlDigest).map(([id, r]) => [id, r.Properties.SqlDigest])));
`;
    const [before, digestsBefore] = glueAndDigests();
    const [after, digestsAfter] = await probe('synth-probe.ts', SYNTH_PROBE);
    assert.equal(
      after.id,
      before.id,
      'the same logical id: CloudFormation updates the table, never replaces it',
    );
    assert.deepEqual(after.columns, [...before.columns, 'forecast_hours int']);
    assert.equal(digestsAfter.length, 1);
    assert.equal(digestsAfter[0]?.[0], digestsBefore[0]?.[0]);
    assert.notEqual(
      digestsAfter[0]?.[1],
      digestsBefore[0]?.[1],
      'a new digest: CloudFormation sends the SQL runner an Update',
    );
  });

  it('npm run query reads the old files: the new column is NULL in every row', async () => {
    const rows = await column();
    assert.equal(rows.length, SLOTS.length * PLACES.length);
    assert.ok(
      rows.every((row) => row[2] === ''),
      JSON.stringify(rows),
    );
  });

  it('npm run report works on the analysis database made before the change, migrated once', async () => {
    for (let i = 0; i < 2; i++) {
      const report = await run(`npm run report -- --lake ${lake}`);
      assert.equal(report.status, 0, report.screen);
    }
    const [migrations, columns] = await probe(
      'warehouse-probe.ts',
      `import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(process.argv[2] + '/_warehouse/analysis.duckdb');
const c = await db.connect();
const rows = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJson();
console.log(JSON.stringify(await rows('SELECT migration_id, statements_run FROM schema_migrations')));
console.log(JSON.stringify(await rows("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'population' AND column_name = 'forecast_hours'")));
`,
      lake,
    );
    assert.deepEqual(migrations, [{ migration_id: '0001_population_add_forecast_hours', statements_run: 1 }]);
    assert.deepEqual(columns, [{ n: '1' }]);
  });

  it('npm run check accepts the old files', async () => {
    const check = await run(`npm run check -- --lake ${lake}`);
    assert.equal(check.status, 0, check.screen);
    assert.match(check.stdout, /healthy/);
  });

  it('npm run replay -- --since … fills the column from raw/ where the stored answers carried the field', async () => {
    const replay = await run(`npm run replay -- --lake ${lake} --since 2026-07-16`);
    assert.equal(replay.status, 0, replay.screen);
    const rows = await column();
    const expected = SLOTS.flatMap((_, slot) => PLACES.map(() => HOURS[ERA_OF(slot)]));
    assert.deepEqual(
      rows.map((row) => row[2]),
      expected,
      'NULL for the answers without FCST_PPLTN, the number of its entries for the others',
    );
    assert.ok(
      files(lake, 'population').every((name) => name.endsWith('.v2.parquet')),
      'rewritten as version 2',
    );
    const check = await run(`npm run check -- --lake ${lake}`);
    assert.equal(check.status, 0, check.screen);
  });

  it("the loader's merge, on DuckDB, takes a partition holding a version-1 and a version-2 file", async () => {
    // A late batch of the old writer: version-1 file of another place, in a partition now of version 2.
    const late = findPlace('POI001') as Place;
    const oldLake = mkdtempSync(join(tmpdir(), 'schema-change-old-'));
    await writeOldLake(oldLake, [late]);
    const [summary, rows] = await probe(
      'merge-probe.ts',
      `import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from './lambdas/cli/analysis/duckdb-warehouse.js';
import { nativeTablesDdl } from './lambdas/cli/analysis/local-warehouse.js';
import { ConsoleLog } from './lambdas/core/logger.js';
import { LocalFolderStore } from './lambdas/core/storage/local-folder-store.js';
import { TABLES } from './lambdas/core/tables.js';
import { loadNewPartitions } from './lambdas/core/warehouse/loader.js';
import { applyMigrations, existingTables } from './lambdas/core/warehouse/migrations/apply.js';
import { loadMigrations } from './lambdas/core/warehouse/migrations/files.js';
import { defaultSqlDir } from './lambdas/core/warehouse/sql-files.js';
import { duckdbCopyFiles, duckdbReadParquet } from './lambdas/core/warehouse/staging-fill.js';
const [oldLake, newLake] = process.argv.slice(2);
const lake = mkdtempSync(join(tmpdir(), 'merge-probe-'));
cpSync(newLake, lake, { recursive: true });
const partition = 'population/year=2026/month=07/day=16/hour=15/minute=00';
for (const name of readdirSync(join(oldLake, partition)).filter((n) => n.endsWith('.parquet')))
  cpSync(join(oldLake, partition, name), join(lake, partition, 'late-' + name));
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run("SET TimeZone = 'UTC'");
const w = new DuckDbWarehouse(c);
// A warehouse made before the change (no forecast_hours), then migrated as the SQL runner does.
for (const s of nativeTablesDdl()) await c.run(s.replace(', forecast_hours INTEGER', ''));
await applyMigrations(w, loadMigrations(defaultSqlDir()), await existingTables(w), new ConsoleLog('silent'));
const log = new ConsoleLog('silent');
const result = await loadNewPartitions({ warehouse: w, store: new LocalFolderStore(lake), fill: duckdbReadParquet(lake), fillFiles: duckdbCopyFiles(lake), log, now: new Date('2026-07-16T08:00:00Z'), since: new Date('2026-07-16T00:00:00Z'), tables: TABLES.filter((t) => t.name === 'population') });
console.log(JSON.stringify({ failed: result.failed.map((f) => f.error), loaded: result.loaded.length }));
console.log(JSON.stringify(await w.query("SELECT area_code, strftime(collected_at, '%H:%M') AS at, forecast_hours FROM population ORDER BY collected_at, area_code")));
`,
      `${oldLake} ${lake}`,
    );
    assert.deepEqual(summary, { failed: [], loaded: SLOTS.length });
    const expected = SLOTS.flatMap((slot, index) =>
      [...(index === 3 ? [late] : []), ...PLACES]
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((place) => ({
          area_code: place.code,
          at: slot.toISOString().slice(11, 16),
          // The late version-1 file has no such column: NULL, whatever its answer held.
          forecast_hours: place === late || HOURS[ERA_OF(index)] === '' ? null : Number(HOURS[ERA_OF(index)]),
        })),
    );
    assert.deepEqual(rows, expected);
  });

  it('npm run generate:sql refuses to rename or remove a column, and drops one only with --destructive', async () => {
    const path = sandbox.path(TABLES_FILE);
    const edited = readFileSync(path, 'utf8');
    const migrations = () => readdirSync(sandbox.path('sql/migrations')).sort();
    const before = migrations();
    // Renamed in place: the old name is gone, the new one sits between existing columns.
    writeFileSync(path, edited.replace("name: 'area_name'", "name: 'place_name'"));
    for (const flag of ['', ' -- --destructive']) {
      const renamed = await run(`npm run generate:sql${flag}`);
      assert.equal(renamed.status, 1, renamed.screen);
      assert.match(renamed.stderr, /refused: population\.place_name is added between existing columns/);
      assert.deepEqual(migrations(), before, 'nothing written');
    }
    const renamed = await run('npm run generate:sql');
    assert.match(
      renamed.stderr,
      /refused: population\.area_name is gone from the schema.*Renaming a column.*--destructive/,
    );
    // Removed: refused without the flag, a DROP COLUMN marked destructive with it.
    writeFileSync(path, edited.replace(`${ADDED_COLUMN}\n`, ''));
    const removed = await run('npm run generate:sql');
    assert.equal(removed.status, 1, removed.screen);
    assert.match(
      removed.stderr,
      /refused: population\.forecast_hours is gone from the schema: dropping a column loses its history/,
    );
    assert.deepEqual(migrations(), before, 'nothing written');
    const dropped = await run('npm run generate:sql -- --destructive');
    assert.equal(dropped.status, 0, dropped.screen);
    const file = sandbox.path('sql/migrations/0002_population_drop_forecast_hours.sql');
    assert.match(readFileSync(file, 'utf8'), /^ALTER TABLE population DROP COLUMN forecast_hours CASCADE;$/m);
    const journal = JSON.parse(readFileSync(sandbox.path('sql/migrations/journal.json'), 'utf8'));
    assert.equal(journal.migrations.at(-1).destructive, true);
  });
});
