import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { readParquet } from '../support/duckdb.js';
import {
  HostileApi,
  type HostileMode,
  KEY_MODES,
  LIMIT_MODES,
  TERMINAL_ATTACK,
  TIME_MODES,
} from '../support/hostile-api.js';
import { revealsKey } from '../support/key-spellings.js';
import { ACTIVE } from '../support/terminal-active.js';
import { runWatched, type WatchedRun } from '../support/watched-cli.js';

/**
 * Every class of hostile answer at once, through the commands a person runs: `npm start -- --once`
 * against a server that answers each place with one variant of a class, then `query`, `check` and
 * `replay` over the lake it wrote. For each class: the rest is processed, the bad part is named,
 * the exit status is honest, memory stays bounded, nothing outside the lake is touched, and no
 * output, decoded in every way a reader could decode it, shows the key or 8 characters of it.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'Journey-Secret-Key-7d3b19e04c';
const MEMORY_BOUND_MB = 600;

const MODES: HostileMode[] = [
  ...LIMIT_MODES,
  ...KEY_MODES,
  'echo-key-error',
  'echo-key-everywhere',
  'duplicate-keys',
  ...TIME_MODES,
  'control-characters',
  'ok',
  'ok',
  'ok',
];
const PLACES = ALL_PLACES.slice(0, MODES.length);
const modeOf = new Map(PLACES.map((place, index) => [place.code, MODES[index] as HostileMode]));
const placesIn = (modes: readonly HostileMode[]) =>
  PLACES.filter((p) => modes.includes(modeOf.get(p.code) as HostileMode)).map((p) => p.code);

/** Every file of a folder, recursively, as paths relative to it. */
function filesOf(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[])
    .filter((f) => statSync(join(folder, f)).isFile())
    .sort();
}

/** Every text a lake holds, decoded: raw/ and rejected/ lines as parsed JSON (and the answers in them), Parquet values as DuckDB reads them. */
async function lakeTexts(lake: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const file of filesOf(lake)) {
    const path = join(lake, file);
    if (file.endsWith('.jsonl.gz')) {
      const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean);
      for (const [index, line] of lines.entries()) {
        const value = JSON.parse(line) as { answer?: { body: string; encoding: string } };
        const body = value.answer
          ? value.answer.encoding === 'base64'
            ? Buffer.from(value.answer.body, 'base64').toString('latin1')
            : value.answer.body
          : '';
        texts.set(`${file}:${index + 1}`, `${JSON.stringify(value)}\n${line}\n${body}`);
      }
    } else if (file.endsWith('.parquet')) {
      const rows = await readParquet(path);
      texts.set(file, JSON.stringify(rows));
    } else texts.set(file, readFileSync(path).toString('latin1'));
  }
  return texts;
}

function assertNoKey(what: string, text: string): void {
  const fragment = revealsKey(text, KEY);
  assert.equal(fragment, undefined, `${what} shows ${JSON.stringify(fragment)} of the key`);
}

function assertTerminalSafe(what: string, run: WatchedRun): void {
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const line = text.split('\n').find((l) => ACTIVE.test(l));
    assert.equal(line, undefined, `${what} ${stream} prints an active character: ${JSON.stringify(line)}`);
    assertNoKey(`${what} ${stream}`, text);
  }
}

describe('hostile answers of every class, through the commands a person runs', () => {
  const api = new HostileApi({
    key: KEY,
    now: () => new Date(Date.now() - 5 * 60_000),
    plan: ({ place }) => modeOf.get(place) ?? 'ok',
  });
  const outside = mkdtempSync(join(tmpdir(), 'hostile-journey-'));
  const lake = join(outside, 'lake');
  const sentinel = join(outside, 'sentinel.txt');
  let env: Record<string, string>;
  let start: WatchedRun;
  let repoBefore: string;

  before(async () => {
    writeFileSync(sentinel, 'untouched');
    repoBefore = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: ROOT,
    }).toString();
    env = {
      SEOUL_API_KEY: KEY,
      SEOUL_API_BASE_URL: await api.start(),
      LAKE_DIR: lake,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'text',
      KAFKA_BROKERS: '',
      REQUEST_TIMEOUT_MS: '5000',
    };
    start = await runWatched(['start', '--once', '--places', PLACES.map((p) => p.code).join(',')], env);
  });
  after(async () => {
    await api.stop();
    rmSync(outside, { recursive: true, force: true });
  });

  it('start --once: the run completes (exit 0), every place has one outcome, memory stays bounded', async () => {
    assert.equal(start.status, 0, start.stderr);
    assert.ok(start.peakRssMb < MEMORY_BOUND_MB, `peak RSS ${start.peakRssMb} MB`);
    const outcomes = await readParquet(`${lake}/collection_outcomes/**/*.parquet`);
    assert.deepEqual(outcomes.map((o) => o.area_code).sort(), PLACES.map((p) => p.code).sort());
    const places = start.stdout.split('\n').filter((line) => /^\s*places:/.test(line));
    assert.equal(places.length, 1, 'one places line: no answer can fake another');
  });

  it('parser limits: each answer over a limit fails its place only, naming the limit', async () => {
    const outcomes = await readParquet(`${lake}/collection_outcomes/**/*.parquet`);
    const byCode = new Map(outcomes.map((o) => [String(o.area_code), o]));
    for (const code of placesIn(LIMIT_MODES)) {
      assert.equal(byCode.get(code)?.status, 'failed', `${code} (${modeOf.get(code)})`);
      assert.match(
        String(byCode.get(code)?.reason),
        /^(answer over a limit: |unparseable XML body: elements are nested more than 32 levels deep)/,
        `${code} (${modeOf.get(code)})`,
      );
    }
    assert.doesNotMatch(start.stdout + start.stderr, /Maximum call stack/);
    for (const code of placesIn(['ok', ...KEY_MODES.filter((m) => m !== 'key-fragment')]))
      assert.equal(byCode.get(code)?.status, 'ok', `${code} (${modeOf.get(code)})`);
  });

  it('the rows of the good answers are what the server sent (read back by DuckDB)', async () => {
    const rows = await readParquet(`${lake}/population/**/*.parquet`);
    const byCode = new Map(rows.map((r) => [String(r.area_code), r]));
    for (const served of api.served.filter(
      (s) => s.record && ['ok', 'control-characters', ...KEY_MODES, 'duplicate-keys'].includes(s.mode),
    )) {
      const row = byCode.get(served.place);
      const record = served.record as Record<string, unknown>;
      assert.ok(row, `${served.place} (${served.mode}) has a row`);
      assert.equal(row.area_name, record.AREA_NM, served.mode);
      assert.equal(row.area_congest_message, record.AREA_CONGEST_MSG, served.mode);
      assert.equal(row.area_population_min, Number(record.AREA_PPLTN_MIN), served.mode);
      // Hand conversion: the API's KST wall clock is UTC+9.
      const kst = `${String(record.PPLTN_TIME).replace(' ', 'T')}:00+09:00`;
      assert.equal((row.population_time as Date).toISOString(), new Date(kst).toISOString(), served.mode);
    }
  });

  it('times outside the window: each record rejected with its reason, none stored', async () => {
    const rejected = [...(await lakeTexts(lake))]
      .filter(([file]) => file.startsWith('rejected/'))
      .map(
        ([, text]) => JSON.parse(text.split('\n')[0] as string) as { placeCode: string; reasons: string[] },
      );
    const rows = await readParquet(`${lake}/population/**/*.parquet`);
    for (const code of placesIn(TIME_MODES)) {
      const entry = rejected.find((r) => r.placeCode === code);
      assert.ok(entry, `${code} (${modeOf.get(code)}) is in rejected/`);
      assert.match(
        entry.reasons.join(),
        /PPLTN_TIME "[^"]+" is (before the API existed|more than a day after the collection)/,
      );
      assert.ok(!rows.some((r) => r.area_code === code), `${code} has no row`);
    }
  });

  it('raw/ holds a repeated-key answer byte for byte, and its row is flagged', async () => {
    const served = api.served.find((s) => s.mode === 'duplicate-keys');
    const lines = [...(await lakeTexts(lake))]
      .filter(([file]) => file.startsWith('raw/'))
      .map(([, text]) => text.split('\n')[0] as string);
    const envelope = lines
      .map((l) => JSON.parse(l) as { place: { code: string }; answer: { body: string; encoding: string } })
      .find((e) => e.place.code === served?.place);
    assert.ok(envelope && served?.body);
    assert.equal(envelope.answer.encoding, 'utf8');
    assert.ok(Buffer.from(envelope.answer.body, 'utf8').equals(served.body), 'the bytes as received');
    assert.match(
      start.stderr,
      new RegExp(`record flagged place=${served.place} .*repeats a key in one object`),
    );
  });

  it('the key, in any spelling, shows in no decoded output: lake, logs, reasons, stdout', async () => {
    for (const [file, text] of await lakeTexts(lake)) assertNoKey(file, text);
    assertTerminalSafe('start', start);
  });

  it('query, check and replay print lake text escaped, with no key, and replay rebuilds the same rows', async () => {
    const query = await runWatched(
      [
        'query',
        'SELECT area_code, area_name, area_congest_message FROM population ORDER BY area_code',
        '--lake',
        lake,
      ],
      env,
    );
    assert.equal(query.status, 0, query.stderr);
    assertTerminalSafe('query', query);
    assert.ok(
      query.stdout.includes(JSON.stringify(TERMINAL_ATTACK.name).slice(1, 12)),
      'the name shown escaped',
    );
    const check = await runWatched(['check', '--lake', lake], env);
    assert.ok(check.status === 0 || check.status === 1, check.stderr);
    assertTerminalSafe('check', check);
    const before = await readParquet(
      `${lake}/population/**/*.parquet`,
      'SELECT area_code, area_name FROM data ORDER BY area_code',
    );
    const replay = await runWatched(['replay', '--lake', lake], env);
    assert.equal(replay.status, 0, replay.stdout + replay.stderr);
    assertTerminalSafe('replay', replay);
    assert.ok(replay.peakRssMb < MEMORY_BOUND_MB, `replay peak RSS ${replay.peakRssMb} MB`);
    const afterReplay = await readParquet(
      `${lake}/population/**/*.parquet`,
      'SELECT area_code, area_name FROM data ORDER BY area_code',
    );
    assert.deepEqual(afterReplay, before);
    for (const [file, text] of await lakeTexts(lake)) assertNoKey(`after replay: ${file}`, text);
  });

  it('nothing outside the lake is touched', () => {
    assert.deepEqual(readdirSync(outside).sort(), ['lake', 'sentinel.txt']);
    assert.equal(readFileSync(sentinel, 'utf8'), 'untouched');
    const repoAfter = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: ROOT,
    }).toString();
    assert.equal(repoAfter, repoBefore, 'the working tree is as it was');
  });
});
