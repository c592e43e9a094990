import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  collectorDown,
  demoFaults,
  inOutage,
  REQUEST_FAULTS,
} from '../../lambdas/cli/simulator/demo-faults.js';
import { ApiSimulator, type FaultRule } from '../../lambdas/cli/simulator/server.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';

/** 2026-07-16 23:35 KST. */
const AT = new Date('2026-07-16T14:35:00Z');
const KEY = 'k';

async function withSimulator<T>(
  faults: readonly FaultRule[],
  now: () => Date,
  work: (get: (code: string) => Promise<{ status: number; body: string }>) => Promise<T>,
): Promise<T> {
  const simulator = new ApiSimulator({ validKeys: [KEY], faults, now });
  const base = await simulator.start();
  try {
    return await work(async (code) => {
      const response = await fetch(`${base}/${KEY}/json/citydata_ppltn/1/5/${code}`);
      return { status: response.status, body: await response.text() };
    });
  } finally {
    await simulator.stop();
  }
}

describe('the simulator’s faults for demo --faults', () => {
  it('stale: a valid answer, the one published staleMinutes before now', async () => {
    for (const staleMinutes of [95, 60, 240]) {
      const body = await withSimulator(
        [{ kind: 'stale', staleMinutes }],
        () => AT,
        async (get) => {
          const answer = await get('POI072');
          assert.equal(answer.status, 200);
          return JSON.parse(answer.body);
        },
      );
      // Hand computation: called at 23:35 KST, minus the staleness, published 25 minutes behind.
      const called = 23 * 60 + 35 - staleMinutes - 25;
      const expected = `2026-07-16 ${String(Math.floor(called / 60)).padStart(2, '0')}:${String(called % 60).padStart(2, '0')}`;
      assert.equal(body['SeoulRtd.citydata_ppltn'][0].PPLTN_TIME, expected, `${staleMinutes} min`);
      assert.equal(body['SeoulRtd.citydata_ppltn'][0].AREA_CD, 'POI072');
    }
  });

  it('during: a rule applies to a place only while its window is open on the simulator’s clock', async () => {
    let now = AT;
    const rule: FaultRule = {
      kind: 'http-500',
      during: (at, code) => code === 'POI072' && at.getTime() >= AT.getTime(),
    };
    await withSimulator(
      [rule],
      () => now,
      async (get) => {
        assert.equal((await get('POI072')).status, 500, 'inside the window');
        assert.equal((await get('POI001')).status, 200, 'another place');
        now = new Date(AT.getTime() - 60_000);
        assert.equal((await get('POI072')).status, 200, 'before the window');
      },
    );
  });

  it('outages: each KST day, at most two places for two hours, the same for the same day', () => {
    for (const day of ['2026-07-16', '2026-11-30', '2027-01-01']) {
      const down: string[] = [];
      for (let hour = 0; hour < 24; hour++) {
        const at = new Date(Date.parse(`${day}T${String(hour).padStart(2, '0')}:30:00+09:00`));
        for (const place of ALL_PLACES) if (inOutage(at, place.code)) down.push(`${place.code}@${hour}`);
      }
      assert.ok(down.length >= 2 && down.length <= 4, `${day}: ${down.join(', ')}`);
      const places = new Set(down.map((d) => d.split('@')[0]));
      assert.ok(places.size >= 1 && places.size <= 2, day);
      const at = new Date(Date.parse(`${day}T12:00:00+09:00`));
      for (const place of ALL_PLACES)
        assert.equal(inOutage(at, place.code), inOutage(new Date(at), place.code));
    }
  });

  it('the collector is down for exactly one scheduled run a KST day, whatever the cadence', () => {
    for (const runsPerDay of [72, 36, 24]) {
      for (const day of ['2026-07-16', '2026-07-17', '2026-12-31']) {
        const start = Date.parse(`${day}T00:00:00+09:00`);
        const step = 86_400_000 / runsPerDay;
        const slots = Array.from({ length: runsPerDay }, (_, i) => new Date(start + i * step));
        assert.equal(
          slots.filter((slot) => collectorDown(slot, runsPerDay)).length,
          1,
          `${day}, ${runsPerDay}`,
        );
      }
    }
  });

  it('fail about 5 % of requests outside outages, each kind at least once in 3,000', async () => {
    const seen = new Map<string, number>();
    await withSimulator(
      REQUEST_FAULTS,
      () => AT,
      async (get) => {
        for (let i = 0; i < 3_000; i++) {
          const code = ALL_PLACES[i % ALL_PLACES.length]?.code as string;
          const answer = await get(code);
          const kind =
            answer.status === 500
              ? 'http-500'
              : answer.body.includes('INFO-200')
                ? 'no-data'
                : answer.body.includes('ERROR-500')
                  ? 'error-500'
                  : !answer.body.endsWith('}')
                    ? 'malformed-json'
                    : !answer.body.includes(`"AREA_CD":"${code}"`)
                      ? 'wrong-place'
                      : !answer.body.includes('"PPLTN_TIME":"2026-07-16 23:10"')
                        ? 'stale'
                        : 'ok';
          seen.set(kind, (seen.get(kind) ?? 0) + 1);
        }
      },
    );
    const failed = 3_000 - (seen.get('ok') ?? 0);
    assert.ok(failed > 3_000 * 0.03 && failed < 3_000 * 0.07, `${failed} of 3,000`);
    for (const rule of REQUEST_FAULTS) assert.ok((seen.get(rule.kind) ?? 0) > 0, rule.kind);
  });

  it('the live demo adds a rare timeout; the history never waits on one', () => {
    assert.ok(demoFaults(true).some((rule) => rule.kind === 'timeout'));
    assert.ok(!demoFaults(false).some((rule) => rule.kind === 'timeout'));
  });
});
