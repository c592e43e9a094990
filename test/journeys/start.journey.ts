import assert from 'node:assert/strict';
import { HostileApi } from '../support/hostile-api.js';
import { readAnswers } from './support/answers.js';
import type { Journey } from './support/journey.js';
import { printedRows } from './support/printed.js';
import { startKafka } from './support/services.js';

/**
 * `npm start` over a Kafka broker, as local-use.md shows it, against a test server that answers
 * for New Year's Eve (its clock at 2026-01-01 00:20 KST): PPLTN_TIME on 31 December, forecasts
 * into 2026. A past year's end: an answer time more than a day after the run's collection is
 * refused as implausible (normalizer.ts answerTimeWindow), and the run is collected now. Oracles: what the server served, and the lake's raw/; then `query` must print the
 * served strings themselves across the day, month and year boundary.
 */

const KEY = 'journey-key-0123456789';

export const journeys: Journey[] = [
  {
    name: 'npm start with a Kafka broker: one run now, the next announced; the answers’ times shown as the API wrote them, across a year’s end',
    covers: [/^KAFKA_BROKERS=127\.0\.0\.1:9092 npm start$/],
    async run({ commands, run, freshSandbox }) {
      const api = new HostileApi({ key: KEY, now: () => new Date('2025-12-31T15:20:00Z') });
      const baseUrl = await api.start();
      const kafka = startKafka();
      try {
        const sandbox = await freshSandbox();
        for (const command of commands) {
          const result = await run(command, {
            in: sandbox,
            terminal: true,
            replace: { '127.0.0.1:9092': kafka.address },
            env: { SEOUL_API_BASE_URL: baseUrl, SEOUL_API_KEY: KEY },
            interruptWhen: (screen) => /^next run at \d{2}:\d{2} KST/m.test(screen),
          });
          assert.equal(result.status, 0, `the first Ctrl-C stops cleanly:\n${result.screen}`);
          const served = api.served.filter((s) => s.record);
          // The run's own summary (a slot reached before Ctrl-C lands would add a second run).
          const runId = /^run (\S+) for \d{4}-\d{2}-\d{2} \d{2}:\d{2} KST$/m.exec(result.screen)?.[1];
          assert.ok(runId, result.screen);
          const places = new Set(served.map((s) => s.place)).size;
          const ofRun = readAnswers(sandbox.path('lake')).filter((a) => a.runId === runId);
          assert.match(
            result.screen,
            new RegExp(`^ {2}places: ${ofRun.length} ok, 0 no data, 0 failed \\(of ${places}\\)$`, 'm'),
          );
          assert.equal(ofRun.length, places, 'every place answered');

          const answers = readAnswers(sandbox.path('lake'));
          assert.deepEqual(
            answers.map((a) => `${a.placeCode} ${a.record.PPLTN_TIME}`).sort(),
            served.map((s) => `${s.place} ${(s.record as { PPLTN_TIME: string }).PPLTN_TIME}`).sort(),
            'every answer served is archived as received',
          );
          const times = served.map((s) => (s.record as { PPLTN_TIME: string }).PPLTN_TIME);
          const forecasts = served.flatMap((s) =>
            (s.record as { FCST_PPLTN: { FCST_TIME: string }[] }).FCST_PPLTN.map((f) => [
              s.place,
              f.FCST_TIME,
            ]),
          );
          assert.ok(
            times.every((t) => t.startsWith('2025-12-31 23:')),
            'observed on New Year’s Eve',
          );
          assert.ok(
            forecasts.some(([, t]) => t?.startsWith('2026-01-01')),
            'forecasts for the new year',
          );

          const query = async (sql: string) => {
            const printed = await sandbox.run(`npm run -s query -- "${sql}" --format json`);
            assert.equal(printed.status, 0, printed.stderr);
            return printed.stdout;
          };
          const iso = (apiTime: string) => `${apiTime}:00`;
          const rows = (stdout: string, columns: string[]) =>
            printedRows(stdout, 'json', columns)
              .map((row) => JSON.stringify(row))
              .sort();
          const ppltn = (s: (typeof served)[number]) => (s.record as { PPLTN_TIME: string }).PPLTN_TIME;
          assert.deepEqual(
            rows(await query('SELECT area_code, population_time_kst, kst_date FROM v_congestion_over_time'), [
              'area_code',
              'population_time_kst',
              'kst_date',
            ]),
            served.map((s) => JSON.stringify([s.place, iso(ppltn(s)), ppltn(s).slice(0, 10)])).sort(),
          );
          assert.deepEqual(
            rows(await query('SELECT area_code, population_time FROM population'), [
              'area_code',
              'population_time',
            ]),
            served.map((s) => JSON.stringify([s.place, iso(ppltn(s))])).sort(),
          );
          assert.deepEqual(
            printedRows(await query('SELECT area_code, forecast_time FROM population_forecast'), 'json', [
              'area_code',
              'forecast_time',
            ])
              .map((row) => JSON.stringify(row))
              .sort(),
            forecasts.map(([place, t]) => JSON.stringify([place, iso(t as string)])).sort(),
          );
        }
      } finally {
        kafka.stop();
        await api.stop();
      }
    },
  },
];
