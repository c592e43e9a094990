import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { writeReport } from '../../lambdas/local/report/build-report.js';
import { buildFixtureLake, FIXTURE_CHARTS } from '../unit/warehouse-fixture.js';

/**
 * The report opened in a real headless Chromium (Debian's `chromium` package): every chart must
 * render with data, nothing may be fetched from anywhere, and the console must stay clean.
 * Screenshots land in test-artifacts/ (git-ignored) for a human to look at.
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

interface Visit {
  readonly page: Page;
  readonly problems: string[];
  readonly requests: string[];
}

describe('report in headless Chromium', () => {
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  async function visit(file: string): Promise<Visit> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
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

  it('renders every chart of the fixture lake with data, fetches nothing and logs no error', async () => {
    const { path } = await writeReport(
      await buildFixtureLake(),
      join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html'),
    );
    const { page, problems, requests } = await visit(path);
    try {
      const charts = await page.$$eval('figure.chart', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          const marks = [...figure.querySelectorAll('.mark')].map((mark) => {
            const b = mark.getBoundingClientRect();
            return b.width > 0 && b.height > 0;
          });
          return {
            id: figure.id,
            declared: Number(figure.getAttribute('data-marks')),
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            marks: marks.length,
            visibleMarks: marks.filter(Boolean).length,
          };
        }),
      );
      assert.deepEqual(
        charts.map((chart) => chart.id),
        FIXTURE_CHARTS,
      );
      for (const chart of charts) {
        assert.ok(
          chart.width > 200 && chart.height > 40,
          `${chart.id} is drawn at ${chart.width}×${chart.height}`,
        );
        assert.ok(chart.marks > 0, `${chart.id} has no data mark`);
        assert.equal(chart.visibleMarks, chart.marks, `${chart.id}: every mark has a size on screen`);
        assert.equal(chart.marks, chart.declared, `${chart.id}: marks drawn = marks declared`);
      }
      assert.equal(await page.locator('.empty').count(), 0, 'no chart says it is empty');
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [pathToFileURL(path).href], 'the page fetches nothing but itself');
      await page.screenshot({ path: join(ARTIFACTS, 'report-fixture.png'), fullPage: true });
    } finally {
      await page.close();
    }
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
      assert.equal(await page.locator('figure.chart').count(), 0);
      assert.deepEqual(problems, []);
      await page.screenshot({ path: join(ARTIFACTS, 'report-empty.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
