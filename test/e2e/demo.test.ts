import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';

describe('npm run demo', () => {
  const lake = join(mkdtempSync(join(tmpdir(), 'demo-')), 'demo-lake');

  it('writes one minute partition of 121 simulated places with their forecasts, and prints the summary', async () => {
    const run = await runCli(['demo', '--once', '--lake', lake], {
      SEOUL_API_KEY: 'must-not-be-used',
      SEOUL_API_BASE_URL: 'http://127.0.0.1:1',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\[SIMULATED\] run sim-\d{8}T\d{4}Z-[0-9a-f]{6}/m);
    assert.match(run.stdout, /places: 121 ok, 0 no data, 0 failed \(of 121\)/);
    const partitions = readdirSync(join(lake, 'population'), { recursive: true })
      .map(String)
      .filter((p) => p.split('/').length === 5);
    assert.equal(partitions.length, 1);
    const [population] = await readParquet(
      join(lake, 'population/**/*.parquet'),
      "SELECT count(*) AS n, count(*) FILTER (WHERE run_id LIKE 'sim-%') AS simulated FROM data",
    );
    const [forecast] = await readParquet(
      join(lake, 'population_forecast/**/*.parquet'),
      'SELECT count(*) AS n FROM data',
    );
    assert.deepEqual([population?.n, population?.simulated, forecast?.n], [121n, 121n, 1452n]);
    assert.ok(existsSync(join(lake, '_SIMULATED')), 'the lake is marked simulated');
  });

  it('exits 1 when its report cannot be written, saying why', async () => {
    const blocked = join(mkdtempSync(join(tmpdir(), 'demo-')), 'demo-lake');
    // A demo lake from an earlier demo, where a folder now holds the report's name.
    mkdirSync(join(blocked, 'report.html', 'inside'), { recursive: true });
    writeFileSync(join(blocked, '_SIMULATED'), 'simulated\n');
    const run = await runCli(['demo', '--once', '--places', 'POI001', '--lake', blocked], {});
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /error: could not write the report: .*(EISDIR|ENOTEMPTY|EEXIST)/);
    assert.match(run.stdout, /places: 1 ok/, 'the run itself went well');
  });

  it('exits 1 when its report cannot be built, saying why', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'demo-')), 'demo-lake');
    // A demo lake whose analysis database was damaged (a full disk, a copy cut short).
    mkdirSync(join(broken, '_warehouse'), { recursive: true });
    writeFileSync(join(broken, '_warehouse', 'analysis.duckdb'), 'not a DuckDB file, '.repeat(500));
    writeFileSync(join(broken, '_SIMULATED'), 'simulated\n');
    const run = await runCli(['demo', '--once', '--places', 'POI001', '--lake', broken], {});
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /error: could not write the report: cannot open the analysis database/);
    assert.match(run.stdout, /places: 1 ok/, 'the run itself went well');
  });

  it('refuses to let a real run write into the simulated lake', async () => {
    const run = await runCli(['start', '--once', '--lake', lake], {
      SEOUL_API_KEY: 'k',
      SEOUL_API_BASE_URL: 'http://127.0.0.1:1',
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /holds simulated data/);
  });

  it('refuses to write simulated data into a lake that holds real data', async () => {
    const real = mkdtempSync(join(tmpdir(), 'real-lake-'));
    const { ApiSimulator } = await import('../../lambdas/cli/simulator/server.js');
    const simulator = new ApiSimulator();
    const baseUrl = await simulator.start();
    try {
      const collected = await runCli(['start', '--once', '--places', 'POI001', '--lake', real], {
        SEOUL_API_KEY: 'k',
        SEOUL_API_BASE_URL: baseUrl,
      });
      assert.equal(collected.status, 0, collected.stderr);
    } finally {
      await simulator.stop();
    }
    const run = await runCli(['demo', '--once', '--lake', real], {});
    assert.equal(run.status, 1);
    assert.match(run.stderr, /holds real data/);
  });
});

describe('Kafka consumer group of a local lake', () => {
  it('is stable for one lake and differs between lakes, so two lakes never split a topic', async () => {
    const { writerGroupFor } = await import('../../lambdas/cli/pipeline/local-pipeline.js');
    assert.equal(writerGroupFor('/data/lake'), writerGroupFor('/data/lake'));
    assert.notEqual(writerGroupFor('/data/lake'), writerGroupFor('/data/demo-lake'));
    assert.match(writerGroupFor('/data/lake'), /^seoul-population-writer-[0-9a-f]{12}$/);
  });
});
