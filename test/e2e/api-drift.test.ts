import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { runCli } from '../support/cli.js';
import { RecordedApi, recordedRecord } from '../support/recorded-api.js';

/**
 * API drift as a person sees it (issue 20, item 2), through the commands as processes: a run whose
 * answers carry a field no table holds prints it in its summary, and `npm run check` lists it with
 * when it was first and last seen; a run whose answers lack a field a column reads prints that too.
 * Oracles: what the servers sent (the field the simulator adds to every record, the recorded answer
 * without FCST_PPLTN), the places asked, and the run's own slot as its summary names it.
 */

const KEY = 'drift-e2e-key-0123456789';
const PLACES = 'POI001,POI072';
const lakes: string[] = [];
const newLake = () => {
  const lake = mkdtempSync(join(tmpdir(), 'api-drift-e2e-'));
  lakes.push(lake);
  return lake;
};

async function collectOnce(baseUrl: string, lake: string) {
  const run = await runCli(['start', '--once', '--places', PLACES, '--lake', lake], {
    SEOUL_API_KEY: KEY,
    SEOUL_API_BASE_URL: baseUrl,
    LOG_FORMAT: 'text',
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  return run;
}

describe('API drift: the run summary and check say what the answers carry that the tables do not', () => {
  after(() => {
    for (const lake of lakes) rmSync(lake, { recursive: true, force: true });
  });

  it('a field the API adds: one line of the run summary, then listed by npm run check with its first and last time', async () => {
    const added = { AREA_PPLTN_AVG: '45000' };
    const api = new ApiSimulator({ validKeys: [KEY], addedFields: added });
    const lake = newLake();
    let run: Awaited<ReturnType<typeof collectOnce>>;
    try {
      run = await collectOnce(await api.start(), lake);
    } finally {
      await api.stop();
    }
    const asked = PLACES.split(',').length;
    assert.match(
      run.stdout,
      new RegExp(
        `^ {2}api fields: 1 unknown \\(AREA_PPLTN_AVG in ${asked} of ${asked} answer\\(s\\)\\), 0 missing$`,
        'm',
      ),
    );
    const slot = /^run \S+ for (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST$/m.exec(run.stdout)?.[1];
    assert.ok(slot, run.stdout);

    const check = await runCli(['check', '--lake', lake], {});
    assert.equal(check.status, 0, `${check.stdout}\n${check.stderr}`);
    assert.match(check.stdout, /^fields the API sent that no table holds, kept in raw\/.*\(1\):$/m);
    assert.match(
      check.stdout,
      new RegExp(
        `^ {2}citydata_ppltn: AREA_PPLTN_AVG in ${asked} answer\\(s\\), first ${slot} KST, last ${slot} KST$`,
        'm',
      ),
    );
    assert.match(check.stdout, /healthy \(.*; 1 field\(s\) no table holds\)$/m);
  });

  it('a field the API leaves out (the recorded answer of 2026-09-07 has no FCST_PPLTN): counted as missing', async () => {
    assert.equal(
      recordedRecord('without-forecast').FCST_PPLTN,
      undefined,
      'the recorded answer has no forecast list',
    );
    const api = new RecordedApi(() => new Date());
    api.era = 'without-forecast';
    const lake = newLake();
    let run: Awaited<ReturnType<typeof collectOnce>>;
    try {
      run = await collectOnce(await api.start(), lake);
    } finally {
      await api.stop();
    }
    const asked = PLACES.split(',').length;
    assert.match(
      run.stdout,
      new RegExp(
        `^ {2}api fields: 0 unknown, 1 missing \\(FCST_PPLTN in ${asked} of ${asked} answer\\(s\\)\\)$`,
        'm',
      ),
    );
    const check = await runCli(['check', '--lake', lake], {});
    assert.equal(check.status, 0, `${check.stdout}\n${check.stderr}`);
    assert.doesNotMatch(check.stdout, /no table holds/, 'a missing field is no field the tables lack');
  });

  it('answers that carry exactly what the schema reads: no drift line', async () => {
    const api = new RecordedApi(() => new Date());
    api.era = 'with-forecast';
    const lake = newLake();
    let run: Awaited<ReturnType<typeof collectOnce>>;
    try {
      run = await collectOnce(await api.start(), lake);
    } finally {
      await api.stop();
    }
    assert.match(run.stdout, /^ {2}places: 2 ok/m);
    assert.doesNotMatch(run.stdout, /api fields/);
  });
});
