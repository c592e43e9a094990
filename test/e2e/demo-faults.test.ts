/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Answer, readAnswers } from '../journeys/support/answers.js';
import { type CliResult, runCli } from '../support/cli.js';

/**
 * `npm run demo -- --days 2 --faults`, run as a process, fills what a newcomer looks at to see
 * failure: the report's completeness chart, missing-runs table and freshness chart (read in a real
 * headless Chromium), `npm run check`, and the outcomes table through `npm run query`. The oracle
 * is the raw archive (every answer as received, read with zlib and JSON.parse), the portal's place
 * list in test/fixtures and the schedule the demo announced — never the views or the report code.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];
const PLACES =
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'places.csv'), 'utf8')
    .trim()
    .split('\n').length - 1;
const SLOT_MINUTES = 20;
/** The report's run-by-run charts show the latest day of runs. */
const CHART_RUNS = 72;
const MISSING_ROWS = 15;

/** Minutes since the epoch of a KST wall time `YYYY-MM-DD HH:MM`. */
const kstMinutes = (kst: string) => Date.parse(`${kst.replace(' ', 'T')}:00+09:00`) / 60_000;
/** The x value of the report's time axes: the KST wall time read as if it were UTC, in ms. */
const axisX = (kst: string) => Date.parse(`${kst.replace(' ', 'T')}:00Z`);

/** How old an answer was when collected, in minutes: its envelope's collectedAt less its PPLTN_TIME (KST). */
const age = (a: Answer) =>
  (Date.parse(a.collectedAt) - Date.parse(`${a.record.PPLTN_TIME.replace(' ', 'T')}:00+09:00`)) / 60_000;

interface Run {
  readonly kst: string;
  readonly answers: Answer[];
}

describe('demo --days 2 --faults: the failure charts, check and the outcomes table have content', () => {
  const lake = join(mkdtempSync(join(tmpdir(), 'demo-faults-')), 'demo-faults');
  let demo: CliResult;
  let answers: Answer[];
  let runs: Run[];
  let schedule: string[];
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)`);
    demo = await runCli(['demo', '--days', '2', '--faults', '--lake', lake], {}, 600_000);
    assert.equal(demo.status, 0, demo.stderr);
    answers = readAnswers(lake);
    const byRun = new Map<string, Answer[]>();
    for (const answer of answers) byRun.set(answer.runKst, [...(byRun.get(answer.runKst) ?? []), answer]);
    runs = [...byRun.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kst, a]) => ({ kst, answers: a }));
    const announced = /simulating (\d+) scheduled runs \(2 day\(s\), (.+) KST to (.+) KST\)/.exec(
      demo.stderr,
    );
    assert.ok(announced, demo.stderr);
    const first = kstMinutes(announced[2] as string);
    schedule = Array.from({ length: Number(announced[1]) }, (_, i) =>
      new Date((first + i * SLOT_MINUTES + 9 * 60) * 60_000).toISOString().slice(0, 16).replace('T', ' '),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(pathToFileURL(join(lake, 'report.html')).href, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
  });

  /** The [x, y] points of a chart's series, by series name. */
  async function series(chart: string): Promise<Record<string, [number, number | null][]>> {
    return page.evaluate((id) => {
      // biome-ignore lint/suspicious/noExplicitAny: the page's own handle on its ECharts instances
      const option = (window as any).reportCharts[id].getOption();
      return Object.fromEntries(
        (option.series as { name: string; data: [number, number | null][] }[]).map((s) => [s.name, s.data]),
      );
    }, chart);
  }

  it('the demo says what it left out, and the archive agrees: runs missing from the schedule, answers lost', () => {
    const ran = new Set(runs.map((run) => run.kst));
    const never = schedule.filter((slot) => !ran.has(slot));
    assert.ok(never.length >= 1, 'one scheduled run a KST day never happens');
    assert.match(demo.stdout, new RegExp(`\\(${never.length} left out: the collector was down, --faults\\)`));
    assert.ok(answers.length < runs.length * PLACES, 'some places were not collected');
  });

  it('completeness chart: each of the latest runs, collected and not, as the archive counts them', async () => {
    const bars = await series('completeness');
    const shown = runs.slice(-CHART_RUNS);
    const at = (name: string) => new Map((bars[name] ?? []).map(([x, y]) => [x, Number(y)]));
    const collected = at('collected');
    const noData = at('no data');
    const failed = at('failed');
    assert.deepEqual(
      [...collected.keys()],
      shown.map((run) => axisX(run.kst)),
    );
    for (const run of shown) {
      const x = axisX(run.kst);
      assert.equal(collected.get(x), run.answers.length, `${run.kst}: collected`);
      assert.equal(
        (noData.get(x) ?? 0) + (failed.get(x) ?? 0),
        PLACES - run.answers.length,
        `${run.kst}: not collected`,
      );
    }
    assert.ok(
      shown.some((run) => run.answers.length < PLACES),
      'a run of the chart lost places',
    );
  });

  it('completeness caption: the scheduled slots that never ran in the chart’s span', async () => {
    const shown = runs.slice(-CHART_RUNS);
    // The chart's first run counts the slots missed since the run before it.
    const from = kstMinutes((runs[runs.length - shown.length - 1] ?? shown[0])?.kst as string);
    const to = kstMinutes(shown.at(-1)?.kst as string);
    const ran = new Set(runs.map((run) => run.kst));
    const never = schedule.filter(
      (slot) => !ran.has(slot) && kstMinutes(slot) > from && kstMinutes(slot) < to,
    );
    const caption = await page.evaluate(
      () =>
        document.querySelector('#completeness')?.closest('figure')?.querySelector('figcaption')?.textContent,
    );
    if (never.length === 0) assert.doesNotMatch(caption ?? '', /never ran/);
    else
      assert.match(
        caption ?? '',
        new RegExp(
          `${never.length} scheduled ${SLOT_MINUTES}-minute slot\\(s\\) between these runs never ran`,
        ),
      );
  });

  it('freshness chart: the oldest and mean age of each latest run’s answers, from their PPLTN_TIME', async () => {
    const lines = await series('freshness');
    const oldest = new Map((lines.oldest ?? []).map(([x, y]) => [x, Number(y)]));
    const mean = new Map((lines.mean ?? []).map(([x, y]) => [x, Number(y)]));
    const shown = runs.slice(-CHART_RUNS);
    let stale = 0;
    for (const run of shown) {
      const ages = run.answers.map(age);
      const max = Math.max(...ages);
      const avg = ages.reduce((total, age) => total + age, 0) / ages.length;
      assert.ok(
        Math.abs((oldest.get(axisX(run.kst)) ?? Number.NaN) - max) < 1e-6,
        `${run.kst}: oldest ${max}`,
      );
      assert.ok(Math.abs((mean.get(axisX(run.kst)) ?? Number.NaN) - avg) <= 0.051, `${run.kst}: mean ${avg}`);
      if (max > 60) stale++;
    }
    assert.ok(stale > 0, 'some runs carry answers more than an hour old');
  });

  it('missing-runs table: the places that missed most, by name, with their counts and how many more', async () => {
    const ran = runs.length;
    const collectedRuns = new Map<string, number>();
    const names = new Map<string, string>();
    for (const answer of answers) {
      collectedRuns.set(answer.placeCode, (collectedRuns.get(answer.placeCode) ?? 0) + 1);
      names.set(answer.placeCode, answer.record.AREA_NM);
    }
    const missing = [...collectedRuns.entries()]
      .map(([code, collected]) => ({ code, collected, missing: ran - collected }))
      .filter((place) => place.missing > 0)
      .sort((a, b) => b.missing - a.missing || a.code.localeCompare(b.code));
    assert.ok(missing.length > MISSING_ROWS, `${missing.length} places missed a run`);
    const table = await page.evaluate(() => ({
      caption: document.querySelector('#missing-places caption')?.textContent,
      rows: [...document.querySelectorAll('#missing-places tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => td.textContent),
      ),
      more: document.getElementById('missing-more')?.textContent,
    }));
    assert.equal(table.caption, `Places missing runs (${MISSING_ROWS} of ${missing.length}, most first)`);
    // Places with the same count may come in any order the view likes: compare the counts in order,
    // and each row against its own place.
    assert.deepEqual(
      table.rows.map((row) => Number(row[3])),
      missing.slice(0, MISSING_ROWS).map((place) => place.missing),
    );
    for (const row of table.rows) {
      const code = /(POI\d{3})$/.exec(row[0] ?? '')?.[1] as string;
      assert.equal(row[0], `${names.get(code)} ${code}`);
      assert.deepEqual(row.slice(1, 4).map(Number), [
        ran,
        collectedRuns.get(code),
        ran - (collectedRuns.get(code) ?? 0),
      ]);
      assert.equal(Number(row[4]) + Number(row[5]), Number(row[3]), `${code}: no data + failed = missing`);
    }
    assert.match(table.more ?? '', new RegExp(`^… and ${missing.length - MISSING_ROWS} more: `));
  });

  it('npm run check exits 1 naming every run missing from the schedule and every run with stale answers', async () => {
    const checked = await runCli(['check', '--lake', lake], {}, 300_000);
    assert.equal(checked.status, 1, checked.stderr);
    const ran = new Set(runs.map((run) => run.kst));
    const [first, last] = [kstMinutes(runs[0]?.kst as string), kstMinutes(runs.at(-1)?.kst as string)];
    const never = schedule.filter(
      (slot) => !ran.has(slot) && kstMinutes(slot) > first && kstMinutes(slot) < last,
    );
    const named = [...checked.stdout.matchAll(/^ {2}no run at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST/gm)].map(
      (m) => m[1],
    );
    assert.deepEqual(named, never);
    const stale = runs.filter((run) => run.answers.some((a) => age(a) > 60)).map((run) => run.kst);
    const staleNamed = [
      ...checked.stdout.matchAll(
        /^ {2}run \S+ \((\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST\): \d+ place\(s\) with data more than 60 min old/gm,
      ),
    ].map((m) => m[1]);
    assert.ok(stale.length > 0);
    assert.deepEqual(staleNamed.sort(), stale);
  });

  it('the outcomes table, through npm run query --format json: every place of every run, the failures with reasons and retries', async () => {
    const queried = await runCli(
      [
        'query',
        "SELECT status, count(*) AS places, count(*) FILTER (WHERE attempts > 1) AS retried, count(*) FILTER (WHERE reason IS NULL OR reason = '') AS without_reason FROM collection_outcomes GROUP BY status ORDER BY status",
        '--lake',
        lake,
        '--format',
        'json',
      ],
      {},
      120_000,
    );
    assert.equal(queried.status, 0, queried.stderr);
    const rows = queried.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { status: string; places: number; retried: number; without_reason: number },
      );
    const by = new Map(rows.map((row) => [row.status, row]));
    assert.equal(by.get('ok')?.places, answers.length, 'ok: every answer archived');
    assert.equal(
      rows.reduce((total, row) => total + row.places, 0),
      runs.length * PLACES,
      'an outcome for every place of every run',
    );
    assert.ok((by.get('ok')?.retried ?? 0) > 0, 'some answers came after a retry');
    const failures = rows.filter((row) => row.status !== 'ok');
    assert.ok(failures.reduce((total, row) => total + row.places, 0) > 0);
    for (const row of failures) assert.equal(row.without_reason, 0, `${row.status}: each with its reason`);
  });
});
