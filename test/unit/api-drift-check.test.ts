import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkLake } from '../../lambdas/cli/check/check-lake.js';
import { FieldSightings } from '../../lambdas/cli/check/field-sightings.js';
import { formatReport } from '../../lambdas/cli/commands/check.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { envelopeFor, sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { writeLiveLake } from '../support/live-lake.js';

/**
 * The API starts sending a field in the middle of the lake's history: two runs without it, three
 * with it (KST 14:40, 15:00, 15:20), for two places. `check` lists it, with how many archived
 * answers carried it and when first and last, and stays healthy: the field is in raw/, nothing is lost.
 */
const PLACES = ['POI001', 'POI072'].map((code) => findPlace(code) as Place);
const at = (utc: string) => new Date(`2026-07-16T${utc}:00Z`);
const SETTINGS = { staleMinutes: 60, leftoverAgeMs: 60 * 60_000, runIntervalMinutes: 20 };

describe('check lists the fields the API sends that no table holds', () => {
  let lake: string;
  before(async () => {
    lake = mkdtempSync(join(tmpdir(), 'api-drift-'));
    const store = new LocalFolderStore(lake);
    await writeLiveLake(store, [at('05:00'), at('05:20')], PLACES);
    await writeLiveLake(store, [at('05:40'), at('06:00'), at('06:20')], PLACES, [], {
      AREA_PPLTN_AVG: '45000',
      '\u001b[31mTRICK': 'x',
    });
  });

  it('per dataset, with the answers that carried each and the first and last time', async () => {
    const report = await checkLake({ kind: 'folder', path: lake }, SETTINGS);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.unreadFields.fields.map((f) => [f.dataset, f.field, f.answers, f.firstMs, f.lastMs]),
      // Same first sighting: by name (the escape character sorts first).
      [
        ['citydata_ppltn', '\u001b[31mTRICK', 6, at('05:40').getTime(), at('06:20').getTime()],
        ['citydata_ppltn', 'AREA_PPLTN_AVG', 6, at('05:40').getTime(), at('06:20').getTime()],
      ],
    );
    const text = formatReport(lake, report);
    assert.match(
      text,
      /^ {2}citydata_ppltn: AREA_PPLTN_AVG in 6 answer\(s\), first 2026-07-16 14:40 KST, last 2026-07-16 15:20 KST$/m,
    );
    assert.ok(!text.includes('\u001b'), 'a field name never writes a control character to the terminal');
    assert.match(text, /healthy \(.*; 2 field\(s\) no table holds\)$/);
  });
});

describe('the fields check lists stay a bounded report, whatever raw/ holds', () => {
  const record = sampleRecord(SAMPLES.yeouido);
  const at = (minute: number) => new Date(Date.UTC(2026, 6, 16, 5, minute)).toISOString();

  it('counts 200 fields at most: an archive of a thousand made-up names says how many sightings it left out', () => {
    const sightings = new FieldSightings();
    for (let i = 0; i < 1000; i++) sightings.add(envelopeFor({ ...record, [`MADE_UP_${i}`]: 'x' }));
    sightings.add(envelopeFor({ ...record, MADE_UP_0: 'x' }));
    const { fields, notCounted } = sightings.list();
    assert.equal(fields.length, 200);
    assert.equal(notCounted, 800);
    assert.equal(
      fields.find((f) => f.field === 'MADE_UP_0')?.answers,
      2,
      'a field already counted goes on counting',
    );
    const text = formatReport('lake', {
      problems: [],
      findings: [],
      unreadFields: { fields, notCounted },
      files: 1,
    });
    assert.match(text, /^ {2}and more fields not counted \(800 sightings\)$/m);
  });

  it('takes first and last from the collection times, in whatever order raw/ is read', () => {
    const sightings = new FieldSightings();
    for (const minute of [40, 0, 20, 59, 10])
      sightings.add(envelopeFor({ ...record, AREA_PPLTN_AVG: '1' }, { collectedAt: at(minute) }));
    const [field] = sightings.list().fields;
    assert.deepEqual(
      [field?.answers, field?.firstMs, field?.lastMs],
      [5, Date.parse(at(0)), Date.parse(at(59))],
    );
  });

  it('ignores answers of a dataset no table reads, and answers with exactly the fields read', () => {
    const sightings = new FieldSightings();
    sightings.add({ ...envelopeFor({ ...record, NEW: 'x' }), dataset: 'unknown_service' });
    sightings.add(envelopeFor(record));
    assert.deepEqual(sightings.list(), { fields: [], notCounted: 0 });
  });
});
