import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { reportCommand } from '../../lambdas/cli/commands/report.js';
import { buildReport } from '../../lambdas/cli/report/build-report.js';
import type { Payload } from '../../lambdas/cli/report/payload.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { buildFixtureLake, REPORT_CHARTS } from './warehouse-fixture.js';

const chartsOf = (html: string) => [...html.matchAll(/data-chart="([a-z-]+)"/g)].map((m) => m[1]);

/** The data the page's script draws, as embedded in the page. */
function payloadOf(html: string): Payload {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
  assert.ok(json, 'the page embeds its data');
  return JSON.parse(json) as Payload;
}

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
  let payload: Payload;
  before(async () => {
    html = (await buildReport(await buildFixtureLake(), { now: new Date('2026-07-16T16:00:00Z') })).html;
    payload = payloadOf(html);
  });

  it('has a place for every chart, and the map of the 121 places over the 25 districts', () => {
    assert.deepEqual(chartsOf(html), REPORT_CHARTS);
    assert.equal(payload.places.length, 121);
    const geo = payload.geo as { places: { features: unknown[] }; districts: { features: unknown[] } };
    assert.equal(geo.places.features.length, 121);
    assert.equal(geo.districts.features.length, 25);
    assert.deepEqual(
      (geo.places.features as { properties: { name: string } }[]).map((f) => f.properties.name).sort(),
      ALL_PLACES.map((p) => p.code).sort(),
      'one area per place, named by its code',
    );
    assert.match(html, /OA-21285/);
    assert.match(html, /KOGL Type 1/);
  });

  it('steps the map through every run, each place coloured by its level in that run', () => {
    assert.deepEqual(
      payload.map.frames.map((f) => f.label),
      [
        '2026-07-16 13:20',
        '2026-07-16 13:40',
        '2026-07-16 14:20',
        '2026-07-16 14:40',
        '2026-07-16 15:20',
        '2026-07-17 00:20',
      ],
    );
    const at = (frame: number, code: string) => {
      const i = payload.places.findIndex((p) => p.code === code);
      return [payload.map.ranks[frame]?.[i], payload.map.min[frame]?.[i], payload.map.max[frame]?.[i]];
    };
    assert.deepEqual(at(2, 'POI001'), ['4', 30000, 32000]); // 14:20: 붐빔
    assert.deepEqual(at(0, 'POI009'), ['0', null, null]); // R1: POI009 failed
    assert.deepEqual(at(5, 'POI001'), ['1', 4000, 4500]); // 00:20: 여유
    assert.equal(payload.map.ranks[0]?.replace(/0/g, '').length, 2, 'two places observed in the first run');
  });

  it('answers every question for every observed place, not only the busiest', () => {
    assert.equal(payload.resolution, 'run');
    assert.deepEqual(Object.keys(payload.series.byPlace).sort(), ['POI001', 'POI009', 'POI072']);
    const poi009 = payload.series.byPlace.POI009;
    assert.ok(poi009);
    assert.equal(poi009.mid.filter((v) => v !== null).length, 3);
    assert.equal(poi009.resident.filter((v) => v !== null).length, 3);
    assert.deepEqual(Object.keys(payload.ageSex).sort(), ['POI001', 'POI009', 'POI072']);
    assert.deepEqual(payload.ageSex.POI009?.age, [1.5, 3.5, 30, 25, 15, 12, 8, 5]);
    assert.deepEqual(Object.keys(payload.forecast.hitRate).sort(), ['POI001', 'POI009', 'POI072']);
  });

  it('shows the views’ figures', () => {
    assert.match(html, /6 run\(s\) from 2026-07-16 13:20 to 2026-07-17 00:20 KST/);
    assert.match(html, /3 of 7 forecasts had the right level \(42\.9 %\)/);
    assert.match(html, /2 of 3 forecasts had the right level \(66\.7 %\)/);
    assert.match(html, /28 scheduled 20-minute slot\(s\) between these runs never ran/);
    // POI009 counts from R1 to R4, its last asked run (warehouse-views.test.ts).
    assert.match(
      html,
      /<td>광화문·덕수궁 <small>POI009<\/small><\/td><td>5<\/td><td>3<\/td><td>2<\/td><td>0<\/td><td>1<\/td><td>1<\/td>/,
    );
  });

  it('is one self-contained page: scripts inline and allowed by hash only, nothing fetched', () => {
    assert.doesNotMatch(html, /<script[^>]+src=/i);
    const markup = html.replace(/<script[^>]*>.*?<\/script>/gs, '');
    assert.doesNotMatch(markup, /\b(src|href)="(?!#)/);
    assert.doesNotMatch(markup, /url\(/);
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.match(policy, /^default-src 'none'/);
    assert.doesNotMatch(policy, /unsafe-inline'[^;]*script|script-src[^;]*unsafe/);
    const scripts = [...html.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1] as string);
    assert.equal(scripts.length, 2, 'ECharts and the page script');
    for (const source of scripts) {
      const hash = createHash('sha256').update(source, 'utf8').digest('base64');
      assert.ok(policy.includes(`'sha256-${hash}'`), 'each script is allowed by its hash');
    }
    assert.doesNotMatch(html, /SIMULATED DATA/);
  });

  it('names Korean fonts first in its font stack', () => {
    assert.match(html, /--font:"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic"/);
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
    assert.deepEqual(chartsOf(html), []);
    assert.doesNotMatch(html, /<script/);
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
    assert.match(readFileSync(out, 'utf8'), /data-chart="map"/);
  });

  it('writes into the lake folder by default, with LAKE_DIR as the default lake', async () => {
    const lake = await buildFixtureLake();
    const { out: printed, io: cli } = io();
    assert.equal(await reportCommand([], { LAKE_DIR: lake }, cli), 0);
    assert.deepEqual(printed, [join(lake, 'report.html')]);
  });

  it('writes the no-data page for a lake that holds no run yet, and says so', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'report-'));
    mkdirSync(join(lake, '_pending_runs'));
    const { err, io: cli } = io();
    assert.equal(await reportCommand(['--lake', lake], {}, cli), 0);
    assert.match(readFileSync(join(lake, 'report.html'), 'utf8'), /No data yet/);
    assert.match(err.join('\n'), /the lake holds no run yet/);
  });

  it('replaces the page in one step, leaving no temporary file beside it', async () => {
    const lake = await buildFixtureLake();
    const out = join(lake, 'report.html');
    writeFileSync(out, 'the previous page');
    assert.equal(await reportCommand(['--lake', lake], {}, io().io), 0);
    assert.match(readFileSync(out, 'utf8'), /^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
    assert.deepEqual(
      readdirSync(lake).filter((name) => name.includes('report')),
      ['report.html'],
    );
  });

  it('writes the new page to a file of its own and renames it over the old one, which stays whole until then', async () => {
    const lake = await buildFixtureLake();
    const out = join(lake, 'report.html');
    writeFileSync(out, 'the previous page');
    // A second name for the old page's file: written in place, it would hold the new page (or part
    // of it) too; replaced by a rename, it keeps the old page whole.
    const kept = join(lake, 'kept-link.html');
    linkSync(out, kept);
    const oldInode = statSync(out).ino;
    assert.equal(await reportCommand(['--lake', lake], {}, io().io), 0);
    assert.equal(readFileSync(kept, 'utf8'), 'the previous page');
    assert.notEqual(statSync(out).ino, oldInode, 'report.html is a new file');
    assert.match(readFileSync(out, 'utf8'), /^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
  });

  for (const [name, blocker] of [
    ['a folder holds its name', (out: string) => mkdirSync(join(out, 'inside'), { recursive: true })],
    ['its folder is a file', (out: string) => writeFileSync(dirname(out), 'a file, not a folder')],
  ] as const) {
    it(`exits 1 and says why when the page cannot be written (${name}), leaving what was there`, async () => {
      const lake = await buildFixtureLake();
      const out = join(mkdtempSync(join(tmpdir(), 'report-out-')), 'site', 'report.html');
      blocker(out);
      const before = readdirSync(dirname(dirname(out)), { recursive: true })
        .map(String)
        .sort();
      const { out: printed, err, io: cli } = io();
      assert.equal(await reportCommand(['--lake', lake, '--out', out], {}, cli), 1);
      assert.deepEqual(printed, []);
      assert.match(err.join('\n'), /report failed: .*(EISDIR|ENOTDIR|EEXIST|ENOTEMPTY)/);
      assert.deepEqual(
        readdirSync(dirname(dirname(out)), { recursive: true })
          .map(String)
          .sort(),
        before,
      );
    });
  }

  for (const [name, breakIt] of [
    [
      'its analysis database is not a database',
      (lake: string) =>
        writeFileSync(join(lake, '_warehouse', 'analysis.duckdb'), 'not a DuckDB file, '.repeat(500)),
    ],
    [
      'its analysis database is a folder',
      (lake: string) => mkdirSync(join(lake, '_warehouse', 'analysis.duckdb', 'x'), { recursive: true }),
    ],
    [
      'a view of sql/ cannot be created',
      (lake: string) =>
        writeFileSync(
          join(
            lake,
            'population',
            'year=2026',
            'month=07',
            'day=16',
            'hour=13',
            'minute=20',
            'broken.parquet',
          ),
          'PAR1 not parquet PAR1',
        ),
    ],
  ] as const) {
    it(`exits 1 and says why when the page cannot be built (${name}), leaving the page that was there`, async () => {
      const lake = await buildFixtureLake();
      const out = join(lake, 'report.html');
      writeFileSync(out, 'the previous page');
      mkdirSync(join(lake, '_warehouse'), { recursive: true });
      breakIt(lake);
      const { out: printed, err, io: cli } = io();
      assert.equal(await reportCommand(['--lake', lake], {}, cli), 1);
      assert.deepEqual(printed, []);
      assert.match(err.join('\n'), /^report failed: \S/);
      if (name.startsWith('its analysis database'))
        assert.match(err.join('\n'), /delete .*_warehouse and it is rebuilt from the lake/);
      assert.equal(readFileSync(out, 'utf8'), 'the previous page');
    });
  }

  it('refuses an unknown option with the usage', async () => {
    const { err, io: cli } = io();
    assert.equal(await reportCommand(['--lak', 'x'], {}, cli), 2);
    assert.match(err.join('\n'), /Usage: npm run report -- \[--lake DIR\] \[--out FILE\]/);
  });
});

describe('report of a lake with a place the map data has no area for', () => {
  const ADDED = { code: 'POI132', name: '새 공원', englishName: 'New Park', category: '공원' };
  let html: string;
  let payload: Payload;
  before(async () => {
    const lake = mkdtempSync(join(tmpdir(), 'report-unmapped-'));
    const { LocalFolderStore } = await import('../../lambdas/core/storage/local-folder-store.js');
    const { writeLiveLake } = await import('../support/live-lake.js');
    const store = new LocalFolderStore(lake);
    const places = [ALL_PLACES[0], ADDED].filter((p) => p !== undefined);
    await writeLiveLake(store, [new Date('2026-07-16T05:00:00Z')], places, [ADDED]);
    // A place imported and not collected yet: listed from the lake's catalogue.
    const { CATALOGUE_KEY, encodeCatalogue } = await import('../../lambdas/core/place-catalogue.js');
    const later = { code: 'POI133', name: '더 새 공원', englishName: 'Newer Park', category: '공원' };
    await store.put(
      CATALOGUE_KEY,
      encodeCatalogue({ format: 1, source: 'test', places: [...ALL_PLACES, ADDED, later] }),
      'application/json',
    );
    html = (await buildReport(lake, { now: new Date('2026-07-16T06:00:00Z') })).html;
    payload = payloadOf(html);
  });

  it('keeps the places without an area in its lists, after the 121 mapped ones', () => {
    assert.equal(payload.places.length, 123);
    assert.deepEqual(payload.places.slice(121), [
      { code: 'POI132', name: '새 공원', category: '공원', inside: null },
      { code: 'POI133', name: '더 새 공원', category: '공원', inside: null },
    ]);
    const i = payload.places.findIndex((p) => p.code === 'POI132');
    assert.match(payload.map.ranks[0]?.[i] ?? '', /[1-4]/, 'its level is in the run it was collected in');
    assert.ok(payload.series.byPlace.POI132, 'its history is charted');
  });

  it('says on the page that the map does not draw them, and names them', () => {
    const note = /<p class="note" id="unmapped">(.*?)<\/p>/s.exec(html)?.[1] ?? '';
    assert.match(note, /^2 place\(s\) have no area in the map data/);
    assert.match(note, /새 공원 <small>POI132<\/small>, 더 새 공원 <small>POI133<\/small>/);
  });
});
