import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkLake } from '../../lambdas/cli/check/check-lake.js';
import { formatReport } from '../../lambdas/cli/commands/check.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
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
