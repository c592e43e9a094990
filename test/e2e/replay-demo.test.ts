import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';

/**
 * The issue's acceptance, through the command line: three `npm run demo -- --once` runs into a
 * lake, its tables deleted, `npm run replay` twice, then `npm run check`.
 */
describe('replay of a demo lake (acceptance)', () => {
  const lake = mkdtempSync(join(tmpdir(), 'replay-demo-'));
  after(() => rmSync(lake, { recursive: true, force: true }));

  /** Every row, and the rows one per key (latest answer first, as the lake views and the warehouse keep them). */
  const read = async (table: 'population' | 'population_forecast') => {
    const glob = join(lake, `${table}/**/*.parquet`);
    if (table === 'population_forecast')
      return {
        all: await readParquet(glob, 'SELECT * FROM data ORDER BY ALL'),
        perKey: await readParquet(glob, 'SELECT DISTINCT * FROM data ORDER BY ALL'),
      };
    return {
      all: await readParquet(glob, 'SELECT * FROM data ORDER BY area_code, collected_at, fetched_at'),
      perKey: await readParquet(
        glob,
        `SELECT * EXCLUDE (n) FROM (
           SELECT *, row_number() OVER (PARTITION BY area_code, collected_at ORDER BY fetched_at DESC, run_id DESC) AS n
           FROM data) WHERE n = 1 ORDER BY area_code, collected_at, fetched_at`,
      ),
    };
  };

  it('restores the rows, changes nothing the second time, and leaves a healthy lake', async () => {
    for (let run = 0; run < 3; run++) {
      const demo = await runCli(['demo', '--once', '--lake', lake], {}, 120_000);
      assert.equal(demo.status, 0, demo.stderr);
    }
    const live = {
      population: await read('population'),
      population_forecast: await read('population_forecast'),
    };
    assert.equal(live.population.all.length, 363);
    rmSync(join(lake, 'population'), { recursive: true });
    rmSync(join(lake, 'population_forecast'), { recursive: true });

    assert.ok(existsSync(join(lake, '_warehouse')), 'the demo report built its analysis database');
    const first = await runCli(['replay', '--lake', lake], {});
    assert.equal(first.status, 0, first.stderr);
    // The report's database loaded the old rows and reloads by file count: replay removes it.
    assert.match(
      first.stderr,
      /removed .*_warehouse \(the report's analysis database; rebuilt from the lake when next needed\)/,
    );
    assert.equal(existsSync(join(lake, '_warehouse')), false);
    assert.match(first.stdout, /envelopes: 363 → /);
    const replayed = {
      population: await read('population'),
      population_forecast: await read('population_forecast'),
    };
    // Field by field. Runs of the demo are collected for the minute they start in: two runs in one
    // minute hold a key twice, and replay keeps one row per key (the latest answer), as the views do.
    assert.deepEqual(replayed.population.all, live.population.perKey);
    assert.deepEqual(replayed.population_forecast.perKey, live.population_forecast.perKey);
    if (live.population.perKey.length === live.population.all.length) {
      assert.deepEqual(replayed.population.all, live.population.all);
      assert.deepEqual(replayed.population_forecast.all, live.population_forecast.all);
    }

    const second = await runCli(['replay', '--lake', lake], {});
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /files: wrote 0, \d+ unchanged, removed 0, kept 0/);

    const check = await runCli(['check', '--lake', lake], {});
    assert.equal(check.status, 0, check.stdout);
    assert.match(check.stdout, /healthy/);
  });
});
