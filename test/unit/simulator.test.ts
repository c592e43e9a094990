import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simulatedRecord } from '../../lambdas/cli/simulator/generator.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { ALL_PLACES, findPlace, type Place } from '../../lambdas/core/places.js';
import { parseApiBody } from '../../lambdas/core/seoul-api/response.js';
import { envelopeFor } from '../support/envelopes.js';

const at = new Date('2026-07-16T14:35:00Z');
const yeouido = findPlace('POI072') as Place;

describe('simulated answers', () => {
  it('are deterministic: the same place and time give the same record', () => {
    assert.deepEqual(simulatedRecord(yeouido, at), simulatedRecord(yeouido, new Date(at)));
  });

  it('change from one 5-minute slot to the next and trail the call like the real API', () => {
    const now = simulatedRecord(yeouido, at);
    const later = simulatedRecord(yeouido, new Date(at.getTime() + 5 * 60_000));
    assert.notDeepEqual(now, later);
    assert.equal(now.PPLTN_TIME, '2026-07-16 23:10'); // called 23:35 KST, published 25 minutes behind
    assert.equal(later.PPLTN_TIME, '2026-07-16 23:15');
  });

  it('are valid records for every one of the 121 places, with 12 hourly forecasts', () => {
    for (const place of ALL_PLACES) {
      const record = simulatedRecord(place, at);
      const result = normalizeEnvelope(envelopeFor(record, { place }));
      assert.ok(result.ok, `${place.code}: ${result.ok ? '' : result.reasons.join('; ')}`);
      assert.equal(result.ok && result.warnings.length, 0);
      assert.equal(result.ok && result.forecasts.length, 12);
      assert.ok(
        Object.values(record).every((v) => typeof v === 'string' || Array.isArray(v)),
        'every scalar is a string',
      );
    }
  });

  it('vary across places and through the day', () => {
    const levels = new Set(ALL_PLACES.map((p) => simulatedRecord(p, at).AREA_CONGEST_LVL));
    assert.ok(levels.size >= 2, `levels seen: ${[...levels]}`);
    const night = Number(simulatedRecord(yeouido, new Date('2026-07-16T19:00:00Z')).AREA_PPLTN_MAX); // 04:00 KST
    const afternoon = Number(simulatedRecord(yeouido, new Date('2026-07-16T06:00:00Z')).AREA_PPLTN_MAX); // 15:00 KST
    assert.ok(afternoon > night * 2, `afternoon ${afternoon} vs night ${night}`);
  });
});

describe('simulator HTTP server', () => {
  const simulator = new ApiSimulator({ validKeys: ['k1'], now: () => at });
  let base: string;
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  };

  before(async () => {
    base = await simulator.start();
  });
  after(() => simulator.stop());

  it('listens on 127.0.0.1 only', () => assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/));

  it('answers the documented URL scheme by code and by Korean name', async () => {
    const byCode = parseApiBody((await get('/k1/json/citydata_ppltn/1/5/POI072')).body);
    const byName = parseApiBody(
      (await get(`/k1/json/citydata_ppltn/1/5/${encodeURIComponent('여의도')}`)).body,
    );
    assert.deepEqual(byCode, { kind: 'ok', resultCode: 'INFO-000', record: simulator.recordFor(yeouido) });
    assert.deepEqual(byName, byCode);
  });

  it('answers the XML form in the shape of the recorded XML answers', async () => {
    const answer = await get('/k1/xml/citydata_ppltn/1/5/POI072');
    assert.match(answer.body, /^<Map><SeoulRtd\.citydata_ppltn><AREA_NM>여의도<\/AREA_NM>/);
    const parsed = parseApiBody(answer.body);
    assert.deepEqual(parsed.kind === 'ok' && parsed.record, simulator.recordFor(yeouido));
  });

  it('answers a bad key with the XML INFO-100 body and HTTP 200, even on /json/', async () => {
    const answer = await get('/nope/json/citydata_ppltn/1/5/POI072');
    assert.equal(answer.status, 200);
    assert.match(answer.type, /xml/);
    assert.equal(parseApiBody(answer.body).kind, 'invalid-key');
  });

  it('answers INFO-200 for an unknown place', async () => {
    assert.equal(parseApiBody((await get('/k1/json/citydata_ppltn/1/5/POI999')).body).kind, 'no-data');
  });

  it('answers POI009 for every place with the sample key, and refuses ranges over 5', async () => {
    const answer = parseApiBody((await get('/sample/json/citydata_ppltn/1/5/POI072')).body);
    assert.equal(answer.kind === 'ok' && answer.record.AREA_CD, 'POI009');
    const tooMany = parseApiBody((await get('/sample/json/citydata_ppltn/1/10/POI072')).body);
    assert.deepEqual(tooMany.kind === 'request-error' && tooMany.resultCode, 'ERROR-335');
  });

  it('injects faults for chosen places, a chosen number of times', async () => {
    simulator.setFaults([{ kind: 'http-500', places: ['POI072'], times: 1 }]);
    assert.equal((await get('/k1/json/citydata_ppltn/1/5/POI072')).status, 500);
    assert.equal((await get('/k1/json/citydata_ppltn/1/5/POI072')).status, 200);
    assert.equal((await get('/k1/json/citydata_ppltn/1/5/POI001')).status, 200);
    simulator.setFaults([]);
  });

  it("holds a latency fault's answer for the latency asked", async () => {
    // The wait is injected: the test decides when the 150 ms are over.
    const waits: number[] = [];
    let release = () => {};
    const slow = new ApiSimulator({
      validKeys: ['k1'],
      now: () => at,
      faults: [{ kind: 'latency', latencyMs: 150 }],
      delay: (ms) => {
        waits.push(ms);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    const slowBase = await slow.start();
    try {
      let answered = false;
      const answer = fetch(`${slowBase}/k1/json/citydata_ppltn/1/5/POI001`).then(async (response) => {
        answered = true;
        return { status: response.status, body: await response.text() };
      });
      while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(answered, false, 'answered before the latency was over');
      assert.deepEqual(waits, [150]);
      release();
      const { status, body } = await answer;
      assert.equal(status, 200);
      assert.equal(parseApiBody(body).kind, 'ok');
    } finally {
      await slow.stop();
    }
  });

  it('applies a probability to faults, reproducibly', async () => {
    const count = async () => {
      const sim = new ApiSimulator({
        faults: [{ kind: 'error-500', probability: 0.3 }],
        seed: 7,
        now: () => at,
      });
      const url = await sim.start();
      let errors = 0;
      for (let i = 0; i < 100; i++) {
        const body = await (await fetch(`${url}/k/json/citydata_ppltn/1/5/POI001`)).text();
        if (parseApiBody(body).kind === 'transient') errors++;
      }
      await sim.stop();
      return errors;
    };
    const first = await count();
    assert.ok(first > 15 && first < 45, `${first} of 100`);
    assert.equal(await count(), first);
  });
});
