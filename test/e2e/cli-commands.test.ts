import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ANALYSIS_VIEWS } from '../../lambdas/cli/analysis/views.js';
import { DEMO_OPTIONS, RUN_OPTIONS } from '../../lambdas/cli/config.js';
import { DEMO_USAGE, START_USAGE } from '../../lambdas/cli/help.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { runCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const newFolder = (name: string) => mkdtempSync(join(tmpdir(), `${name}-`));

/** `npm run <script> -- <args>`, as a user types it. */
function npmRun(script: string, args: readonly string[], env: Record<string, string> = {}) {
  const cleanEnv = Object.fromEntries(
    Object.entries({ ...process.env, ...env }).filter(([name]) => !name.startsWith('NODE_TEST')),
  );
  const run = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: cleanEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Scripts for the project's developers (code generation, tests), not commands for a user. */
const DEVELOPER_SCRIPTS = new Set(['generate:sql', 'generate:docs', 'typecheck', 'synth']);

/**
 * The npm scripts that are commands for a user: every script that runs a TypeScript entry point
 * (the CLI, or a tool a later change adds), except the test runners and the developer scripts. A
 * new command is picked up here without anyone listing it.
 */
function userCommands(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return Object.entries(scripts)
    .filter(
      ([, command]) => /(^|\s)(tsx|node --import tsx) \S+\.ts/.test(command) && !/--test\b/.test(command),
    )
    .filter(([name]) => !name.startsWith('test') && !DEVELOPER_SCRIPTS.has(name))
    .map(([name]) => name);
}

describe('--help', () => {
  it('finds the CLI commands among the npm scripts', () => {
    const commands = userCommands();
    for (const name of ['start', 'demo', 'query', 'report', 'places'])
      assert.ok(commands.includes(name), name);
  });

  for (const name of userCommands()) {
    it(`npm run ${name} -- --help exits 0 with its usage on stdout`, () => {
      const run = npmRun(name, ['--help']);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^Usage: /m);
      assert.equal(run.stderr, '');
    });
  }

  it('lists every option that start and demo accept', () => {
    for (const option of Object.keys(RUN_OPTIONS)) assert.match(START_USAGE, new RegExp(`--${option}\\b`));
    for (const option of Object.keys(DEMO_OPTIONS)) assert.match(DEMO_USAGE, new RegExp(`--${option}\\b`));
  });

  it("names the demo's own lake and lists none of the variables the demo ignores as settings", () => {
    assert.match(DEMO_USAGE, /--lake DIR .*default: \.\/demo-lake/);
    const environment = DEMO_USAGE.slice(DEMO_USAGE.indexOf('Environment:'));
    const listed = [...environment.matchAll(/^ {2}([A-Z_]+) /gm)].map((m) => m[1]);
    for (const ignored of ['SEOUL_API_KEY', 'SEOUL_API_BASE_URL', 'LAKE_DIR']) {
      assert.ok(!listed.includes(ignored), `${ignored} is listed as a demo setting`);
    }
    assert.match(environment, /SEOUL_API_KEY, SEOUL_API_BASE_URL and LAKE_DIR are ignored/);
  });

  it('the demo really ignores LAKE_DIR and the key (as its help says)', async () => {
    const lake = join(newFolder('demo-help'), 'demo-lake');
    const decoy = newFolder('decoy-lake');
    const run = await runCli(['demo', '--once', '--places', 'POI001', '--lake', lake], {
      LAKE_DIR: decoy,
      SEOUL_API_KEY: 'must-not-be-used',
      SEOUL_API_BASE_URL: 'http://127.0.0.1:1',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      spawnSync('ls', ['-A', decoy], { encoding: 'utf8' }).stdout,
      '',
      'nothing written to LAKE_DIR',
    );
  });
});

describe('npm run query', () => {
  let lake: string;
  before(async () => {
    lake = join(newFolder('query'), 'demo-lake');
    const demo = await runCli(['demo', '--once', '--lake', lake], {});
    assert.equal(demo.status, 0, demo.stderr);
  });

  it('counts v_resident_share on a demo lake', () => {
    const run = npmRun('query', ['SELECT count(*) AS n FROM v_resident_share', '--lake', lake]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^n\n-+\n121\n\(1 row\)$/m);
  });

  it('creates every analysis view of sql/', async () => {
    const sql = ANALYSIS_VIEWS.map((view) => `SELECT '${view}' AS v, count(*) AS n FROM ${view}`).join(
      ' UNION ALL ',
    );
    const run = await runCli(['query', sql, '--lake', lake], {});
    assert.equal(run.status, 0, run.stderr);
    for (const view of ANALYSIS_VIEWS) assert.match(run.stdout, new RegExp(`^${view} +\\| \\d+$`, 'm'));
  });

  it('prints timestamps in KST with the zone shown, nine hours after the UTC instant', async () => {
    const [row] = await readParquet(
      join(lake, 'population/**/*.parquet'),
      "SELECT strftime(collected_at + INTERVAL 9 HOUR, '%Y-%m-%d %H:%M:%S') AS kst FROM data LIMIT 1",
    );
    const run = await runCli(['query', 'SELECT DISTINCT collected_at FROM population', '--lake', lake], {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^${row?.kst} KST$`, 'm'));
  });

  it('refuses a lake path that does not exist (exit 1, naming the path)', () => {
    const missing = join(newFolder('nowhere'), 'no-such-lake');
    const run = npmRun('query', ['SELECT count(*) FROM population', '--lake', missing]);
    assert.equal(run.status, 1);
    assert.ok(run.stderr.includes(`lake folder ${missing} does not exist`), run.stderr);
    assert.equal(run.stdout, '');
  });

  it('refuses a folder that holds no lake (exit 1, naming the path)', async () => {
    const folder = newFolder('not-a-lake');
    mkdirSync(join(folder, 'photos'));
    writeFileSync(join(folder, 'notes.txt'), 'x');
    const run = await runCli(['query', 'SELECT 1', '--lake', folder], {});
    assert.equal(run.status, 1);
    assert.ok(run.stderr.includes(`${folder} holds no lake`), run.stderr);
  });

  it('exit 2 with the usage when no SQL is given; exit 1 with the message for bad SQL', async () => {
    const none = await runCli(['query', '--lake', lake], {});
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no SQL given[\s\S]*Usage: npm run query/);
    const bad = await runCli(['query', 'SELECT nope FROM population', '--lake', lake], {});
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /query failed: .*nope/);
  });
});

describe('npm run demo -- --days N', () => {
  it('writes 72 runs a day on a simulated clock into the demo lake, then the report', async () => {
    const lake = join(newFolder('days'), 'demo-lake');
    const run = npmRun('demo', ['--days', '2', '--lake', lake]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /\[SIMULATED\] 144 of 144 runs written in [\d.]+ s: 17424 of 17424 place answers collected/,
    );
    assert.match(run.stdout, /^report: .*report\.html$/m);
    const [population] = await readParquet(
      join(lake, 'population/**/*.parquet'),
      `SELECT count(DISTINCT collected_at) AS runs, count(*) AS n,
              CAST(epoch(max(collected_at)) - epoch(min(collected_at)) AS INTEGER) AS span,
              count(*) FILTER (WHERE fetched_at - collected_at <> INTERVAL 30 SECOND) AS off_clock,
              count(*) FILTER (WHERE run_id NOT LIKE 'sim-%') AS real,
              count(*) FILTER (WHERE extract(minute FROM collected_at) NOT IN (0, 20, 40)) AS off_slot
       FROM data`,
    );
    assert.equal(population?.runs, 144n);
    assert.equal(population?.n, 144n * 121n);
    assert.equal(population?.span, 143 * 20 * 60, 'from the oldest slot to the newest: 143 steps of 20 min');
    assert.equal(population?.off_clock, 0n, 'every answer is fetched on the simulated clock');
    assert.equal(population?.real, 0n);
    assert.equal(population?.off_slot, 0n);
    const [outcomes] = await readParquet(
      join(lake, 'collection_outcomes/**/*.parquet'),
      'SELECT count(DISTINCT collected_at) AS runs FROM data',
    );
    assert.equal(outcomes?.runs, 144n);
  });

  it('refuses --days out of range or with --once (exit 2)', async () => {
    for (const args of [
      ['--days', '0'],
      ['--days', '91'],
      ['--days', 'two'],
      ['--days', '1', '--once'],
    ]) {
      const run = await runCli(['demo', ...args, '--lake', join(newFolder('bad-days'), 'demo-lake')], {});
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    }
  });
});

describe('npm run places', () => {
  it('lists all 121 places with code, category, Korean and English name', () => {
    const run = npmRun('places', []);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^code +\| category +\| name +\| english_name$/m);
    assert.match(run.stdout, /\(121 rows\)$/m);
    assert.match(
      run.stdout,
      /^POI001 \| 관광특구 +\| 강남 MICE 관광특구 +\| Gangnam MICE Special Tourist Zone$/m,
    );
  });

  it('filters by category, Korean or English, and by text in any name or the code', async () => {
    const parks = ALL_PLACES.filter((place) => place.category === '공원').map((place) => place.code);
    for (const category of ['공원', 'park', 'PARK']) {
      const run = await runCli(['places', '--category', category], {});
      assert.equal(run.status, 0, run.stderr);
      const codes = [...run.stdout.matchAll(/^(POI\d{3}) /gm)].map((m) => m[1]);
      assert.deepEqual(codes, parks, category);
    }
    const text = await runCli(['places', 'gangnam'], {});
    assert.match(text.stdout, /POI001/);
    assert.ok([...text.stdout.matchAll(/^POI\d{3} /gm)].length < 10);
    const korean = await runCli(['places', '여의도'], {});
    assert.match(korean.stdout, /여의도/);
  });

  it('says so, with the categories, when nothing matches (exit 1)', async () => {
    const run = await runCli(['places', 'atlantis'], {});
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no place matches "atlantis".*공원 \(park\)/);
  });
});

describe('progress on a terminal', () => {
  it('shows live progress (places done / total) in place, then the summary', () => {
    const lake = join(newFolder('tty'), 'demo-lake');
    // `script` gives the command a pseudo-terminal, as a person running it has.
    const run = spawnSync(
      'script',
      ['-qfec', `npm run --silent demo -- --once --places POI001,POI002 --lake ${lake}`, '/dev/null'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: '' } },
    );
    assert.equal(run.status, 0, run.stdout);
    // The terminal's "erase line" sequence, written before each new progress line and the summary.
    const clear = '\r\u001b[2K';
    const kst = /\[SIMULATED\] run (\d{2}:\d{2} KST): 1\/2 places/.exec(run.stdout)?.[1];
    assert.ok(kst, run.stdout);
    assert.ok(
      run.stdout.includes(`[SIMULATED] run ${kst}: 1/2 places${clear}`),
      'progress is rewritten in place',
    );
    assert.ok(
      run.stdout.includes(`2/2 places${clear}[SIMULATED] run sim-`),
      'the line is cleared before the summary',
    );
    assert.match(run.stdout, /places: 2 ok, 0 no data, 0 failed \(of 2\)/);
    // readable log lines, not JSON, on a terminal
    assert.doesNotMatch(run.stdout, /^\{"level"/m);
  });
});

describe('logs', () => {
  it('are JSON lines on stderr when not on a terminal, readable lines with LOG_FORMAT=text; bad LOG_FORMAT is exit 2', async () => {
    const lake = join(newFolder('logs'), 'demo-lake');
    const json = await runCli(['demo', '--once', '--places', 'POI001', '--lake', lake], {
      LOG_LEVEL: 'info',
    });
    assert.equal(json.status, 0, json.stderr);
    const jsonLines = json.stderr.split('\n').filter((line) => line.startsWith('{'));
    assert.ok(jsonLines.some((line) => (JSON.parse(line) as { message: string }).message === 'run started'));
    assert.doesNotMatch(json.stdout, /"level"/, 'no log line on stdout');
    const text = await runCli(['demo', '--once', '--places', 'POI001', '--lake', lake], {
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'text',
    });
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stderr,
      /^INFO {2}\d{2}:\d{2}:\d{2}Z run started runId=sim-\S+ collectedAt=\S+ places=1$/m,
    );
    assert.doesNotMatch(text.stderr, /^\{/m);
    const bad = await runCli(['demo', '--once', '--lake', lake], { LOG_FORMAT: 'xml' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /LOG_FORMAT must be one of "text", "json", got "xml"/);
  });
});
