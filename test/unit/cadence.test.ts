import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openLake } from '../../lambdas/cli/analysis/duckdb-lake.js';
import { applyViews } from '../../lambdas/cli/analysis/views.js';
import { checkLake } from '../../lambdas/cli/check/check-lake.js';
import { resolveLocalConfig } from '../../lambdas/cli/config.js';
import { historySlots } from '../../lambdas/cli/pipeline/history.js';
import { runOnSchedule } from '../../lambdas/cli/pipeline/schedule.js';
import { buildReport } from '../../lambdas/cli/report/build-report.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeLiveLake } from '../support/live-lake.js';

/**
 * One edit of the cadence (RUN_INTERVAL_MINUTES=15 instead of 20) and every local place that
 * uses it follows: the schedule, the demo's history, the views, the report and `check`. The lake
 * has runs every 15 minutes with one slot (14:30 UTC, 23:30 KST) left out; at the default 20 it
 * would read differently, so each assertion fails if the cadence did not reach it.
 */
const ENV = { RUN_INTERVAL_MINUTES: '15', SEOUL_API_KEY: 'cadence-test-key' };
const config = resolveLocalConfig({ once: false, places: 'POI001' }, ENV, { lake: './unused' });
const PLACES = ['POI001', 'POI072'].map((code) => findPlace(code) as Place);
const RUNS = ['14:00', '14:15', '14:45', '15:00'].map((hm) => new Date(`2026-07-16T${hm}:00Z`));

describe('the cadence, changed in one place', () => {
  let lake: string;
  before(async () => {
    lake = mkdtempSync(join(tmpdir(), 'cadence-'));
    await writeLiveLake(new LocalFolderStore(lake), RUNS, PLACES);
  });

  it('is read from RUN_INTERVAL_MINUTES', () => assert.equal(config.runIntervalMinutes, 15));

  it('moves the schedule: runs at :15, :30, :45', async () => {
    let clock = Date.parse('2026-07-16T14:07:00Z');
    const runs: string[] = [];
    const stop = new AbortController();
    await runOnSchedule({
      signal: stop.signal,
      everyMinutes: config.runIntervalMinutes,
      now: () => new Date(clock),
      runAt: async (at) => {
        runs.push(at.toISOString().slice(11, 16));
        if (runs.length === 4) stop.abort();
      },
      sleepFor: async (ms) => {
        clock += ms;
      },
    });
    assert.deepEqual(runs, ['14:07', '14:15', '14:30', '14:45']);
  });

  it("moves the demo's history: 96 runs a day, 15 minutes apart", () => {
    const slots = historySlots(new Date('2026-07-16T15:07:00Z'), 1, config.runIntervalMinutes);
    assert.equal(slots.length, 96);
    assert.equal(slots.at(-1)?.toISOString(), '2026-07-16T15:00:00.000Z');
    assert.equal((slots[1] as Date).getTime() - (slots[0] as Date).getTime(), 15 * 60_000);
  });

  it('moves the completeness view: the run after the gap missed one slot', async () => {
    const opened = await openLake(lake);
    try {
      await applyViews(opened.connection, undefined, config.runIntervalMinutes);
      const reader = await opened.connection.runAndReadAll(
        "SELECT strftime(collected_at, '%H:%M') AS at, slots_missed_before AS missed FROM v_completeness_by_run ORDER BY collected_at",
      );
      const rows = reader.getRowObjects().map((row) => `${row.at} ${Number(row.missed)}`);
      assert.deepEqual(rows, ['14:00 0', '14:15 0', '14:45 1', '15:00 0']);
    } finally {
      opened.close();
    }
  });

  it('moves the report: its words, its per-run step and its missed slots', async () => {
    const { html } = await buildReport(lake, { runIntervalMinutes: config.runIntervalMinutes });
    assert.match(html, /1 scheduled 15-minute slot\(s\) between these runs never ran/);
    assert.match(html, /"runIntervalMinutes":15/);
  });

  it('moves check: exactly the slot left out is missing', async () => {
    const { problems } = await checkLake(
      { kind: 'folder', path: lake },
      { staleMinutes: 60, leftoverAgeMs: 3_600_000, runIntervalMinutes: config.runIntervalMinutes },
    );
    assert.deepEqual(
      problems.filter((p) => p.check === 'missing-run').map((p) => p.text),
      ['no run at 2026-07-16 23:30 KST'],
    );
  });
});
