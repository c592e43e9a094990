import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { decodeJsonLinesGzip } from '../../lambdas/core/lake/jsonl.js';
import { ALL_PLACES, type Place } from '../../lambdas/core/places.js';
import { runCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';
import { closedPort } from '../support/net.js';

const KEY = 'e2e-secret-key-7Q9x';
const CALLED_AT = new Date('2026-07-16T14:35:00Z');
const kst = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}:00+09:00`);
const newFolder = (name: string) => mkdtempSync(join(tmpdir(), `${name}-`));

/** Everything written below a folder, as text: gzip files inflated, Parquet files decoded by DuckDB. */
async function everythingWritten(folder: string): Promise<string> {
  const files = readdirSync(folder, { recursive: true })
    .map((entry) => join(folder, String(entry)))
    .filter((path) => statSync(path).isFile());
  const texts = await Promise.all(
    files.map(async (path) => {
      if (path.endsWith('.parquet'))
        return JSON.stringify(await readParquet(path), (_, v) => (typeof v === 'bigint' ? String(v) : v));
      const bytes = readFileSync(path);
      return path.endsWith('.gz') ? JSON.stringify(decodeJsonLinesGzip(bytes)) : bytes.toString('utf8');
    }),
  );
  return texts.join('\n');
}

describe('local pipeline, end to end against the simulator', () => {
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => CALLED_AT });
  let baseUrl: string;
  let lake: string;
  let run: Awaited<ReturnType<typeof runCli>>;

  before(async () => {
    baseUrl = await simulator.start();
    lake = newFolder('e2e-lake');
    run = await runCli(['start', '--once', '--lake', lake], {
      SEOUL_API_KEY: KEY,
      SEOUL_API_BASE_URL: baseUrl,
      LOG_LEVEL: 'debug',
    });
  });
  after(() => simulator.stop());

  it('completes with status 0 and a summary of 121 places', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /places: 121 ok, 0 no data, 0 failed \(of 121\)/);
    assert.match(
      run.stdout,
      /written: 121 population rows, 1452 population_forecast rows, 121 raw, 0 rejected, 0 flagged/,
    );
    assert.match(run.stdout, /duration: \d+\.\d\d s/);
  });

  it('writes population rows equal, field by field, to the answers (read back with DuckDB)', async () => {
    const rows = await readParquet(
      join(lake, 'population/**/*.parquet'),
      'SELECT * FROM data ORDER BY area_code',
    );
    assert.equal(rows.length, 121);
    const places = [...ALL_PLACES].sort((a, b) => a.code.localeCompare(b.code));
    for (const [index, place] of places.entries()) {
      const answer = simulator.recordFor(place) as Record<string, string>;
      const row = rows[index] as Record<string, unknown>;
      const { collected_at, fetched_at, run_id, ...fields } = row;
      assert.equal((collected_at as Date).getUTCSeconds(), 0);
      assert.ok((fetched_at as Date) >= (collected_at as Date));
      assert.match(String(run_id), /^\d{8}T\d{4}Z-[0-9a-f]{6}$/);
      assert.deepEqual(
        fields,
        {
          area_code: answer.AREA_CD,
          area_name: answer.AREA_NM,
          category: place.category,
          area_congest_level: answer.AREA_CONGEST_LVL,
          area_congest_message: answer.AREA_CONGEST_MSG,
          area_population_min: Number(answer.AREA_PPLTN_MIN),
          area_population_max: Number(answer.AREA_PPLTN_MAX),
          male_population_rate: Number(answer.MALE_PPLTN_RATE),
          female_population_rate: Number(answer.FEMALE_PPLTN_RATE),
          population_rate_0: Number(answer.PPLTN_RATE_0),
          population_rate_10: Number(answer.PPLTN_RATE_10),
          population_rate_20: Number(answer.PPLTN_RATE_20),
          population_rate_30: Number(answer.PPLTN_RATE_30),
          population_rate_40: Number(answer.PPLTN_RATE_40),
          population_rate_50: Number(answer.PPLTN_RATE_50),
          population_rate_60: Number(answer.PPLTN_RATE_60),
          population_rate_70: Number(answer.PPLTN_RATE_70),
          resident_population_rate: Number(answer.RESNT_PPLTN_RATE),
          non_resident_population_rate: Number(answer.NON_RESNT_PPLTN_RATE),
          replace_yn: answer.REPLACE_YN === 'Y',
          forecast_yn: answer.FCST_YN === 'Y',
          population_time: kst(answer.PPLTN_TIME as string),
        },
        place.code,
      );
    }
  });

  it('writes the 12 forecast hours of every place, field by field', async () => {
    const rows = await readParquet(
      join(lake, 'population_forecast/**/*.parquet'),
      'SELECT * FROM data ORDER BY area_code, forecast_time',
    );
    assert.equal(rows.length, 121 * 12);
    const places = [...ALL_PLACES].sort((a, b) => a.code.localeCompare(b.code));
    const expected = places.flatMap((place: Place) => {
      const answer = simulator.recordFor(place) as {
        PPLTN_TIME: string;
        FCST_PPLTN: Record<string, string>[];
      };
      return answer.FCST_PPLTN.map((f) => ({
        area_code: place.code,
        population_time: kst(answer.PPLTN_TIME as string),
        forecast_time: kst(f.FCST_TIME as string),
        forecast_congest_level: f.FCST_CONGEST_LVL,
        forecast_population_min: Number(f.FCST_PPLTN_MIN),
        forecast_population_max: Number(f.FCST_PPLTN_MAX),
      }));
    });
    assert.deepEqual(
      rows.map(({ collected_at, ...rest }) => rest),
      expected,
    );
  });

  it('puts everything in one minute partition of Seoul time, with every envelope archived raw', async () => {
    const partitions = (area: string) =>
      readdirSync(join(lake, area), { recursive: true })
        .map(String)
        .filter((p) => p.split('/').length === 5);
    const [partition] = partitions('population');
    assert.match(partition ?? '', /^year=\d{4}\/month=\d\d\/day=\d\d\/hour=\d\d\/minute=\d\d$/);
    for (const area of ['population', 'population_forecast', 'raw', 'collection_outcomes'])
      assert.deepEqual(partitions(area), [partition], area);
    const rawFiles = readdirSync(join(lake, 'raw', partition as string));
    const envelopes = rawFiles.flatMap((f) =>
      decodeJsonLinesGzip(readFileSync(join(lake, 'raw', partition as string, f))),
    ) as { payload: unknown; place: Place }[];
    assert.equal(envelopes.length, 121);
    for (const envelope of envelopes) {
      assert.deepEqual(
        envelope.payload,
        simulator.recordFor(ALL_PLACES.find((p) => p.code === envelope.place.code) as Place),
      );
    }
    assert.equal(existsSync(join(lake, 'rejected')), false);
  });

  it('records every place of the run as ok in collection_outcomes', async () => {
    const rows = await readParquet(
      join(lake, 'collection_outcomes/**/*.parquet'),
      'SELECT status, count(*) AS n, count(reason) AS reasons FROM data GROUP BY status',
    );
    assert.deepEqual(rows, [{ status: 'ok', n: 121n, reasons: 0n }]);
  });

  it('never writes the API key into a log line, the output or a file', async () => {
    assert.match(run.stderr, /"level":"debug"|"message":"run started"/, 'logging was on');
    assert.equal(run.stdout.includes(KEY), false);
    assert.equal(run.stderr.includes(KEY), false);
    const written = await everythingWritten(lake);
    assert.ok(written.includes('POI072'), 'the files were read');
    assert.equal(written.includes(KEY), false);
  });
});

describe('local command line: options and bad input', () => {
  const simulator = new ApiSimulator({ validKeys: [KEY] });
  let baseUrl: string;
  const env = () => ({ SEOUL_API_KEY: KEY, SEOUL_API_BASE_URL: baseUrl });

  before(async () => {
    baseUrl = await simulator.start();
  });
  after(() => simulator.stop());

  it('collects exactly the places given with --places into the --lake folder', async () => {
    const lake = newFolder('places-lake');
    const result = await runCli(['start', '--once', '--places', 'POI072,POI001', '--lake', lake], env());
    assert.equal(result.status, 0, result.stderr);
    const rows = await readParquet(
      join(lake, 'population/**/*.parquet'),
      'SELECT area_code FROM data ORDER BY 1',
    );
    assert.deepEqual(
      rows.map((r) => r.area_code),
      ['POI001', 'POI072'],
    );
  });

  it('refuses an unknown place code with the list of valid ones (exit 2), before any call', async () => {
    const requests = simulator.requests.length;
    const result = await runCli(
      ['start', '--once', '--places', 'POI001,POI999', '--lake', newFolder('unused')],
      env(),
    );
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /unknown place code\(s\): POI999\. Valid codes \(121\):\n {2}POI001 {2}강남 MICE 관광특구 \(/,
    );
    assert.match(result.stderr, /\n {2}POI072 {2}여의도 \(Yeouido\)/);
    assert.equal(simulator.requests.length, requests);
  });

  it('stops at once on a bad key, saying how to get one, without printing it (exit 1)', async () => {
    const lake = newFolder('badkey-lake');
    const result = await runCli(['start', '--once', '--lake', lake], {
      ...env(),
      SEOUL_API_KEY: 'WRONG-key-5521',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /refused the API key \(INFO-100\).*data\.seoul\.go\.kr/);
    assert.equal(`${result.stdout}${result.stderr}`.includes('WRONG-key-5521'), false);
  });

  it('fails clearly when the API is unreachable (exit 1): one line for a person, every place in the log', async () => {
    const lake = newFolder('down-lake');
    const result = await runCli(['start', '--once', '--places', 'POI001,POI002,POI003', '--lake', lake], {
      ...env(),
      SEOUL_API_BASE_URL: `http://127.0.0.1:${await closedPort()}`,
      REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /places: 0 ok, 0 no data, 3 failed/);
    assert.match(
      result.stdout,
      /^ {2}API unreachable: all 3 places failed: network error: .*ECONNREFUSED.*\(after 4 attempts\)$/m,
    );
    assert.doesNotMatch(result.stdout, /POI00[123]/, 'no per-place line for a person');
    const logged = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message: string; place?: string });
    assert.deepEqual(
      logged
        .filter((line) => line.message === 'place failed')
        .map((line) => line.place)
        .sort(),
      ['POI001', 'POI002', 'POI003'],
    );
  });

  it('names the lake folder when it cannot be written (exit 1), before any call', async () => {
    const file = join(newFolder('notadir'), 'a-file');
    writeFileSync(file, 'x');
    const requests = simulator.requests.length;
    const result = await runCli(['start', '--once', '--lake', join(file, 'lake')], env());
    assert.equal(result.status, 1);
    assert.ok(
      result.stderr.includes(`lake folder ${join(file, 'lake')} cannot be created: ${file} is not a folder`),
      result.stderr,
    );
    assert.equal(simulator.requests.length, requests);
  });

  it('completes with status 0 when some answers are malformed, listing the failed places', async () => {
    simulator.setFaults([{ kind: 'malformed-json', places: ['POI002'] }]);
    try {
      const result = await runCli(
        ['start', '--once', '--places', 'POI001,POI002', '--lake', newFolder('malformed-lake')],
        env(),
      );
      assert.equal(result.status, 0);
      assert.match(result.stdout, /places: 1 ok, 0 no data, 1 failed/);
      assert.match(result.stdout, /failed \(1\): unparseable JSON body.* — POI002$/m);
    } finally {
      simulator.setFaults([]);
    }
  });

  it('uses the public sample key when no key is set: POI009 only, and says how to get a key', async () => {
    const lake = newFolder('sample-lake');
    const result = await runCli(['start', '--once', '--lake', lake], {
      SEOUL_API_KEY: '',
      SEOUL_API_BASE_URL: baseUrl,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /public "sample" key.*only POI009 is collected.*data\.seoul\.go\.kr/);
    const rows = await readParquet(join(lake, 'population/**/*.parquet'), 'SELECT area_code FROM data');
    assert.deepEqual(
      rows.map((r) => r.area_code),
      ['POI009'],
    );
  });

  it('refuses another place than POI009 with the sample key, saying why (exit 2), before any call', async () => {
    const requests = simulator.requests.length;
    const result = await runCli(['start', '--once', '--places', 'POI072', '--lake', newFolder('unused')], {
      SEOUL_API_KEY: '',
      SEOUL_API_BASE_URL: baseUrl,
    });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /"sample" key only answers .*\(POI009\).*POI072 cannot be collected.*SEOUL_API_KEY/,
    );
    assert.equal(simulator.requests.length, requests);
  });

  it('refuses an unknown LOG_LEVEL (exit 2), naming the levels', async () => {
    const result = await runCli(['start', '--once', '--lake', newFolder('unused')], {
      ...env(),
      LOG_LEVEL: 'verbose',
    });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /LOG_LEVEL must be one of "debug", "info", "warn", "error", "silent", got "verbose"/,
    );
  });

  it('shows the real range of a number out of range (exit 2)', async () => {
    const result = await runCli(['start', '--once', '--lake', newFolder('unused')], {
      ...env(),
      RUN_TIMEOUT_MS: '99999999999',
    });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /RUN_TIMEOUT_MS must be a whole number from 1000 to 780000, got "99999999999"/,
    );
  });

  it('without --once, runs at start, keeps running, and stops cleanly on SIGTERM', async () => {
    const lake = newFolder('continuous-lake');
    let signalled = false;
    const result = await runCli(
      ['start', '--places', 'POI001', '--lake', lake],
      env(),
      60_000,
      (stdout, child) => {
        if (!signalled && stdout.includes('duration:')) {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /now and then at every :00, :20 and :40 \(KST\)/);
    assert.match(result.stdout, /^next run at \d{2}:[024]0 KST/m);
    assert.match(result.stderr, /SIGTERM received: stopping/);
    assert.match(result.stderr, /no run in progress: stopping/);
    assert.equal(result.stdout.match(/places: 1 ok/g)?.length, 1);
  });

  it('refuses a bad option and a bad concurrency with the usage (exit 2)', async () => {
    const badOption = await runCli(['start', '--once', '--bogus'], env());
    assert.equal(badOption.status, 2);
    assert.match(badOption.stderr, /Unknown option '--bogus'[\s\S]*--places CODES/);
    const badConcurrency = await runCli(['start', '--once', '--concurrency', '0'], env());
    assert.equal(badConcurrency.status, 2);
    assert.match(badConcurrency.stderr, /--concurrency must be a whole number from 1 to 64, got "0"/);
  });
});
