import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCityList } from '../../lambdas/cli/places/city-list.js';
import { importList } from '../../lambdas/cli/places/import-diff.js';
import { ConfigError, StorageError } from '../../lambdas/core/errors.js';
import {
  activePlaces,
  BUILT_IN_CATALOGUE,
  CATALOGUE_KEY,
  CatalogueSource,
  encodeCatalogue,
  type PlaceCatalogue,
  parseCatalogue,
  readCatalogue,
  selectFromCatalogue,
} from '../../lambdas/core/place-catalogue.js';
import type { Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { MemoryLog } from '../support/memory-log.js';

const FIXTURE = readFileSync(new URL('../fixtures/places.csv', import.meta.url));
const EUC_KR = readFileSync(new URL('../fixtures/places-euc-kr.csv', import.meta.url));

/**
 * The oracle of the city's list: its lines split by hand (no field of the fixture is quoted), not
 * by the parser under test.
 */
const FIXTURE_PLACES: Place[] = FIXTURE.toString('utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [category, , code, name, englishName] = line.split(',') as [string, string, string, string, string];
    return { code, name, englishName, category };
  });

const place = (code: string, name = `장소 ${code}`, category = '공원'): Place => ({
  code,
  name,
  englishName: `Place ${code}`,
  category,
});
const catalogue = (places: PlaceCatalogue['places']): PlaceCatalogue => ({
  format: 1,
  source: 'test',
  places,
});
const lake = async () => new LocalFolderStore(await mkdtemp(join(tmpdir(), 'catalogue-')));

describe("the city's list of places (places --import FILE)", () => {
  it("reads the portal's list: 121 places, in its order, as the lines say", () => {
    const places = parseCityList(FIXTURE, 'places.csv');
    assert.equal(places.length, 121);
    assert.deepEqual(places, FIXTURE_PLACES);
  });

  it('reads the same list in every form the portal gives it: BOM, CRLF, EUC-KR, quoted, reordered', () => {
    const text = FIXTURE.toString('utf8');
    const [header, ...lines] = text.trim().split('\n') as [string, ...string[]];
    const quoted = [
      header,
      ...lines.map((l) =>
        l
          .split(',')
          .map((cell) => `"${cell}"`)
          .join(','),
      ),
    ].join('\n');
    const reordered = [
      'eng_nm,area_nm,area_cd,no,category,extra',
      ...lines.map((l) => {
        const [category, no, code, name, english] = l.split(',');
        return `"${english}",${name},${code},${no},${category},x`;
      }),
    ].join('\n');
    const forms: Record<string, Buffer> = {
      'byte-order mark': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), FIXTURE]),
      'CRLF lines': Buffer.from(text.replace(/\n/g, '\r\n')),
      'EUC-KR bytes with CRLF': EUC_KR,
      'every field quoted': Buffer.from(quoted),
      'columns reordered, one more, header in capitals': Buffer.from(
        reordered.replace(/^[^\n]+/, (h) => h.toUpperCase()),
      ),
      'blank lines at the end': Buffer.from(`${text}\n\n\n`),
    };
    for (const [form, bytes] of Object.entries(forms))
      assert.deepEqual(parseCityList(bytes, form), FIXTURE_PLACES, form);
  });

  it('keeps a comma inside a quoted English name', () => {
    const places = parseCityList(
      Buffer.from('category,no,area_cd,area_nm,eng_nm\n공원,1,POI132,새 공원,"New Park, North"\n'),
      'one.csv',
    );
    assert.deepEqual(places, [
      { code: 'POI132', name: '새 공원', englishName: 'New Park, North', category: '공원' },
    ]);
  });

  it('refuses a bad list whole, naming every bad line', () => {
    const header = 'category,no,area_cd,area_nm,eng_nm';
    const cases: Record<string, [string, RegExp]> = {
      empty: ['', /is empty/],
      'header only': [`${header}\n`, /lists no place/],
      'no area_cd column': ['category,no,code,area_nm,eng_nm\n공원,1,POI001,a,b', /has no column area_cd/],
      'a code that is not a place code': [
        `${header}\n공원,1,PO1,a,b\n공원,2,POI01X,c,d`,
        /line 2: code "PO1".*line 3: code "POI01X"/,
      ],
      'a code listed twice': [
        `${header}\n공원,1,POI001,a,b\n공원,2,POI001,c,d`,
        /line 3: POI001 is already on line 2/,
      ],
      'an empty name': [`${header}\n공원,1,POI001,,b`, /line 2: name is empty/],
      'an empty category': [`${header}\n,1,POI001,a,b`, /line 2: category is empty/],
      'a short line': [`${header}\n공원,1,POI001`, /line 2: 3 columns, the header has 5/],
      'a name longer than its column': [
        `${header}\n공원,1,POI001,${'가'.repeat(90)},b`,
        /longer than 256 bytes/,
      ],
      'a control character': [`${header}\n공원,1,POI001,"a\tb",c`, /control character/],
      'an unclosed quote': [`${header}\n공원,1,POI001,"a,b`, /is not CSV/],
    };
    for (const [name, [text, expected]] of Object.entries(cases)) {
      assert.throws(
        () => parseCityList(Buffer.from(text), name),
        (error: unknown) => error instanceof ConfigError && expected.test(error.message),
        name,
      );
    }
    assert.throws(
      () => parseCityList(Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x81]), 'binary'),
      /neither UTF-8 nor EUC-KR/,
    );
    assert.throws(() => parseCityList(Buffer.alloc(2_000_000, 0x61), 'huge'), /at most 1048576/);
  });
});

describe('importing a list into the catalogue', () => {
  const NOW = new Date('2026-08-01T03:00:00Z');
  const before = catalogue([
    place('POI001'),
    place('POI002'),
    { ...place('POI003'), since: '2026-01-01T00:00:00.000Z' },
    { ...place('POI004'), retired: '2026-05-01T00:00:00.000Z' },
  ]);

  it('adds, retires, returns and changes places, and says which', () => {
    const listed = [place('POI003'), place('POI001', '새 이름'), place('POI004'), place('POI132')];
    const change = importList(before, listed, NOW, 'places.csv');
    assert.deepEqual(
      change.added.map((p) => p.code),
      ['POI132'],
    );
    assert.deepEqual(
      change.retired.map((p) => p.code),
      ['POI002'],
    );
    assert.deepEqual(
      change.returned.map((p) => p.code),
      ['POI004'],
    );
    assert.deepEqual(
      change.changed.map((c) => [c.before.name, c.after.name]),
      [['장소 POI001', '새 이름']],
    );
    assert.equal(change.unchanged, 1);
    // The list's order, then the retired places; first-listed times kept; the retired one kept.
    assert.deepEqual(change.catalogue.places, [
      { ...place('POI003'), since: '2026-01-01T00:00:00.000Z' },
      place('POI001', '새 이름'),
      place('POI004'),
      { ...place('POI132'), since: NOW.toISOString() },
      { ...place('POI002'), retired: NOW.toISOString() },
    ]);
    assert.deepEqual(
      activePlaces(change.catalogue).map((p) => p.code),
      ['POI003', 'POI001', 'POI004', 'POI132'],
    );
    assert.equal(change.catalogue.updatedAt, NOW.toISOString());
  });

  it('changes nothing when the list is the catalogue', () => {
    const change = importList(BUILT_IN_CATALOGUE, FIXTURE_PLACES, NOW, 'places.csv');
    assert.equal(change.unchanged, 121);
    assert.equal(
      change.added.length + change.retired.length + change.returned.length + change.changed.length,
      0,
    );
  });

  it('keeps a place retired before and still not listed, with its first retirement time', () => {
    const change = importList(before, [place('POI001'), place('POI002'), place('POI003')], NOW, 'x.csv');
    assert.deepEqual(change.retired, []);
    assert.deepEqual(change.catalogue.places.at(-1), {
      ...place('POI004'),
      retired: '2026-05-01T00:00:00.000Z',
    });
  });
});

describe('the place catalogue in the lake', () => {
  it('is the built-in list when the lake has none', async () => {
    const read = await readCatalogue(await lake());
    assert.equal(read.origin, 'built-in');
    assert.equal(activePlaces(read.catalogue).length, 121);
  });

  it('is read back as written', async () => {
    const store = await lake();
    const written = catalogue([place('POI001'), { ...place('POI002'), retired: '2026-05-01T00:00:00.000Z' }]);
    await store.put(CATALOGUE_KEY, encodeCatalogue(written), 'application/json');
    const read = await readCatalogue(store);
    assert.equal(read.origin, 'lake');
    assert.deepEqual(read.catalogue, written);
    assert.deepEqual(activePlaces(read.catalogue), [place('POI001')]);
  });

  it('refuses an invalid catalogue whole, naming each problem', () => {
    const good = { format: 1, source: 's', places: [place('POI001')] };
    const cases: Record<string, [unknown, RegExp]> = {
      'not JSON': ['{', /is not JSON/],
      'a list': [[], /not a JSON object/],
      'another format': [{ ...good, format: 2 }, /format is 2, expected 1/],
      'no places': [{ format: 1, source: 's' }, /places is not a list/],
      'a place that is not an object': [{ ...good, places: ['POI001'] }, /place 1 is not an object/],
      'a bad code': [{ ...good, places: [place('poi1')] }, /place 1 \(poi1\): code "poi1"/],
      'a code twice': [
        { ...good, places: [place('POI001'), place('POI001')] },
        /place 2 \(POI001\): the code is listed twice/,
      ],
      'a name that is not text': [{ ...good, places: [{ ...place('POI001'), name: 5 }] }, /name is not text/],
      'a bad retirement time': [
        { ...good, places: [{ ...place('POI001'), retired: 'yesterday' }] },
        /retired "yesterday"/,
      ],
      'every place retired': [
        { ...good, places: [{ ...place('POI001'), retired: '2026-05-01T00:00:00Z' }] },
        /every place is retired/,
      ],
    };
    for (const [name, [value, expected]] of Object.entries(cases)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      assert.throws(
        () => parseCatalogue(text),
        (error: unknown) => error instanceof ConfigError && expected.test(error.message),
        name,
      );
    }
  });

  it('refuses a catalogue far larger than one can be, without reading it whole', async () => {
    const store = await lake();
    await store.put(CATALOGUE_KEY, Buffer.alloc(2_000_000, 0x20), 'application/json');
    await assert.rejects(readCatalogue(store), StorageError);
  });

  it('keeps a run going when the catalogue breaks: the last one read, else the built-in places', async () => {
    const store = await lake();
    const log = new MemoryLog();
    const source = new CatalogueSource(store, log);
    await store.put(CATALOGUE_KEY, Buffer.from('{ broken'), 'application/json');
    const first = await source.current();
    assert.equal(first.catalogue, BUILT_IN_CATALOGUE);
    assert.match(first.problem ?? '', /not JSON/);
    const good = catalogue([place('POI001'), place('POI132')]);
    await store.put(CATALOGUE_KEY, encodeCatalogue(good), 'application/json');
    assert.deepEqual((await source.current()).catalogue, good);
    await store.put(CATALOGUE_KEY, Buffer.from('{"format":1,"source":"x","places":[]}'), 'application/json');
    const after = await source.current();
    assert.deepEqual(after.catalogue, good);
    assert.equal(after.origin, 'lake');
    assert.equal(log.lines.filter((line) => line.level === 'error').length, 2);
  });

  it('selects chosen codes among the places collected, and names a retired one as retired', () => {
    const c = catalogue([
      place('POI001'),
      place('POI132'),
      { ...place('POI002'), retired: '2026-05-01T00:00:00.000Z' },
    ]);
    assert.deepEqual(
      selectFromCatalogue(c, ['poi132', 'POI001', 'POI132']).map((p) => p.code),
      ['POI132', 'POI001'],
    );
    assert.deepEqual(
      selectFromCatalogue(c).map((p) => p.code),
      ['POI001', 'POI132'],
    );
    assert.throws(
      () => selectFromCatalogue(c, ['POI002', 'POI777']),
      (error: unknown) =>
        error instanceof ConfigError && /POI002 \(retired\), POI777\. Valid codes \(2\)/.test(error.message),
    );
  });
});

describe('the places of each local run (npm start)', () => {
  it('follows the catalogue from run to run, and says what changed', async () => {
    const { RunPlaces } = await import('../../lambdas/cli/pipeline/run-places.js');
    const store = await lake();
    const runs = new RunPlaces(store, undefined, 'a-key', new MemoryLog());
    const first = await runs.resolve();
    assert.equal(first.places.length, 121);
    assert.deepEqual(first.notices, []);
    const change = importList(
      BUILT_IN_CATALOGUE,
      [...FIXTURE_PLACES.filter((p) => p.code !== 'POI005'), place('POI132')],
      new Date('2026-08-01T00:00:00Z'),
      'places.csv',
    );
    await store.put(CATALOGUE_KEY, encodeCatalogue(change.catalogue), 'application/json');
    const next = await runs.resolve();
    assert.equal(next.places.length, 121);
    assert.ok(next.places.some((p) => p.code === 'POI132') && !next.places.some((p) => p.code === 'POI005'));
    assert.deepEqual(next.notices, ['the place catalogue changed: +POI132 -POI005 (121 places now)']);
    assert.deepEqual((await runs.resolve()).notices, [], 'said once');
  });

  it('refuses a chosen code the catalogue does not hold at start; later, a retired one is left out with a notice', async () => {
    const { RunPlaces } = await import('../../lambdas/cli/pipeline/run-places.js');
    const store = await lake();
    await assert.rejects(
      new RunPlaces(store, ['POI132'], 'a-key', new MemoryLog()).resolve(),
      /unknown place code\(s\): POI132/,
    );
    const runs = new RunPlaces(store, ['POI001', 'POI005'], 'a-key', new MemoryLog());
    assert.deepEqual(
      (await runs.resolve()).places.map((p) => p.code),
      ['POI001', 'POI005'],
    );
    assert.deepEqual((await runs.resolve()).notices, [], 'nothing gone, nothing said');
    const retired = catalogue([place('POI001'), { ...place('POI005'), retired: '2026-08-01T00:00:00Z' }]);
    await store.put(CATALOGUE_KEY, encodeCatalogue(retired), 'application/json');
    const later = await runs.resolve();
    assert.deepEqual(
      later.places.map((p) => p.code),
      ['POI001'],
    );
    assert.ok(later.notices.includes('POI005: no longer in the place catalogue, not collected'));
  });
});
