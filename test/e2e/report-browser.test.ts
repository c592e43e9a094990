/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { writeReport } from '../../lambdas/cli/report/build-report.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { buildFixtureLake, REPORT_CHARTS } from '../unit/warehouse-fixture.js';

/**
 * The report opened in a real headless Chromium (Debian's `chromium` package, with Debian's
 * fonts-noto-cjk): the map of the 121 places over the districts with its attribution and time
 * control, every chart drawn with data, Korean text drawn with real glyphs (not boxes), nothing
 * fetched from anywhere, a clean console. Screenshots land in test-artifacts/ (git-ignored).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Visit {
  readonly page: Page;
  readonly problems: string[];
  readonly requests: string[];
}

/**
 * Whether every character of `text` is drawn with a glyph of its own in the page's font: each is
 * drawn alone on a canvas and the pixels compared. A font without the characters draws the same
 * missing-glyph box for all of them, so two different characters with identical pixels (or an
 * empty drawing) mean boxes. Runs in the page.
 */
function distinctGlyphs(text: string): { distinct: number; characters: number; font: string } {
  const font = `32px ${getComputedStyle(document.body).fontFamily}`;
  const canvas = document.createElement('canvas');
  canvas.width = 48;
  canvas.height = 48;
  const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  const drawings = new Set<string>();
  const characters = [...new Set(text)];
  for (const character of characters) {
    context.clearRect(0, 0, 48, 48);
    context.font = font;
    context.fillText(character, 4, 38);
    const pixels = context.getImageData(0, 0, 48, 48).data;
    let ink = 0;
    let signature = '';
    for (let i = 3; i < pixels.length; i += 4) {
      ink += pixels[i] as number;
      signature += (pixels[i] as number) > 127 ? '1' : '0';
    }
    if (ink > 0) drawings.add(signature);
  }
  return { distinct: drawings.size, characters: characters.length, font };
}

describe('report in headless Chromium', () => {
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install it with "apt-get install -y chromium fonts-noto-cjk" (or set CHROMIUM_PATH)`,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  async function visit(file: string): Promise<Visit> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  describe('over the fixture lake', () => {
    let visited: Visit;
    let path: string;
    before(async () => {
      ({ path } = await writeReport(
        await buildFixtureLake(),
        join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html'),
      ));
      visited = await visit(path);
      await visited.page.waitForFunction(() => document.body.dataset.ready === 'true', null, {
        timeout: 20_000,
      });
    });
    after(async () => {
      await visited?.page.close();
    });

    it('draws every chart with data, fetches nothing but itself and logs no error', async () => {
      const { page, problems, requests } = visited;
      const charts = await page.evaluate((ids) => {
        // biome-ignore lint/suspicious/noExplicitAny: the page's own handle on its ECharts instances
        const instances = (window as any).reportCharts as Record<string, any>;
        return ids.map((id) => {
          const element = document.getElementById(id);
          const svg = element?.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          const option = instances[id]?.getOption();
          const points = (option?.series ?? []).reduce(
            (total: number, series: { data?: unknown[] }) => total + (series.data?.length ?? 0),
            0,
          );
          return {
            id,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            points,
            shapes: svg?.querySelectorAll('path').length ?? 0,
          };
        });
      }, REPORT_CHARTS);
      for (const chart of charts) {
        assert.ok(
          chart.width > 400 && chart.height > 200,
          `${chart.id} is drawn at ${chart.width}×${chart.height}`,
        );
        assert.ok(chart.points > 0, `${chart.id} has no data`);
        assert.ok(chart.shapes > 0, `${chart.id} drew nothing`);
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [pathToFileURL(path).href], 'the page fetches nothing but itself');
      await page.screenshot({ path: join(ARTIFACTS, 'report-fixture.png'), fullPage: true });
    });

    it('draws one map shape per place, each carrying its area_code, over the 25 districts, with the attribution', async () => {
      const { page } = visited;
      const map = await page.evaluate(() => {
        // biome-ignore lint/suspicious/noExplicitAny: ECharts' global and instance
        const w = window as any;
        const chart = w.reportCharts.map;
        const registered = w.echarts.getMap('seoul').geoJSON.features as { properties: { name: string } }[];
        const items = chart.getOption().series[0].data as {
          name: string;
          place?: { code: string; name: string };
        }[];
        // Ask for each place's tooltip by its code: the map finds the region by that code.
        const tips: Record<string, string> = {};
        for (const item of items.filter((i) => i.place)) {
          chart.dispatchAction({ type: 'showTip', seriesIndex: 0, name: item.name });
          tips[item.name] = document.querySelector('#map > div:last-child')?.textContent ?? '';
        }
        chart.dispatchAction({ type: 'hideTip' });
        return {
          regions: registered.map((f) => f.properties.name),
          places: items.filter((i) => i.place).map((i) => [i.name, i.place?.name]),
          districts: items.filter((i) => !i.place).length,
          paths: document.querySelectorAll('#map svg path').length,
          svgText: document.querySelector('#map svg')?.textContent ?? '',
          tips,
        };
      });
      const codes = ALL_PLACES.map((p) => p.code).sort();
      assert.equal(map.regions.length, 121 + 25);
      assert.deepEqual(map.regions.slice(25).sort(), codes, 'one area per place, named by its area_code');
      assert.deepEqual(map.places.map(([code]) => code).sort(), codes);
      assert.equal(map.districts, 25);
      assert.ok(map.paths >= 146, `${map.paths} shapes drawn for 146 regions`);
      for (const [code, name] of map.places) {
        assert.match(
          map.tips[code as string] ?? '',
          new RegExp(`${escapeRegExp(name as string)}[\\s\\S]*${code}`),
          `tooltip of ${code}`,
        );
      }
      assert.match(map.svgText, /OA-21285/);
      assert.match(map.svgText, /KOGL Type 1 \(공공누리 제1유형\)/);
      assert.match(
        // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees on screen is the point
        await page.locator('#attribution').innerText(),
        /Seoul Open Data Plaza OA-21285.*KOGL Type 1/s,
      );
    });

    it('shows name, level, population range and time when a place is hovered', async () => {
      const { page } = visited;
      const pixel = await page.evaluate(() => {
        // biome-ignore lint/suspicious/noExplicitAny: ECharts instance
        const chart = (window as any).reportCharts.map;
        const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}');
        const yeouido = data.places.find((p: { code: string }) => p.code === 'POI072');
        return chart.convertToPixel({ seriesIndex: 0 }, yeouido.inside) as [number, number];
      });
      const box = await page.locator('#map').boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + pixel[0], box.y + pixel[1]);
      const tip = page.locator('#map > div:last-child');
      await tip.waitFor({ state: 'visible' });
      // The last run (07-17 00:20 KST): 여의도 여유, 3,000–3,500 (R5 of the fixture).
      assert.match(
        // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees on screen is the point
        await tip.innerText(),
        /여의도[\s\S]*POI072[\s\S]*여유 · 3,000–3,500 people[\s\S]*2026-07-17 00:20 KST/,
      );
      await page.locator('#map-card').screenshot({ path: join(ARTIFACTS, 'report-map-hover.png') });
      await page.mouse.move(0, 0);
    });

    it('steps through the runs with the time control, recolouring the places', async () => {
      const { page } = visited;
      const state = () =>
        page.evaluate(() => {
          // biome-ignore lint/suspicious/noExplicitAny: ECharts instance
          const items = (window as any).reportCharts.map.getOption().series[0].data as any[];
          const poi001 = items.find((i) => i.name === 'POI001');
          return {
            label: (document.getElementById('frame-label') as HTMLOutputElement).value,
            slider: (document.getElementById('frame') as HTMLInputElement).value,
            max: (document.getElementById('frame') as HTMLInputElement).max,
            poi001: [poi001.level, poi001.itemStyle.areaColor],
          };
        });
      assert.deepEqual(await state(), {
        label: '2026-07-17 00:20 KST',
        slider: '5',
        max: '5',
        poi001: ['여유', '#2e7d32'],
      });
      await page.click('#frame-prev');
      assert.deepEqual(await state(), {
        label: '2026-07-16 15:20 KST',
        slider: '4',
        max: '5',
        poi001: ['약간 붐빔', '#ef6c00'],
      });
      await page.locator('#frame').fill('2');
      assert.deepEqual((await state()).poi001, ['붐빔', '#c62828']);
      await page.click('#frame-play');
      assert.match((await page.locator('#frame-play').textContent()) ?? '', /pause/);
      await page.waitForFunction(() => (document.getElementById('frame') as HTMLInputElement).value !== '2');
      await page.click('#frame-play');
      assert.match((await page.locator('#frame-play').textContent()) ?? '', /play/);
    });

    it('answers for any place chosen from the list or on the map', async () => {
      const { page } = visited;
      await page.selectOption('#place', 'POI009');
      const shown = await page.evaluate(() => {
        // biome-ignore lint/suspicious/noExplicitAny: ECharts instances
        const charts = (window as any).reportCharts;
        return {
          note: document.getElementById('place-note')?.textContent,
          range: charts['population-range']
            .getOption()
            .series.map((s: { data: unknown[] }) => s.data.length) as number[],
          ages: charts['age-sex'].getOption().series[0].data,
          hitRate: charts['place-hit-rate']
            .getOption()
            .series.map((s: { data: unknown[] }) => s.data.length) as number[],
        };
      });
      assert.match(shown.note ?? '', /광화문·덕수궁/);
      assert.ok((shown.range[2] ?? 0) >= 3, 'three observations of POI009');
      assert.deepEqual(shown.ages, [1.5, 3.5, 30, 25, 15, 12, 8, 5]);
      assert.ok((shown.hitRate[0] ?? 0) > 0);
      await page.screenshot({ path: join(ARTIFACTS, 'report-place-POI009.png'), fullPage: true });
    });

    it('draws Korean text with real glyphs, not missing-glyph boxes', async () => {
      const { page } = visited;
      const korean = '서울광화문덕수궁여의도붐빔보통약간여유공공누리';
      const glyphs = await page.evaluate(distinctGlyphs, korean);
      assert.equal(glyphs.distinct, glyphs.characters, `Korean drawn as boxes with ${glyphs.font}`);
      // The check itself can fail: characters no font has are all drawn as the same box.
      const boxes = await page.evaluate(distinctGlyphs, '\u{E000}\u{E001}\u{E002}\u{E003}');
      assert.ok(boxes.distinct <= 1, 'unassigned characters must look alike');
      // And the fonts Chromium actually used for a Korean label are Korean-capable.
      const session = await page.context().newCDPSession(page);
      await session.send('DOM.enable');
      await session.send('CSS.enable');
      const { root } = await session.send('DOM.getDocument');
      const { nodeId } = await session.send('DOM.querySelector', {
        nodeId: root.nodeId,
        selector: '#place-note',
      });
      const { fonts } = await session.send('CSS.getPlatformFontsForNode', { nodeId });
      assert.ok(
        fonts.some((font) => /CJK|KR|Gothic|Hangul|Nanum/i.test(font.familyName) && font.glyphCount > 0),
        `fonts used for Korean: ${JSON.stringify(fonts)}`,
      );
    });
  });

  it('says there is no data yet, and how to collect some, for an empty lake', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'empty-lake-'));
    const { path } = await writeReport(lake, join(lake, 'report.html'));
    const { page, problems } = await visit(path);
    try {
      // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees on screen is the point
      const text = await page.locator('#no-data').innerText();
      assert.match(text, /No data yet/);
      assert.match(text, /npm start -- --once/);
      assert.match(text, /npm run demo -- --once/);
      assert.equal(await page.locator('[data-chart]').count(), 0);
      assert.deepEqual(problems, []);
      await page.screenshot({ path: join(ARTIFACTS, 'report-empty.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
