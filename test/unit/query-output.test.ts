import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { cellsOf } from '../../lambdas/cli/query-output/cells.js';
import {
  renderCsv,
  renderJsonLines,
  renderTable,
  repeatedNames,
} from '../../lambdas/cli/query-output/formats.js';
import { parseWallClockReading, readingToKst } from '../../lambdas/core/kst-time.js';

/** What `npm run query` would print for one SQL, in the three formats, from a real DuckDB result. */
async function printed(connection: DuckDBConnection, sql: string) {
  const reader = await connection.runAndReadAll(sql);
  const columns = reader.columnNames();
  const cells = cellsOf(columns, reader.columnTypes(), reader.getRowsJson());
  return {
    table: renderTable(columns, cells),
    csv: renderCsv(columns, cells),
    json: renderJsonLines(columns, cells),
  };
}

describe('a UTC reading shown in KST (hand-computed readings)', () => {
  const cases: [string, number, string][] = [
    ['2026-12-02 13:40:00', 0, '2026-12-02 22:40:00'],
    ['2026-12-31 15:00:00', 0, '2027-01-01 00:00:00'], // the year rolls over
    ['2028-02-28 15:30:00', 0, '2028-02-29 00:30:00'], // a leap day
    ['2027-02-28 15:30:00', 0, '2027-03-01 00:30:00'], // no leap day
    ['2026-06-30 14:59:59', 0, '2026-06-30 23:59:59'],
    ['0050-01-01 00:00:00', 0, '0050-01-01 09:00:00'], // not read as 1950
    ['2026-12-02 22:40:00', 9 * 60, '2026-12-02 22:40:00'], // already KST
    ['2026-12-02 08:40:00', -5 * 60, '2026-12-02 22:40:00'], // UTC-5
    ['2026-12-02 19:10:00', 5 * 60 + 30, '2026-12-02 22:40:00'], // UTC+5:30
  ];
  for (const [reading, offset, kst] of cases) {
    it(`${reading} at ${offset} min → ${kst} KST`, () => {
      const parsed = parseWallClockReading(reading);
      assert.ok(parsed);
      const out = readingToKst(parsed, offset);
      assert.equal(`${out.date} ${out.time}`, kst);
    });
  }

  it('keeps the fraction of a second as written, and reads HH:MM as HH:MM:00', () => {
    assert.deepEqual(readingToKst(parseWallClockReading('2026-12-02 13:40:03.25') as never), {
      date: '2026-12-02',
      time: '22:40:03',
      fraction: '.25',
    });
    assert.deepEqual(parseWallClockReading('2026-12-02 22:35'), {
      date: '2026-12-02',
      time: '22:35:00',
      fraction: '',
    });
  });

  it('reads no reading out of other text', () => {
    for (const text of [
      'infinity',
      '-infinity',
      '2026-12-02',
      '22:35',
      '2026-12-02 22:35 KST',
      '',
      '20261202 2235',
    ])
      assert.equal(parseWallClockReading(text), undefined, text);
  });
});

describe('query output: every timestamp column shown once in KST, in every format', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    // As openLake sets it: the session's zone is UTC, like the lake's readings.
    await connection.run("SET TimeZone = 'UTC'");
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  // One value, 2026-12-02 22:35 KST, in every shape a column can hold it.
  const SHAPES: [string, string][] = [
    ['stored instant (TIMESTAMP, UTC reading)', "TIMESTAMP '2026-12-02 13:35:00' AS population_time"],
    ['view column …_kst (KST reading)', "TIMESTAMP '2026-12-02 22:35:00' AS population_time_kst"],
    ['upper-case …_KST', "TIMESTAMP '2026-12-02 22:35:00' AS POPULATION_TIME_KST"],
    ['kst_… prefix', "TIMESTAMP '2026-12-02 22:35:00' AS kst_moment"],
    ['a _kst computed in the query', "TIMESTAMP '2026-12-02 13:35:00' + INTERVAL '9 hours' AS t_kst"],
    ['TIMESTAMPTZ', "TIMESTAMPTZ '2026-12-02 22:35:00+09' AS t"],
    [
      'TIMESTAMPTZ named …_kst (an instant whatever its name)',
      "TIMESTAMPTZ '2026-12-02 13:35:00+00' AS t_kst",
    ],
    ['TIMESTAMP_S', "CAST(TIMESTAMP '2026-12-02 13:35:00' AS TIMESTAMP_S) AS t"],
    ['TIMESTAMP_MS', "CAST(TIMESTAMP '2026-12-02 13:35:00' AS TIMESTAMP_MS) AS t"],
    ['TIMESTAMP_NS', "CAST(TIMESTAMP '2026-12-02 13:35:00' AS TIMESTAMP_NS) AS t"],
  ];
  for (const [shape, expression] of SHAPES) {
    it(`${shape}: 2026-12-02 22:35:00 KST / 2026-12-02T22:35:00+09:00`, async () => {
      const out = await printed(connection, `SELECT ${expression}`);
      assert.equal(out.table.split('\n')[2], '2026-12-02 22:35:00 KST');
      assert.equal(out.csv.split('\r\n')[1], '2026-12-02T22:35:00+09:00\r');
      assert.match(out.json ?? '', /^\{"[^"]+":"2026-12-02T22:35:00\+09:00"\}$/);
    });
  }

  it('a TIMESTAMPTZ read under another session zone still shows KST', async () => {
    await connection.run("SET TimeZone = 'America/New_York'");
    try {
      const out = await printed(connection, "SELECT TIMESTAMPTZ '2026-12-02 13:35:00+00' AS t");
      assert.equal(out.json, '{"t":"2026-12-02T22:35:00+09:00"}');
    } finally {
      await connection.run("SET TimeZone = 'UTC'");
    }
  });

  it('keeps milliseconds for programs and cuts them for a person', async () => {
    const out = await printed(connection, "SELECT TIMESTAMP '2026-12-02 13:40:03.25' AS fetched_at");
    assert.equal(out.table.split('\n')[2], '2026-12-02 22:40:03 KST');
    assert.equal(out.json, '{"fetched_at":"2026-12-02T22:40:03.25+09:00"}');
  });

  it('prints dates as dates, and a NULL time as NULL / empty / null', async () => {
    const out = await printed(
      connection,
      "SELECT DATE '2026-12-02' AS kst_date, CAST(NULL AS TIMESTAMP) AS t",
    );
    assert.equal(out.table.split('\n')[2], '2026-12-02 | NULL');
    assert.equal(out.csv, 'kst_date,t\r\n2026-12-02,\r');
    assert.equal(out.json, '{"kst_date":"2026-12-02","t":null}');
  });
});

describe('query output: CSV (RFC 4180) and JSON Lines', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  // Each text that needs quoting in CSV, and what RFC 4180 makes of it (hand-written).
  const TEXTS: [string, string, string][] = [
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['only a quote', '"', '""""'],
    ['a line feed', 'line1\nline2', '"line1\nline2"'],
    ['a carriage return', 'a\rb', '"a\rb"'],
    ['CRLF', 'a\r\nb', '"a\r\nb"'],
    ['the empty string (told apart from NULL)', '', '""'],
    ['Korean with a space', '약간 붐빔', '약간 붐빔'],
    ['a middle dot and a comma', '광화문·덕수궁, 서울', '"광화문·덕수궁, 서울"'],
    ['leading spaces', '  x', '  x'],
  ];
  for (const [what, text, field] of TEXTS) {
    it(`CSV quotes ${what}; JSON escapes it`, async () => {
      const literal = `'${text.replace(/'/g, "''")}'`;
      const out = await printed(connection, `SELECT ${literal} AS "weird, ""name""", 1 AS n`);
      assert.equal(out.csv, `"weird, ""name""",n\r\n${field},1\r`);
      assert.deepEqual(JSON.parse(out.json ?? ''), { 'weird, "name"': text, n: 1 });
    });
  }

  it('writes numbers as numbers, wide integers and decimals digit for digit', async () => {
    const out = await printed(
      connection,
      'SELECT 9007199254740993::BIGINT AS big, 12.30::DECIMAL(10,2) AS dec, 0.5::DOUBLE AS d, -7::INTEGER AS i, true AS b',
    );
    assert.equal(out.json, '{"big":9007199254740993,"dec":12.30,"d":0.5,"i":-7,"b":true}');
    assert.equal(out.csv, 'big,dec,d,i,b\r\n9007199254740993,12.30,0.5,-7,true\r');
  });

  it('writes lists and structs as JSON values', async () => {
    const out = await printed(connection, "SELECT [1, 2] AS l, {'a': 'x,y'} AS s");
    assert.equal(out.json, '{"l":[1,2],"s":{"a":"x,y"}}');
    assert.equal(out.csv, 'l,s\r\n"[1,2]","{""a"":""x,y""}"\r');
  });

  it('no rows: a header alone in CSV, nothing in JSON, (0 rows) in a table', async () => {
    const out = await printed(connection, 'SELECT 1 AS a, 2 AS b WHERE false');
    assert.equal(out.csv, 'a,b\r');
    assert.equal(out.json, undefined);
    assert.match(out.table, /\(0 rows\)$/);
  });

  it('names the columns that repeat (they cannot all be keys of one JSON object)', () => {
    assert.deepEqual(repeatedNames(['a', 'b', 'a', 'c', 'b', 'a']), ['a', 'b']);
    assert.deepEqual(repeatedNames(['a', 'b']), []);
  });
});

describe('the text table', () => {
  it('prints a result of 200,000 rows (widths found without spreading every row as arguments)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [{ kind: 'number', token: String(i) } as const]);
    const table = renderTable(['n'], rows);
    assert.match(table, /^n\n-{6}\n0\n/);
    assert.match(table, /\n199999\n\(200000 rows\)$/);
  });
});
