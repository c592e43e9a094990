import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  CONGESTION_LEVELS,
  LEGACY_CONGESTION_LEVELS,
} from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { DATASETS } from '../../lambdas/core/datasets/registry.js';

const LAMBDAS = join(import.meta.dirname, '..', '..', 'lambdas');

/** Every TypeScript module under lambdas/, as a path relative to it. */
const modules = () =>
  readdirSync(LAMBDAS, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(LAMBDAS, join(entry.parentPath, entry.name)))
    .sort();

/** A module's code without its comments and its import lines: what it runs. */
const codeOf = (file: string) =>
  readFileSync(join(LAMBDAS, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
    .replace(/^\s*import\s[\s\S]*?from\s+'[^']+';$/gm, '');

/**
 * The modules that use `name`: call it, or hand it on as a value. Its definition (`function
 * name`, a `name:` property or key), its imports and comments do not count.
 */
const callersOf = (name: string) =>
  modules().filter((file) =>
    codeOf(file)
      .replace(new RegExp(`function\\*?\\s+${name}\\b`, 'g'), '')
      .replace(new RegExp(`\\b${name}\\??\\s*:`, 'g'), '')
      .match(new RegExp(`\\b${name}\\b`)),
  );

describe('one shape for every function', () => {
  const functions = readdirSync(LAMBDAS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => readdirSync(join(LAMBDAS, name)).includes('handler.ts'));

  it('has a handler for each of the five functions', () => {
    assert.deepEqual(functions.sort(), ['fetcher', 'loader', 'sql-runner', 'topic', 'writer']);
  });

  for (const name of functions) {
    it(`lambdas/${name}/handler.ts is wiring only: at most 40 lines, wrapped by lambdaHandler`, () => {
      const text = readFileSync(join(LAMBDAS, name, 'handler.ts'), 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      assert.ok(lines <= 40, `${lines} lines`);
      assert.match(text, /export const handler = lambdaHandler\(powertools, /);
    });
  }

  it('ships no test double: no file under lambdas/ defines a Memory*, Fake*, Stub* or Mock* class', () => {
    const sources = readdirSync(LAMBDAS, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name));
    const doubles = sources.filter((file) =>
      /export (class|function|const) (Memory|Fake|Stub|Mock)\w*/.test(readFileSync(file, 'utf8')),
    );
    assert.deepEqual(doubles, []);
  });
});

describe('the congestion labels, said in the normalizer and ranked in the congestion view', () => {
  it('ranks exactly the labels the normalizer knows, in its order, the legacy label at the top', () => {
    const sql = readFileSync(join(LAMBDAS, '..', 'sql', '20_view_congestion_over_time.sql'), 'utf8');
    const ranked = [...sql.matchAll(/WHEN '([^']+)' THEN (\d)/g)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(ranked, [
      ...CONGESTION_LEVELS.map((label, index) => [label, index + 1]),
      ...LEGACY_CONGESTION_LEVELS.map((label) => [label, CONGESTION_LEVELS.length]),
    ]);
  });
});

describe('the import graph of lambdas/', () => {
  it('has no circle (a module never reaches itself through its imports, type imports included)', () => {
    const files = readdirSync(LAMBDAS, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      .map((entry) => join(entry.parentPath, entry.name));
    const importsOf = new Map(
      files.map((file) => [
        file,
        [...readFileSync(file, 'utf8').matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].map((m) =>
          join(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
        ),
      ]),
    );
    const circles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(LAMBDAS, f)).join(' → '));
        return;
      }
      if (done.has(file)) return;
      for (const next of importsOf.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(circles, []);
  });
});

describe('one write path', () => {
  // Replay, the live writer and the fetcher's outcomes all go through the writer's stages
  // (route → encode → commit in core/writers/): nothing else turns answers into lake files.
  it('only the writer stages turn answers into rows (each dataset says how)', () => {
    assert.deepEqual(callersOf('toRows'), ['core/writers/route.ts']);
    assert.deepEqual(callersOf('normalizeEnvelope'), ['core/datasets/citydata-ppltn/index.ts']);
  });

  it('only the writer stages encode Parquet and the gzip JSON lines of raw/ and rejected/', () => {
    assert.deepEqual(callersOf('encodeParquet'), [
      'core/writers/lake-writer.ts',
      'core/writers/outcomes-writer.ts',
    ]);
    assert.deepEqual(callersOf('encodeJsonLinesGzip'), ['core/writers/lake-writer.ts']);
  });

  it('the fetcher and the command line put a run together in one flow (core/collection-run.ts)', () => {
    assert.deepEqual(callersOf('collectRun'), ['core/collection-run.ts']);
    assert.deepEqual(callersOf('publishCollected'), ['core/collection-run.ts']);
    assert.deepEqual(callersOf('runCollection'), [
      'cli/pipeline/runner.ts',
      'fetcher/scheduled-collection.ts',
    ]);
  });

  it('one staging fill: only staging-fill.ts fills a staging table (COPY on Redshift, read_parquet on DuckDB)', () => {
    const fills = modules().filter((file) =>
      /\b(INSERT INTO|COPY)\s+\$\{(stagingTableName\(|staging\b)/.test(
        readFileSync(join(LAMBDAS, file), 'utf8'),
      ),
    );
    assert.deepEqual(fills, ['core/warehouse/staging-fill.ts']);
    assert.deepEqual(callersOf('duckdbReadParquet'), ['cli/analysis/local-warehouse.ts']);
    assert.deepEqual(callersOf('redshiftCopy'), ['loader/load-run.ts']);
  });

  it('replay rebuilds through the stages: route, encode, commit', () => {
    assert.deepEqual(
      ['routeInputs', 'encodeGroups', 'commitFiles'].map((stage) =>
        callersOf(stage).includes('cli/replay/rebuild-partition.ts'),
      ),
      [true, true, true],
    );
  });
});

describe('a dataset is one unit', () => {
  const ROOT = join(LAMBDAS, '..');
  /** The code a table name could hide in: lambdas/, lib/ and bin/ (generated sql/ and docs derive from it). */
  const sources = ['lambdas', 'lib', 'bin'].flatMap((top) =>
    readdirSync(join(ROOT, top), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
      .map((entry) => relative(ROOT, join(entry.parentPath, entry.name))),
  );
  const code = (file: string) =>
    readFileSync(join(ROOT, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  /**
   * A use of the table's name: with an underscore, any whole word; a plain word only where code
   * uses it as a table (quoted, a lake path, after a SQL keyword, qualified, or as a key given a
   * value), so the
   * project's prose ("Seoul real-time population") is not one.
   */
  const uses = (name: string) =>
    name.includes('_')
      ? new RegExp(`(?<![\\w-])${name}(?![\\w-])`)
      : new RegExp(
          `['"\`]${name}['"\`/]|(?<![\\w.-])${name}/|\\b(?:FROM|JOIN|INTO|TABLE|UPDATE|USING)\\s+${name}\\b|` +
            `(?<![\\w-])${name}\\s*:\\s*['"\`{[]|(?<![\\w-])${name}\\.\\w|\\.${name}(?![\\w-])`,
        );

  for (const dataset of DATASETS) {
    const names = [...dataset.tables, ...(dataset.derived ?? []).map((d) => d.table)].map((t) => t.name);
    it(`names the tables of ${dataset.service} (${names.join(', ')}) in one dataset folder only`, () => {
      const folders = new Set<string>();
      for (const name of names) {
        const pattern = uses(name);
        for (const file of sources.filter((f) => pattern.test(code(f)))) folders.add(dirname(file));
      }
      assert.equal(folders.size, 1, [...folders].join(', '));
      assert.match([...folders][0] as string, /^lambdas\/core\/datasets\/[a-z0-9-]+$/);
    });
  }

  it('finds a table name where it is used, and not in prose (the test can fail)', () => {
    const pattern = uses('population');
    for (const used of [
      "grantWrite(fn, ['population', 'raw'])",
      '`FROM population AS p`',
      "list('population/year=2026/')",
      "{ population: '.parquet' }",
      'spectrum.population',
      'population.area_code',
    ])
      assert.ok(pattern.test(used), used);
    for (const prose of [
      "'Seoul real-time population pipeline'",
      'populationRows',
      'v_population_daily_range',
      'seoul-population-writer',
      'population_time',
      'function range(population: number)',
    ])
      assert.ok(!pattern.test(prose), prose);
  });
});
