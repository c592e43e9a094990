import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
const REGISTRY = 'lambdas/core/datasets/registry.ts';

/**
 * A second dataset, as small as one can be: the `citydata` service's congestion level, one row per
 * answer. Everything it says, it says here; nothing else of the copy is edited but the list.
 */
const TOY_DATASET = `import { defineTable } from '../../schema.js';
import { defineDataset } from '../dataset.js';

const TOY_LEVELS = defineTable({
  name: 'toy_levels',
  description: 'A toy: the congestion level of each answer.',
  key: ['area_code', 'collected_at'],
  duplicateOrder: ['fetched_at DESC'],
  columns: [
    { name: 'collected_at', type: 'timestamp', source: 'run' },
    { name: 'fetched_at', type: 'timestamp', source: 'answer' },
    { name: 'run_id', type: 'string', source: 'run', maxBytes: 64 },
    { name: 'area_code', type: 'string', source: 'AREA_CD', maxBytes: 16 },
    { name: 'level', type: 'string', source: 'AREA_CONGEST_LVL', maxBytes: 64 },
  ],
  redshift: { distribution: { key: 'area_code' }, sortKey: ['collected_at'], why: 'a toy' },
});

export const TOY = defineDataset({
  service: 'citydata',
  tables: [TOY_LEVELS],
  toRows: (envelope) => {
    const level = envelope.payload.AREA_CONGEST_LVL;
    if (typeof level !== 'string') return { ok: false, reasons: ['AREA_CONGEST_LVL is missing'] };
    const at = (time: string) => new Date(time);
    return {
      ok: true,
      rows: [[{ collected_at: at(envelope.collectedAt), fetched_at: at(envelope.fetchedAt), run_id: envelope.runId, area_code: envelope.place.code, level }]],
      warnings: [],
    };
  },
  observedAt: 'fetched_at',
  labels: { known: ['보통'], columns: [{ table: 'toy_levels', column: 'level' }] },
});
`;

/** Loaded from the copy: writes a batch with one answer of each dataset, then replays the toy's table. */
const PROBE = `import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkLake } from './lambdas/cli/check/check-lake.js';
import { replay } from './lambdas/cli/replay/replay.js';
import { buildEnvelope, toMessage } from './lambdas/core/envelope.js';
import { ConsoleLog } from './lambdas/core/logger.js';
import { encodeMskEvent } from './lambdas/core/msk-event.js';
import { findPlace } from './lambdas/core/places.js';
import { LocalFolderStore } from './lambdas/core/storage/local-folder-store.js';
import { LAKE_AREAS, TABLES, WAREHOUSE_TABLES } from './lambdas/core/tables.js';
import { generatedSqlFiles } from './lambdas/core/warehouse/ddl.js';
import { writeMskBatch } from './lambdas/writer/msk-batch.js';

const lake = await mkdtemp(join(tmpdir(), 'toy-lake-'));
const store = new LocalFolderStore(lake);
const place = findPlace('POI009');
const answer = (dataset) =>
  toMessage(buildEnvelope({
    dataset, runId: 'r1', collectedAt: new Date('2026-07-16T14:20:00Z'),
    fetchedAt: new Date('2026-07-16T14:20:01Z'), place,
    payload: { AREA_CD: 'POI009', AREA_CONGEST_LVL: '보통' },
  }));
const records = ['citydata', 'unknown_service'].map((dataset, offset) => {
  const message = answer(dataset);
  return { topic: 't', partition: 0, offset, key: Buffer.from(message.key), value: message.value, headers: message.headers };
});
const registered = [];
const metrics = [];
const written = await writeMskBatch(JSON.parse(JSON.stringify(encodeMskEvent(records, { eventSourceArn: 'arn:aws:kafka:ap-northeast-2:1:cluster/c/1' }))), {
  store,
  catalog: { registerPartitions: async (table) => void registered.push(table) },
  log: new ConsoleLog('silent'),
  metrics: { addMetric: (name, _unit, value) => void metrics.push([name, value]) },
  now: () => new Date('2026-07-16T14:21:00Z'),
});
rmSync(join(lake, 'toy_levels'), { recursive: true });
const replayed = await replay({ location: { kind: 'folder', path: lake }, workers: 0 });
const checked = await checkLake({ kind: 'folder', path: lake }, { staleMinutes: 60, leftoverAgeMs: 3_600_000 });
const sql = generatedSqlFiles();
export const result = {
  rows: written.rows,
  rejected: written.rejectedRecords,
  files: written.files,
  registered,
  metrics: metrics.filter(([name]) => name.endsWith('RowsWritten')),
  lakeAreas: LAKE_AREAS,
  tables: TABLES.map((t) => t.name),
  warehouseTables: WAREHOUSE_TABLES.map((t) => t.name),
  sqlFiles: [...sql.keys()],
  grants: /GRANT SELECT, INSERT, DELETE ON TABLE ([a-z_, ]+) TO/.exec(sql.get('30_grants_loader.sql'))[1],
  replayed: replayed.rows,
  afterReplay: (await store.list('toy_levels/')),
  problems: checked.problems.map((p) => p.check + ": " + p.text),
};
`;

describe('adding a dataset is a folder and a line', () => {
  const copy = mkdtempSync(join(tmpdir(), 'toy-dataset-'));
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('a toy dataset added to a copy of the code as one folder and one entry of the list is written, laid out, catalogued, measured, granted, replayed and checked', async () => {
    cpSync(join(ROOT, 'lambdas'), join(copy, 'lambdas'), { recursive: true });
    for (const file of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(copy, file));
    // The migration journal is part of the code: the writer names files by it, check reads by it.
    cpSync(join(ROOT, 'sql/migrations'), join(copy, 'sql/migrations'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    // The folder…
    mkdirSync(join(copy, 'lambdas/core/datasets/toy'));
    writeFileSync(join(copy, 'lambdas/core/datasets/toy/index.ts'), TOY_DATASET);
    // …and the entry in the list (with its import).
    const registry = readFileSync(join(copy, REGISTRY), 'utf8');
    const list = 'export const DATASETS = [CITYDATA_PPLTN] as const;';
    assert.equal(registry.split(list).length, 2, 'the list is one line');
    writeFileSync(
      join(copy, REGISTRY),
      `import { TOY } from './toy/index.js';\n${registry.replace(list, 'export const DATASETS = [CITYDATA_PPLTN, TOY] as const;')}`,
    );
    writeFileSync(join(copy, 'probe.ts'), PROBE);

    // The copy's modules are loaded in this process, apart from the repository's (other paths).
    const { result: out } = (await import(pathToFileURL(join(copy, 'probe.ts')).href)) as {
      result: Record<string, unknown>;
    };

    const partition = 'year=2026/month=07/day=16/hour=23/minute=20';
    assert.deepEqual(out.rows, { population: 0, population_forecast: 0, toy_levels: 1 });
    assert.equal(out.rejected, 1, 'an answer of no registered dataset is rejected, with the reason');
    assert.deepEqual(out.files, [
      `raw/${partition}/t-0-0.jsonl.gz`,
      `rejected/${partition}/t-0-0.jsonl.gz`,
      `toy_levels/${partition}/t-0-0.parquet`,
    ]);
    assert.deepEqual(out.registered, ['toy_levels']);
    assert.deepEqual(out.metrics, [
      ['PopulationRowsWritten', 0],
      ['PopulationForecastRowsWritten', 0],
      ['ToyLevelsRowsWritten', 1],
    ]);
    assert.deepEqual(out.lakeAreas, [
      'population',
      'population_forecast',
      'toy_levels',
      'collection_outcomes',
      'raw',
      'rejected',
    ]);
    assert.deepEqual(out.tables, ['population', 'population_forecast', 'toy_levels', 'collection_outcomes']);
    // Its DDL file comes after the others: none of theirs is renumbered.
    assert.deepEqual((out.sqlFiles as string[]).slice(0, 7), [
      '10_table_collection_outcomes.sql',
      '11_table_load_log.sql',
      '12_table_schema_migrations.sql',
      '13_table_population.sql',
      '14_table_population_forecast.sql',
      '15_table_forecast_error.sql',
      '16_table_toy_levels.sql',
    ]);
    // Every warehouse table but the record of migrations, which only the SQL runner writes.
    assert.equal(
      out.grants,
      (out.warehouseTables as string[]).filter((name) => name !== 'schema_migrations').join(', '),
    );
    assert.ok((out.warehouseTables as string[]).includes('toy_levels'));
    assert.equal((out.replayed as Record<string, number>).toy_levels, 1);
    assert.deepEqual(out.afterReplay, [`toy_levels/${partition}/t-0-0.parquet`]);
    // check reads the toy's table like the others: its envelope is accounted for, its files are no strays.
    assert.deepEqual(out.problems, []);
  });
});
