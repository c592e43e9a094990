/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { writeReport } from '../../lambdas/cli/report/build-report.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { buildFixtureLake, type FixtureRun } from '../unit/warehouse-fixture.js';

/**
 * What a person sees on the report, defect by defect, in a real headless Chromium: every label
 * inside its chart and none running into another, every age band named, a mark beside every
 * legend entry, dates (not month names) on the time axes, every missing place named with how many
 * more there are, and a place found by name on the map. The lake is built for it by the real
 * writer: hourly runs from 2026-07-30 to 2026-08-02 KST (a month boundary), 25 places, three never
 * collected, the others missing a run now and then.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];
const PLACES = ALL_PLACES.slice(0, 25);
const NEVER_COLLECTED = PLACES.slice(0, 3);
const RUNS = 96;
const FIRST_RUN = Date.parse('2026-07-30T00:20:00+09:00');
const AGES = [1.0, 4.0, 25.0, 22.0, 18.0, 15.0, 10.0, 5.0];
const LEVELS = ['여유', '보통', '약간 붐빔', '붐빔'];

const kst = (ms: number, minute = true) => {
  const t = new Date(ms + 9 * 3_600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, minute ? 16 : 13)}${minute ? '' : ':00'}`;
};

/** Place `j` in run `i`: never for the first three, else no data or failed now and then. */
function outcome(i: number, j: number): 'ok' | 'no-data' | 'failed' {
  if (j < NEVER_COLLECTED.length) return 'failed';
  if ((i + j) % 9 === 0) return 'no-data';
  if ((i + j) % 13 === 0) return 'failed';
  return 'ok';
}

function runs(): FixtureRun[] {
  return Array.from({ length: RUNS }, (_, i) => {
    const at = FIRST_RUN + i * 3_600_000;
    const outcomes = Object.fromEntries(PLACES.map((p, j) => [p.code, outcome(i, j)]));
    const observations = Object.fromEntries(
      PLACES.flatMap((p, j) => {
        if (outcomes[p.code] !== 'ok') return [];
        const min = 10_000 + ((i * 7 + j * 13) % 20) * 1_000;
        return [
          [
            p.code,
            {
              level: LEVELS[(i + j) % 4] as string,
              min,
              max: min + 2_000,
              populationTime: kst(at, false),
              male: 45 + (j % 10),
              ages: AGES,
              resident: 30,
              forecasts: Array.from({ length: 12 }, (_, h) => {
                // Right about four times in five, a share that differs by horizon: 81.3 %, 79.2 %…
                const miss = (i * 7 + h * 3 + j * 5 + h * h) % (4 + (h % 3)) === 0 ? 1 : 0;
                const level = LEVELS[(i + j + h + 1 + miss) % 4] as string;
                return [kst(at + (h + 1) * 3_600_000, false), level, min, min + 2_000] as const;
              }),
            },
          ],
        ];
      }),
    );
    return {
      id: `R${i}`,
      runId: `fixture-${String(i).padStart(3, '0')}`,
      collectedKst: kst(at),
      outcomes,
      observations,
    };
  });
}

/** Boxes of the SVG texts of a chart that match, in page pixels. */
async function texts(page: Page, chart: string, pattern: RegExp) {
  const all = await page.evaluate((id) => {
    const svg = document.querySelector(`#${id} svg`) as SVGSVGElement;
    const frame = svg.getBoundingClientRect();
    return {
      frame: { left: frame.left, right: frame.right, top: frame.top, bottom: frame.bottom },
      texts: [...svg.querySelectorAll('text')].map((t) => {
        const box = t.getBoundingClientRect();
        return {
          text: t.textContent ?? '',
          left: box.left,
          right: box.right,
          top: box.top,
          bottom: box.bottom,
        };
      }),
    };
  }, chart);
  return { frame: all.frame, texts: all.texts.filter((t) => pattern.test(t.text)) };
}

const overlap = (a: { left: number; right: number; top: number; bottom: number }, b: typeof a) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

describe('the report’s small defects, as a person sees them', () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)`);
    const lake = await buildFixtureLake(mkdtempSync(join(tmpdir(), 'report-defects-')), runs());
    const { path } = await writeReport(lake, join(lake, 'report.html'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    // A place that is collected, so its charts have data.
    await page.selectOption('#place', PLACES[5]?.code as string);
  });
  after(async () => {
    await browser?.close();
  });

  it('the shares by sex (male, female) read in full, inside the chart and clear of the bars', async () => {
    const { frame, texts: all } = await texts(page, 'age-sex', /./);
    const sexes = all.filter((t) => /^(male|female)\b/.test(t.text));
    assert.deepEqual(
      sexes.map((t) => t.text.replace(/[\d.]+/, 'N')),
      ['male N %', 'female N %'],
      'each with its share in full (nothing cut to "…")',
    );
    const bars = all.filter((t) => /^(\d?0-\d?9|70\+)$/.test(t.text));
    const barsEnd = Math.max(...bars.map((t) => t.right));
    for (const label of sexes) {
      assert.ok(label.left >= frame.left && label.right <= frame.right, `${label.text} inside the chart`);
      assert.ok(label.left > barsEnd, `${label.text} clear of the bars`);
    }
  });

  it('every age band is labelled', async () => {
    const { texts: bands } = await texts(page, 'age-sex', /^(\d?0-\d?9|70\+)$/);
    assert.deepEqual(
      bands.map((t) => t.text),
      ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70+'],
    );
  });

  it('every legend entry of the population chart has a mark drawn beside it', async () => {
    const ink = await page.evaluate(async () => {
      const svg = document.querySelector('#population-range svg') as SVGSVGElement;
      const frame = svg.getBoundingClientRect();
      const image = new Image();
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = frame.width;
      canvas.height = frame.height;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      // The legend sits at the top: its texts, each with the pixels just left of it.
      return [...svg.querySelectorAll('text')]
        .map((t) => ({ t, box: t.getBoundingClientRect() }))
        .filter(({ box }) => box.top - frame.top < 30 && box.left - frame.left > frame.width / 2)
        .map(({ t, box }) => {
          const x = box.left - frame.left - 30;
          const pixels = context.getImageData(x, box.top - frame.top, 26, box.height).data;
          let inked = 0;
          for (let i = 0; i < pixels.length; i += 4) {
            const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]] as number[];
            if ((a as number) > 40 && ((r as number) < 230 || (g as number) < 230 || (b as number) < 230))
              inked++;
          }
          return { text: t.textContent, inked };
        });
    });
    assert.deepEqual(
      ink.map((entry) => entry.text),
      ['lowest–highest', 'midpoint'],
    );
    for (const entry of ink) assert.ok(entry.inked > 20, `${entry.text}: ${entry.inked} pixels of mark`);
  });

  it('the hit-rate bars’ labels do not run into each other', async () => {
    const { frame, texts: labels } = await texts(page, 'place-hit-rate', /^\d+(\.\d)?( %)?$/);
    // The bar labels are above the plot's bottom axis; the y axis's are at its left edge.
    const bars = labels.filter((t) => t.left > frame.left + 60 && t.bottom < frame.bottom - 40);
    assert.equal(bars.length, 12, JSON.stringify(bars.map((b) => b.text)));
    // Apart by a space at least (4 px): labels that touch read as one number ("86.2 %90.1 %").
    const spaced = (a: (typeof bars)[number]) => ({ ...a, left: a.left - 2, right: a.right + 2 });
    for (const [i, a] of bars.entries())
      for (const b of bars.slice(i + 1))
        assert.ok(!overlap(spaced(a), spaced(b)), `${a.text} runs into ${b.text}: ${JSON.stringify([a, b])}`);
  });

  it('the time axes read dates and times, never a month name: 08-01 at the month boundary', async () => {
    for (const chart of [
      'population-range',
      'congestion',
      'resident',
      'completeness',
      'freshness',
      'forecast',
    ]) {
      const { frame, texts: all } = await texts(page, chart, /./);
      const ticks = all.filter((t) => t.top > frame.bottom - 52 && t.bottom < frame.bottom - 18);
      assert.ok(ticks.length > 1, `${chart}: ${JSON.stringify(all.map((t) => t.text))}`);
      for (const tick of ticks)
        assert.match(tick.text, /^(\d{2}-\d{2}|\d{2}:\d{2}|\d{4}-\d{2}-\d{2})$/, `${chart} tick`);
      if (chart === 'population-range')
        assert.ok(
          ticks.some((t) => t.text === '08-01'),
          chart,
        );
    }
  });

  it('the missing-runs table names every place and says how many more there are', async () => {
    const table = await page.evaluate(() => ({
      caption: document.querySelector('#missing-places caption')?.textContent,
      rows: [...document.querySelectorAll('#missing-places tbody tr')].map(
        (tr) => (tr.querySelector('td') as HTMLElement).textContent,
      ),
      more: document.getElementById('missing-more')?.textContent,
    }));
    // Hand count: all 25 places miss a run (the first three every one of the 96), 15 are listed.
    assert.equal(table.caption, 'Places missing runs (15 of 25, most first)');
    assert.equal(table.rows.length, 15);
    for (const place of NEVER_COLLECTED)
      assert.ok(
        table.rows.includes(`${place.name} ${place.code}`),
        `${place.code} named: ${table.rows.join(' | ')}`,
      );
    for (const row of table.rows) assert.match(row, /^\S.* POI\d{3}$/);
    assert.match(
      table.more ?? '',
      /^… and 10 more: npm run query -- "SELECT \* FROM v_missing_runs_by_place/,
    );
  });

  for (const [how, typed] of [
    ['its English name', (p: (typeof PLACES)[number]) => p.englishName],
    ['its Korean name', (p: (typeof PLACES)[number]) => p.name],
    ['its code in lower case', (p: (typeof PLACES)[number]) => p.code.toLowerCase()],
  ] as const) {
    it(`finds a place on the map by ${how}: marked with its name, chosen below`, async () => {
      const place = PLACES[7] as (typeof PLACES)[number];
      await page.locator('#place-search').fill(typed(place));
      await page.locator('#place-search').press('Enter');
      const shown = await page.evaluate(() => ({
        found: (document.getElementById('place-found') as HTMLOutputElement).value,
        mapText: document.querySelector('#map svg')?.textContent ?? '',
        chosen: (document.getElementById('place') as HTMLSelectElement).value,
      }));
      assert.equal(shown.found, `${place.name} (${place.code}) marked on the map`);
      assert.ok(shown.mapText.includes(place.name), 'the name is drawn on the map');
      assert.equal(shown.chosen, place.code);
    });
  }

  it('choosing a place below marks it on the map; a search that names no single place says so', async () => {
    const place = PLACES[9] as (typeof PLACES)[number];
    await page.selectOption('#place', place.code);
    assert.ok(((await page.locator('#map svg').textContent()) ?? '').includes(place.name));
    await page.locator('#place-search').fill('no such place anywhere');
    await page.locator('#place-search').press('Enter');
    assert.equal(
      await page.evaluate(() => (document.getElementById('place-found') as HTMLOutputElement).value),
      'no single place matches "no such place anywhere"',
    );
  });
});
