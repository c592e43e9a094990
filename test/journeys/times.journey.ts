import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Answer, readAnswers } from './support/answers.js';
import type { Journey, JourneyContext } from './support/journey.js';
import { type Format, printedRows } from './support/printed.js';
import { shellQuote } from './support/sandbox.js';

/**
 * The time convention, checked where a person sees it: for every timestamp and date column of
 * every table and view, `npm run query` in each format prints the API's own time for the answer
 * the row came from. The oracle is the archived answers (raw/): PPLTN_TIME and FCST_TIME as the
 * API wrote them, the run's time as its partition folder names it.
 */

const FORMATS: Format[] = ['table', 'csv', 'json'];
const HOUR = 3_600_000;

/** The API's `YYYY-MM-DD HH:MM` as a reading to the second: the only change is `:00`. */
const reading = (apiTime: string) => `${apiTime}:00`;
/** A UTC ISO instant of an envelope as a KST reading, by hand: nine hours later. */
const kstOfIso = (iso: string) =>
  new Date(Date.parse(iso) + 9 * HOUR).toISOString().slice(0, 19).replace('T', ' ');

interface Oracle {
  /** The query, its columns in order: the keys that identify a row, then its times. */
  readonly sql: string;
  /** The rows every format must print, as text, times as KST readings. */
  expected(answers: readonly Answer[]): string[][];
}

const columnsOf = (sql: string) =>
  (/^SELECT (.*?) FROM/s.exec(sql)?.[1] ?? '').split(',').map((c) => c.trim());

const byRun = (answers: readonly Answer[]) => new Map(answers.map((a) => [a.runId, reading(a.runKst)]));
/**
 * Per place: its last collected run, and the span of runs that asked for it (first, last). Every
 * place of the journey's lake answers every run it is asked in, so the span is its answers' runs.
 */
const byPlaceRuns = (answers: readonly Answer[]) => {
  const span = new Map<string, { first: string; last: string }>();
  for (const a of answers) {
    const seen = span.get(a.placeCode);
    span.set(a.placeCode, {
      first: seen === undefined || a.runKst < seen.first ? a.runKst : seen.first,
      last: seen === undefined || a.runKst > seen.last ? a.runKst : seen.last,
    });
  }
  return [...span].map(([code, { first, last }]) => [code, reading(last), reading(first), reading(last)]);
};

/** Forecasts whose hour was observed: the first PPLTN_TIME of the place in FCST_TIME's hour. */
function checkedForecasts(answers: readonly Answer[]) {
  const firstInHour = new Map<string, string>();
  for (const a of answers) {
    const key = `${a.placeCode}|${a.record.PPLTN_TIME.slice(0, 13)}`;
    const seen = firstInHour.get(key);
    if (seen === undefined || a.record.PPLTN_TIME < seen) firstInHour.set(key, a.record.PPLTN_TIME);
  }
  return answers.flatMap((a) =>
    (a.record.FCST_PPLTN ?? []).flatMap((f) => {
      const observed = firstInHour.get(`${a.placeCode}|${f.FCST_TIME.slice(0, 13)}`);
      return observed ? [{ a, forecast: f.FCST_TIME, observed }] : [];
    }),
  );
}

/** The earliest observation of a place's KST day with the day's lowest (highest) bound. */
function dailyRange(answers: readonly Answer[]) {
  const days = new Map<string, Answer[]>();
  for (const a of answers) {
    const key = `${a.placeCode}|${a.record.PPLTN_TIME.slice(0, 10)}`;
    days.set(key, [...(days.get(key) ?? []), a]);
  }
  return [...days].map(([key, day]) => {
    const [code, date] = key.split('|') as [string, string];
    const earliestWith = (field: 'AREA_PPLTN_MIN' | 'AREA_PPLTN_MAX', pick: (...n: number[]) => number) => {
      const bound = pick(...day.map((a) => Number(a.record[field])));
      return day
        .filter((a) => Number(a.record[field]) === bound)
        .map((a) => a.record.PPLTN_TIME)
        .sort()[0] as string;
    };
    return [
      code,
      date,
      reading(earliestWith('AREA_PPLTN_MIN', Math.min)),
      reading(earliestWith('AREA_PPLTN_MAX', Math.max)),
    ];
  });
}

/** One oracle per table and view that has a time; the journey fails on a time column not here. */
const ORACLES: Record<string, Oracle> = {
  population: {
    sql: 'SELECT run_id, area_code, collected_at, fetched_at, population_time FROM population',
    expected: (answers) =>
      answers.map((a) => [
        a.runId,
        a.placeCode,
        reading(a.runKst),
        kstOfIso(a.fetchedAt),
        reading(a.record.PPLTN_TIME),
      ]),
  },
  population_forecast: {
    sql: 'SELECT area_code, collected_at, population_time, forecast_time FROM population_forecast',
    expected: (answers) =>
      answers.flatMap((a) =>
        (a.record.FCST_PPLTN ?? []).map((f) => [
          a.placeCode,
          reading(a.runKst),
          reading(a.record.PPLTN_TIME),
          reading(f.FCST_TIME),
        ]),
      ),
  },
  collection_outcomes: {
    sql: 'SELECT run_id, area_code, collected_at FROM collection_outcomes',
    expected: (answers) => answers.map((a) => [a.runId, a.placeCode, reading(a.runKst)]),
  },
  forecast_error: {
    sql: 'SELECT area_code, collected_at, forecast_time, observed_population_time FROM forecast_error',
    expected: (answers) =>
      checkedForecasts(answers).map(({ a, forecast, observed }) => [
        a.placeCode,
        reading(a.runKst),
        reading(forecast),
        reading(observed),
      ]),
  },
  v_congestion_over_time: {
    sql: 'SELECT run_id, area_code, collected_at, collected_at_kst, population_time_kst, kst_date, kst_hour FROM v_congestion_over_time',
    expected: (answers) =>
      answers.map((a) => [
        a.runId,
        a.placeCode,
        reading(a.runKst),
        reading(a.runKst),
        reading(a.record.PPLTN_TIME),
        a.record.PPLTN_TIME.slice(0, 10),
        String(Number(a.record.PPLTN_TIME.slice(11, 13))),
      ]),
  },
  v_population_daily_range: {
    sql: 'SELECT area_code, kst_date, quietest_at_kst, busiest_at_kst FROM v_population_daily_range',
    expected: dailyRange,
  },
  v_forecast_accuracy: {
    sql: 'SELECT area_code, collected_at, collected_at_kst, forecast_time, forecast_time_kst, observed_at_kst FROM v_forecast_accuracy',
    expected: (answers) =>
      checkedForecasts(answers).map(({ a, forecast, observed }) => [
        a.placeCode,
        reading(a.runKst),
        reading(a.runKst),
        reading(forecast),
        reading(forecast),
        reading(observed),
      ]),
  },
  v_completeness_by_run: {
    sql: 'SELECT run_id, collected_at, collected_at_kst FROM v_completeness_by_run',
    expected: (answers) => [...byRun(answers)].map(([run, kst]) => [run, kst, kst]),
  },
  v_missing_runs_by_place: {
    sql: 'SELECT area_code, last_collected_at_kst, first_run_at_kst, last_asked_at_kst FROM v_missing_runs_by_place',
    expected: byPlaceRuns,
  },
  v_freshness_by_run: {
    sql: 'SELECT run_id, collected_at, collected_at_kst FROM v_freshness_by_run',
    expected: (answers) => [...byRun(answers)].map(([run, kst]) => [run, kst, kst]),
  },
  v_resident_share_over_time: {
    sql: 'SELECT area_code, collected_at, collected_at_kst FROM v_resident_share_over_time',
    expected: (answers) => answers.map((a) => [a.placeCode, reading(a.runKst), reading(a.runKst)]),
  },
};

const sorted = (rows: string[][]) => rows.map((row) => JSON.stringify(row)).sort();

async function query(context: JourneyContext, sql: string, format: Format): Promise<string> {
  const command = `npm run -s query -- ${shellQuote(sql)} --lake demo-lake --format ${format}`;
  const result = await context.sandbox.run(command);
  assert.equal(result.status, 0, `${command}\n${result.stderr}`);
  return result.stdout;
}

/** The report's embedded data (what its script draws) and its summary line, read from the HTML. */
function readReport(html: string) {
  const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
  assert.ok(data, 'the report embeds its data');
  const summary = /<p class="meta" id="summary">(.*?)<\/p>/s.exec(html)?.[1] ?? '';
  return { payload: JSON.parse(data), summary };
}

/** The report shows the same times: its summary, map frames, series, forecasts and run tables. */
function checkReport(html: string, answers: readonly Answer[]) {
  const { payload, summary } = readReport(html);
  const runs = [...new Set(answers.map((a) => a.runKst))].sort();
  assert.match(
    summary,
    new RegExp(`^${runs.length} run\\(s\\) from ${runs[0]} to ${runs.at(-1)} KST`),
    summary,
  );

  const frames = payload.map.frames as { label: string; kind: 'run' | 'day' }[];
  const runFrames = frames.filter((f) => f.kind === 'run').map((f) => f.label);
  assert.ok(runFrames.length > 0);
  assert.deepEqual(
    runFrames,
    runs.slice(-runFrames.length),
    'the map’s run frames are the latest runs, in KST',
  );
  const earlier = runs.slice(0, runs.length - runFrames.length);
  assert.deepEqual(
    frames.filter((f) => f.kind === 'day').map((f) => f.label),
    [...new Set(earlier.map((run) => run.slice(0, 10)))],
    'one day frame per KST day before them',
  );

  const bucket = {
    run: (t: string) => t,
    hour: (t: string) => `${t.slice(0, 13)}:00`,
    day: (t: string) => `${t.slice(0, 10)} 00:00`,
  }[payload.resolution as 'run' | 'hour' | 'day'];
  assert.ok(bucket, `resolution ${payload.resolution}`);
  assert.deepEqual(
    payload.series.times,
    [...new Set(runs.map(bucket))],
    'the series are drawn at the runs’ KST times',
  );

  const checked = checkedForecasts(answers);
  for (const [code, place] of Object.entries(
    payload.forecast.byPlace as Record<string, { times: string[] }>,
  )) {
    const hours = new Set(checked.filter(({ a }) => a.placeCode === code).map(({ forecast }) => forecast));
    assert.ok(place.times.length > 0, code);
    for (const t of place.times)
      assert.ok(hours.has(t), `${code}: forecast hour ${t} is one of the API’s FCST_TIME`);
  }

  const runKst = new Set(runs.map(reading));
  for (const table of ['completeness', 'freshness'] as const)
    for (const row of payload.overall[table] as { collected_at_kst: string }[])
      assert.ok(runKst.has(row.collected_at_kst), `${table}: ${row.collected_at_kst} is a run’s KST time`);
}

export const journeys: Journey[] = [
  {
    name: 'every time a person sees is the API’s own time: each timestamp column of each table and view, in table, csv and json',
    covers: [],
    async run(context) {
      const { lake } = await context.demoLake();
      const answers = readAnswers(lake);
      assert.ok(answers.length > 1000, `${answers.length} answers in the demo lake`);
      for (const a of answers)
        assert.equal(kstOfIso(a.collectedAt), reading(a.runKst), 'the oracle agrees with itself');

      // Every time column the lake offers, as DuckDB's catalog lists it: each needs an oracle.
      const catalog = JSON.parse(
        `[${(
          await query(
            context,
            "SELECT table_name, column_name FROM information_schema.columns WHERE data_type LIKE 'TIMESTAMP%' OR data_type = 'DATE' ORDER BY 1, 2",
            'json',
          )
        )
          .trim()
          .split('\n')
          .join(',')}]`,
      ) as { table_name: string; column_name: string }[];
      const unchecked = catalog.filter(
        ({ table_name, column_name }) => !columnsOf(ORACLES[table_name]?.sql ?? '').includes(column_name),
      );
      assert.deepEqual(unchecked, [], 'a time column with no oracle in times.journey.ts');

      // The forecast relations hold twelve rows per answer (200,000 for two days): every row of
      // a dozen places is as strict a check of the times, in a third of the suite's time.
      const sample = [...new Set(answers.map((a) => a.placeCode))].sort().slice(0, 12);
      for (const [relation, oracle] of Object.entries(ORACLES)) {
        const columns = columnsOf(oracle.sql);
        let sql = oracle.sql;
        let rows = oracle.expected(answers);
        if (rows.length > 40_000) {
          assert.equal(columns[0], 'area_code', `${relation}: a sample by place needs area_code first`);
          sql += ` WHERE area_code IN (${sample.map((code) => `'${code}'`).join(', ')})`;
          rows = rows.filter((row) => sample.includes(row[0] as string));
        }
        const expected = sorted(rows);
        assert.ok(expected.length > 0, `${relation}: the oracle expects rows`);
        await Promise.all(
          FORMATS.map(async (format) => {
            const printed = printedRows(await query(context, sql, format), format, columns);
            assert.deepEqual(sorted(printed), expected, `${relation}, --format ${format}`);
          }),
        );
        context.t.diagnostic(
          `${relation}: ${expected.length} rows × ${columns.length} columns, in 3 formats`,
        );
      }

      checkReport(readFileSync(join(lake, 'report.html'), 'utf8'), answers);
    },
  },
];
