import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildReport } from '../../lambdas/local/report/build-report.js';
import { reportCommand } from '../../lambdas/local/report-command.js';
import { buildFixtureLake, FIXTURE_CHARTS } from './warehouse-fixture.js';

const marksOf = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/data-chart="([a-z-]+)" data-marks="(\d+)"/g)].map((m) => [m[1], Number(m[2])]),
  );

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      signal: new AbortController().signal,
    },
  };
}

describe('report over the fixture lake', () => {
  let html: string;
  before(async () => {
    html = (await buildReport(await buildFixtureLake(), { now: new Date('2026-07-16T16:00:00Z') })).html;
  });

  it('draws every chart, each with as many marks as the views have rows for it', () => {
    assert.deepEqual(Object.keys(marksOf(html)), FIXTURE_CHARTS);
    assert.deepEqual(marksOf(html), {
      // 12 observations; POI001's two 약간 붐빔 runs in a row merge, as do POI009's two 보통 runs
      'congestion-heatmap': 10,
      'daily-ranges': 2, // the latest KST day, 07-17: POI001 and POI072
      'daily-bands': 5, // 5 place-days
      'age-bands': 8,
      'sex-by-category': 6, // 3 categories × male, female
      'resident-by-category': 6,
      'resident-top-visitors': 6,
      'forecast-hit-rate': 2, // horizons 1 and 2
      'forecast-error': 2,
      'completeness-runs': 9, // a collected segment in each of 6 runs, 1 no-data, 2 failed
      freshness: 6,
    });
  });

  it('shows the views’ figures', () => {
    assert.match(html, /6 run\(s\) from 2026-07-16 13:20 to 2026-07-17 00:20 KST/);
    assert.match(html, /3 of 7 forecasts had the right level \(42\.9 %\)/);
    assert.match(html, /2 of 3 forecasts had the right level \(66\.7 %\)/);
    assert.match(html, /07-16 13:40: 1 without data \(INFO-200\)/);
    assert.match(html, /28 scheduled 20-minute slot\(s\) between these runs never ran/);
    assert.match(html, /강남 MICE 관광특구 07-16 14:20 KST: 붐빔 \(30,000–32,000\)/);
    assert.match(html, /강남 MICE 관광특구 07-16 14:40–07-16 15:20: 약간 붐빔 \(2 runs\)/);
    assert.match(
      html,
      /<td>광화문·덕수궁 <small>POI009<\/small><\/td><td>6<\/td><td>3<\/td><td>3<\/td><td>0<\/td><td>1<\/td><td>2<\/td>/,
    );
  });

  it('is one self-contained page: no script, no external resource, a policy that forbids fetching', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\b(src|href)="(?!#)/);
    assert.doesNotMatch(html, /url\(/);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /SIMULATED DATA/);
  });
});

describe('report over an empty lake', () => {
  it('says there is no data yet and how to collect some, with no chart', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'empty-lake-'));
    const { html, data } = await buildReport(lake);
    assert.equal(data, undefined);
    assert.match(html, /No data yet/);
    assert.match(html, /SEOUL_API_KEY=your-key npm start -- --once --lake /);
    assert.match(html, /npm run demo -- --once/);
    assert.deepEqual(marksOf(html), {});
  });
});

describe('report over a simulated lake', () => {
  it('says in a banner that nothing in it is real', async () => {
    const lake = await buildFixtureLake();
    writeFileSync(join(lake, '_SIMULATED'), 'simulated\n');
    assert.match(
      (await buildReport(lake)).html,
      /SIMULATED DATA: this lake was written by the API simulator/,
    );
  });
});

describe('npm run report', () => {
  it('writes the page where --out says and prints its path', async () => {
    const lake = await buildFixtureLake();
    const out = join(mkdtempSync(join(tmpdir(), 'report-out-')), 'nested', 'report.html');
    const { out: printed, io: cli } = io();
    assert.equal(await reportCommand(['--lake', lake, '--out', out], {}, cli), 0);
    assert.deepEqual(printed, [out]);
    assert.match(readFileSync(out, 'utf8'), /data-chart="forecast-hit-rate"/);
  });

  it('writes into the lake folder by default, with LAKE_DIR as the default lake', async () => {
    const lake = await buildFixtureLake();
    const { out: printed, io: cli } = io();
    assert.equal(await reportCommand([], { LAKE_DIR: lake }, cli), 0);
    assert.deepEqual(printed, [join(lake, 'report.html')]);
  });

  it('writes the no-data page for a lake that does not exist yet, and says so', async () => {
    const lake = join(mkdtempSync(join(tmpdir(), 'report-')), 'not-yet');
    const out = join(lake, '..', 'r.html');
    const { err, io: cli } = io();
    assert.equal(await reportCommand(['--lake', lake, '--out', out], {}, cli), 0);
    assert.match(readFileSync(out, 'utf8'), /No data yet/);
    assert.match(err.join('\n'), /does not exist yet/);
  });

  it('refuses an unknown option with the usage', async () => {
    const { err, io: cli } = io();
    assert.equal(await reportCommand(['--lak', 'x'], {}, cli), 2);
    assert.match(err.join('\n'), /Usage: npm run report -- \[--lake DIR\] \[--out FILE\]/);
  });
});
