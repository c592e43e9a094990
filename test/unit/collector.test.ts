import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { collectRun, placesForKey } from '../../lambdas/core/collector.js';
import { parseEnvelope } from '../../lambdas/core/envelope.js';
import { ConfigError, InvalidApiKeyError } from '../../lambdas/core/errors.js';
import { ALL_PLACES, findPlace, type Place, selectPlaces } from '../../lambdas/core/places.js';
import { type PlaceFetch, SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { MemoryLog } from '../support/memory-log.js';

const KEY = 'collector-test-key';
const collectedAt = new Date('2026-07-16T14:20:00Z');

describe('collector', () => {
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  let baseUrl: string;
  const client = () =>
    new SeoulApiClient({
      baseUrl,
      apiKey: KEY,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      // No test here waits on a request deadline: a generous one keeps a loaded machine from failing places.
      timeoutMs: 10_000,
    });
  const run = (options: Partial<Parameters<typeof collectRun>[0]> = {}) =>
    collectRun({
      client: client(),
      places: ALL_PLACES,
      runId: 'run-1',
      collectedAt,
      log: new MemoryLog(),
      ...options,
    });

  before(async () => {
    baseUrl = await simulator.start();
  });
  after(() => simulator.stop());
  beforeEach(() => {
    simulator.setFaults([]);
    simulator.requests.length = 0;
  });

  it('collects all 121 places into envelopes of the contract, in place order', async () => {
    const result = await run();
    assert.equal(result.envelopes.length, 121);
    assert.deepEqual(
      result.envelopes.map((e) => e.place.code),
      ALL_PLACES.map((p) => p.code),
    );
    for (const envelope of result.envelopes) {
      assert.equal(parseEnvelope(JSON.parse(JSON.stringify(envelope))).ok, true);
      assert.equal(envelope.collectedAt, '2026-07-16T14:20:00.000Z');
      assert.equal(envelope.runId, 'run-1');
      assert.deepEqual(
        envelope.payload,
        simulator.recordFor(
          ALL_PLACES.find((p) => p.code === envelope.place.code) as (typeof ALL_PLACES)[number],
        ),
      );
    }
    assert.ok(result.outcomes.every((o) => o.status === 'ok'));
  });

  it('never lets a failing place sink the run', async () => {
    simulator.setFaults([
      { kind: 'http-500', places: ['POI001'] },
      { kind: 'no-data', places: ['POI002'] },
      { kind: 'wrong-place', places: ['POI003'] },
      { kind: 'malformed-json', places: ['POI004'] },
    ]);
    const result = await run();
    assert.equal(result.envelopes.length, 117);
    const byCode = new Map(result.outcomes.map((o) => [o.code, o]));
    assert.equal(byCode.get('POI001')?.status, 'failed');
    assert.equal(byCode.get('POI001')?.reason, 'HTTP 500 (after 2 attempts)');
    assert.equal(byCode.get('POI002')?.status, 'no-data');
    assert.equal(byCode.get('POI003')?.reason, 'answer is for POI009, not POI003');
    assert.match(byCode.get('POI004')?.reason ?? '', /^unparseable JSON body/);
    assert.equal(result.outcomes.filter((o) => o.status === 'ok').length, 117);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = {
      fetchPlace: async (code: string): Promise<PlaceFetch> => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return { status: 'no-data', reason: code, attempts: 1 };
      },
    };
    await run({ client: slow, concurrency: 3 });
    assert.equal(peak, 3);
    await run({ client: slow });
    assert.equal(peak, 8, 'default concurrency is 8');
  });

  it('stops asking at once on an invalid key, and reports it', async () => {
    const badKey = new SeoulApiClient({
      baseUrl,
      apiKey: 'wrong-key',
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const result = await run({ client: badKey, concurrency: 2 });
    assert.ok(result.keyRefused instanceof InvalidApiKeyError);
    assert.equal(result.envelopes.length, 0);
    assert.equal(result.outcomes.length, 121);
    assert.ok(result.outcomes.every((o) => o.status === 'failed' && /INFO-100/.test(o.reason ?? '')));
    // Two requests were in flight when the first INFO-100 came back; no further place was asked.
    assert.ok(simulator.requests.length <= 3, `${simulator.requests.length} requests`);
  });

  it('bounds the run in time: unfinished places fail with the reason, when the limit is reached', async (t) => {
    // The run's own timer, on a clock the test controls; POI005 and POI006 never answer.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const poi004 = simulator.recordFor(findPlace('POI004') as Place);
    const client: Pick<SeoulApiClient, 'fetchPlace'> = {
      fetchPlace: (code, signal) =>
        code === 'POI004'
          ? Promise.resolve({ status: 'ok', record: poi004, fetchedAt: collectedAt, attempts: 1 })
          : new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
    };
    let finished = false;
    const running = run({
      client,
      places: selectPlaces(['POI004', 'POI005', 'POI006']),
      runTimeoutMs: 300,
    }).finally(() => {
      finished = true;
    });
    t.mock.timers.tick(299);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(finished, false, 'the run ended before its limit');
    t.mock.timers.tick(1);
    const result = await running;
    assert.deepEqual(
      result.outcomes.map((o) => [o.code, o.status, o.reason]),
      [
        ['POI004', 'ok', undefined],
        ['POI005', 'failed', 'run time limit of 0.3 s reached'],
        ['POI006', 'failed', 'run time limit of 0.3 s reached'],
      ],
    );
  });
});

describe('the public sample key', () => {
  it('limits the run to POI009 and says why', () => {
    const { places, notice } = placesForKey('sample', ALL_PLACES);
    assert.deepEqual(
      places.map((p) => p.code),
      ['POI009'],
    );
    assert.match(notice ?? '', /only answers 광화문·덕수궁 \(POI009\).*data\.seoul\.go\.kr.*SEOUL_API_KEY/);
  });

  it('refuses a run asked for other places, rather than storing POI009 under their names', () => {
    assert.throws(
      () => placesForKey('sample', selectPlaces(['POI072', 'POI009'])),
      (error: unknown) =>
        error instanceof ConfigError &&
        /only answers 광화문·덕수궁 \(POI009\).*POI072 cannot be collected.*SEOUL_API_KEY/.test(
          error.message,
        ),
    );
    assert.deepEqual(
      placesForKey('sample', selectPlaces(['POI009'])).places.map((p) => p.code),
      ['POI009'],
    );
  });

  it('leaves a real key alone', () => {
    assert.deepEqual(placesForKey('my-key', ALL_PLACES), { places: [...ALL_PLACES] });
  });
});
