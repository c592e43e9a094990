import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Answer, readAnswers } from './support/answers.js';
import type { Journey } from './support/journey.js';
import { printedRows, tableIn, timeOf } from './support/printed.js';
import { parseCsvWithPython } from './support/python.js';

/**
 * The documented queries on the README's demo lake, typed as the docs write them. Oracles: the
 * archived answers (a count, a mean, a maximum worked out here), and Python's parsers for what a
 * program reads.
 */

const reading = (apiTime: string) => `${apiTime}:00`;
const HOUR = 3_600_000;
/** Minutes from the API's KST time to the run's instant, by hand. */
const freshness = (a: Answer) =>
  (Date.parse(a.collectedAt) - (Date.parse(`${a.record.PPLTN_TIME.replace(' ', 'T')}:00Z`) - 9 * HOUR)) /
  60_000;
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
/** A value the SQL rounded to one decimal place agrees with the exact mean. */
const roundedTo1 = (printed: string, exact: number) => Math.abs(Number(printed) - exact) <= 0.05 + 1e-9;

function byPlace(answers: readonly Answer[]) {
  const places = new Map<string, Answer[]>();
  for (const a of answers) places.set(a.placeCode, [...(places.get(a.placeCode) ?? []), a]);
  return places;
}

/** `SELECT … FROM population ORDER BY max DESC LIMIT 5`: the five largest maxima, each row a real answer. */
function checkLargest(screen: string, answers: readonly Answer[], columns: string[]) {
  const table = tableIn(screen);
  assert.deepEqual(table.columns, columns);
  const top = answers
    .map((a) => Number(a.record.AREA_PPLTN_MAX))
    .sort((x, y) => y - x)
    .slice(0, 5);
  const maxColumn = columns.indexOf('area_population_max');
  assert.deepEqual(
    table.rows.map((row) => Number(row[maxColumn])),
    top,
  );
  const seen = new Set(
    answers.map((a) =>
      JSON.stringify(
        columns.map((c) =>
          c === 'collected_at'
            ? reading(a.runKst)
            : c === 'area_name'
              ? a.record.AREA_NM
              : c === 'area_congest_level'
                ? a.record.AREA_CONGEST_LVL
                : a.record.AREA_PPLTN_MAX,
        ),
      ),
    ),
  );
  for (const row of table.rows) {
    const values = row.map((value, i) => timeOf(value, 'table', columns[i] as string));
    assert.ok(seen.has(JSON.stringify(values)), `${row.join(' | ')} is an answer of the lake`);
  }
}

export const journeys: Journey[] = [
  {
    name: 'a first query: v_resident_share, five places with the mean of their published shares',
    covers: [/^npm run query -- "SELECT \* FROM v_resident_share LIMIT 5" --lake demo-lake$/],
    async run({ commands, run, demoLake }) {
      const answers = readAnswers((await demoLake()).lake);
      const places = byPlace(answers);
      for (const command of commands) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        const table = tableIn(result.screen);
        assert.deepEqual(table.columns, [
          'area_code',
          'area_name',
          'category',
          'observations',
          'resident_pct',
          'non_resident_pct',
        ]);
        assert.equal(table.rows.length, 5);
        for (const [code, name, , observations, resident, visitor] of table.rows) {
          const mine = places.get(code as string) ?? [];
          assert.equal(name, mine[0]?.record.AREA_NM);
          assert.equal(Number(observations), mine.length, `${code}: one observation per answer`);
          assert.ok(
            roundedTo1(resident as string, mean(mine.map((a) => Number(a.record.RESNT_PPLTN_RATE)))),
            `${code} resident`,
          );
          assert.ok(
            roundedTo1(visitor as string, mean(mine.map((a) => Number(a.record.NON_RESNT_PPLTN_RATE)))),
            `${code} visitors`,
          );
        }
      }
    },
  },
  {
    name: 'the five largest populations of the lake, with the time of their run in KST',
    covers: [
      /^npm run query -- "SELECT collected_at, area_name, area_congest_level, area_population_max FROM population ORDER BY area_population_max DESC LIMIT 5" --lake demo-lake$/,
      /^npm run query -- "SELECT area_name, area_congest_level, area_population_max FROM population ORDER BY 3 DESC LIMIT 5" --lake demo-lake$/,
    ],
    async run({ commands, run, demoLake }) {
      const answers = readAnswers((await demoLake()).lake);
      for (const command of commands) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        const columns = /SELECT (.*?) FROM/.exec(command.normalized)?.[1]?.split(', ') ?? [];
        checkLargest(result.screen, answers, columns);
      }
    },
  },
  {
    name: 'count the places, and three rows of the population table',
    covers: [
      /^npm run query -- "SELECT count\(\*\) FROM v_resident_share" --lake demo-lake$/,
      /^npm run query -- "SELECT collected_at, area_name, area_population_max FROM population LIMIT 3" --lake demo-lake$/,
    ],
    async run({ commandsLike, run, demoLake }) {
      const answers = readAnswers((await demoLake()).lake);
      for (const command of commandsLike(/count\(\*\)/)) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        assert.deepEqual(tableIn(result.screen).rows, [[String(byPlace(answers).size)]]);
      }
      const known = new Set(
        answers.map((a) => JSON.stringify([reading(a.runKst), a.record.AREA_NM, a.record.AREA_PPLTN_MAX])),
      );
      for (const command of commandsLike(/LIMIT 3/)) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        const table = tableIn(result.screen);
        assert.equal(table.rows.length, 3);
        for (const row of table.rows) {
          const values = row.map((value, i) => timeOf(value, 'table', table.columns[i] as string));
          assert.ok(known.has(JSON.stringify(values)), `${row.join(' | ')} is an answer, its time in KST`);
        }
      }
    },
  },
  {
    name: 'the evening rows as a CSV file a spreadsheet or a program reads: header, RFC 4180, no npm lines',
    covers: [/^npm run -s query -- ".*WHERE kst_hour = 18" --lake demo-lake --format csv > evening\.csv$/],
    async run({ commands, run, demoLake, sandbox }) {
      const answers = readAnswers((await demoLake()).lake);
      for (const command of commands) {
        const result = await run(command);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, '', 'everything went to the file');
        const text = readFileSync(sandbox.path('evening.csv'), 'utf8');
        assert.ok(text.startsWith('area_name,collected_at_kst,congestion_level\r\n'), text.slice(0, 200));
        const [header, ...records] = parseCsvWithPython(text);
        assert.deepEqual(header, ['area_name', 'collected_at_kst', 'congestion_level']);
        const expected = answers
          .filter((a) => a.record.PPLTN_TIME.slice(11, 13) === '18')
          .map((a) => JSON.stringify([a.record.AREA_NM, reading(a.runKst), a.record.AREA_CONGEST_LVL]))
          .sort();
        assert.ok(expected.length > 0);
        assert.deepEqual(
          records
            .map((row) => JSON.stringify(row.map((v, i) => timeOf(v, 'csv', header?.[i] as string))))
            .sort(),
          expected,
        );
      }
    },
  },
  {
    name: 'freshness of every run as JSON Lines: one object per run, times with +09:00, figures from the answers',
    covers: [/^npm run -s query -- "SELECT \* FROM v_freshness_by_run" --lake demo-lake --format json$/],
    async run({ commands, run, demoLake }) {
      const answers = readAnswers((await demoLake()).lake);
      const runs = new Map<string, Answer[]>();
      for (const a of answers) runs.set(a.runId, [...(runs.get(a.runId) ?? []), a]);
      for (const command of commands) {
        const result = await run(command);
        assert.equal(result.status, 0, result.stderr);
        const rows = printedRows(result.stdout, 'json', [
          'run_id',
          'collected_at',
          'collected_at_kst',
          'places',
          'freshness_avg_minutes',
          'freshness_min_minutes',
          'freshness_max_minutes',
        ]);
        assert.equal(rows.length, runs.size, 'one object per run');
        for (const [runId, collectedAt, collectedAtKst, places, avg, min, max] of rows) {
          const mine = runs.get(runId as string) ?? [];
          const minutes = mine.map(freshness);
          assert.equal(collectedAt, reading(mine[0]?.runKst as string));
          assert.equal(collectedAtKst, reading(mine[0]?.runKst as string));
          assert.equal(Number(places), mine.length);
          assert.ok(roundedTo1(avg as string, mean(minutes)), `${runId}: average ${avg}`);
          assert.equal(Number(min), Math.min(...minutes));
          assert.equal(Number(max), Math.max(...minutes));
        }
      }
    },
  },
];
