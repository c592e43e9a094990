import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { InvalidApiKeyError } from '../../lambdas/core/errors.js';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import type { HttpGet } from '../../lambdas/core/seoul-api/http-get.js';
import { closedPort } from '../support/net.js';

const KEY = 'test-key-4f7d1c9e';
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const yeouido = findPlace('POI072') as Place;

describe('Seoul API client against the simulator', () => {
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  let baseUrl: string;
  // A generous deadline where the deadline is not what a test is about (a loaded machine must not
  // turn an answer into a timeout); the tests of the deadline give their own.
  const client = (options: Partial<ConstructorParameters<typeof SeoulApiClient>[0]> = {}) =>
    new SeoulApiClient({ baseUrl, apiKey: KEY, retry: FAST_RETRY, timeoutMs: 10_000, ...options });

  before(async () => {
    baseUrl = await simulator.start();
  });
  after(() => simulator.stop());
  beforeEach(() => {
    simulator.setFaults([]);
    simulator.requests.length = 0;
  });

  it('fetches a place by code and returns its record verbatim', async () => {
    const result = await client().fetchPlace('POI072');
    assert.equal(result.status, 'ok');
    assert.deepEqual(result.status === 'ok' && result.record, simulator.recordFor(yeouido));
    assert.equal(result.attempts, 1);
  });

  it('can call the integrated citydata service with the same code', async () => {
    const result = await client({ service: 'citydata' }).fetchPlace('POI072');
    assert.equal(result.status === 'ok' && result.record.AREA_CD, 'POI072');
    assert.equal(simulator.requests[0]?.service, 'citydata');
  });

  it('records INFO-200 as no data, without retrying, in words of its own (the body is never quoted)', async () => {
    simulator.setFaults([{ kind: 'no-data', places: ['POI072'] }]);
    const result = await client().fetchPlace('POI072');
    assert.deepEqual(result, {
      status: 'no-data',
      reason: 'INFO-200: no data for this place',
      attempts: 1,
    });
    assert.equal(simulator.requests.length, 1);
  });

  it('throws on INFO-100 with a message that says how to get a key, and never the key', async () => {
    await assert.rejects(
      new SeoulApiClient({ baseUrl, apiKey: 'not-a-valid-key-93b1', retry: FAST_RETRY }).fetchPlace('POI072'),
      (error: unknown) =>
        error instanceof InvalidApiKeyError &&
        /data\.seoul\.go\.kr/.test(error.message) &&
        !error.message.includes('not-a-valid-key-93b1'),
    );
  });

  for (const kind of ['http-500', 'error-500', 'malformed-json', 'timeout'] as const) {
    it(`retries after ${kind} and succeeds when the API recovers`, async () => {
      simulator.setFaults([{ kind, places: ['POI072'], times: 2 }]);
      const result = await client(kind === 'timeout' ? { timeoutMs: 300 } : {}).fetchPlace('POI072');
      assert.equal(result.status, 'ok');
      assert.equal(result.attempts, 3);
      assert.equal(simulator.requests.length, 3);
    });
  }

  it('gives up after the last attempt, saying why', async () => {
    simulator.setFaults([{ kind: 'http-500', places: ['POI072'] }]);
    const result = await client().fetchPlace('POI072');
    assert.deepEqual(result, { status: 'failed', reason: 'HTTP 500 (after 3 attempts)', attempts: 3 });
  });

  it('bounds each request by its timeout', async () => {
    // The simulator never answers: only the request's own deadline can end each attempt, and the
    // reason names it (the deadline itself, on a clock the test controls: http-get.test.ts).
    simulator.setFaults([{ kind: 'timeout', places: ['POI072'] }]);
    const result = await client({ timeoutMs: 100 }).fetchPlace('POI072');
    assert.deepEqual(result, {
      status: 'failed',
      reason: 'timed out after 100 ms (after 3 attempts)',
      attempts: 3,
    });
  });

  it('rejects an answer for another place than asked, without retrying', async () => {
    simulator.setFaults([{ kind: 'wrong-place', places: ['POI072'] }]);
    const result = await client().fetchPlace('POI072');
    assert.deepEqual(result, { status: 'failed', reason: 'answer is for POI009, not POI072', attempts: 1 });
  });

  it('explains the sample key when it answers POI009 for another place', async () => {
    const result = await new SeoulApiClient({ baseUrl, apiKey: 'sample', retry: FAST_RETRY }).fetchPlace(
      'POI072',
    );
    assert.equal(result.status, 'failed');
    assert.match(
      result.status === 'failed' ? result.reason : '',
      /sample key answers POI009 for every place/,
    );
    const poi009 = await new SeoulApiClient({ baseUrl, apiKey: 'sample', retry: FAST_RETRY }).fetchPlace(
      'POI009',
    );
    assert.equal(poi009.status, 'ok');
  });

  it('does not retry a request error such as an unknown service', async () => {
    const result = await client({ service: 'nonexistent' as 'citydata' }).fetchPlace('POI072');
    assert.equal(result.status, 'failed');
    assert.match(result.status === 'failed' ? result.reason : '', /^ERROR-310/);
    assert.equal(simulator.requests.length, 1);
  });

  it('reports an unreachable API as a network error, with the key masked', async () => {
    const port = await closedPort();
    const secret = 'ZX-secret-key-0042';
    const result = await new SeoulApiClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: secret,
      retry: FAST_RETRY,
    }).fetchPlace('POI072');
    assert.equal(result.status, 'failed');
    assert.match(result.status === 'failed' ? result.reason : '', /^network error: .*ECONNREFUSED/);
    assert.equal(JSON.stringify(result).includes(secret), false);
  });

  it('never quotes an echoed message in a reason: the result code and its documented meaning only', async () => {
    const secret = 'echoed-secret-k3y';
    const echo: HttpGet = async (url) => ({
      status: 200,
      body: Buffer.from(
        JSON.stringify({ RESULT: { 'RESULT.CODE': 'ERROR-336', 'RESULT.MESSAGE': `bad ${url}` } }),
      ),
    });
    const result = await new SeoulApiClient({
      baseUrl,
      apiKey: secret,
      retry: FAST_RETRY,
      http: echo,
    }).fetchPlace('POI072');
    assert.equal(result.status, 'failed');
    assert.equal(result.status === 'failed' ? result.reason : '', 'ERROR-336: at most 1000 rows at a time');
    assert.equal(JSON.stringify(result).includes(secret), false);
  });

  it('waits with exponential back-off and full jitter between attempts', async () => {
    const waits: number[] = [];
    const fakeHttp: HttpGet = async () => ({ status: 503, body: Buffer.from('oops') });
    const random = [1, 0.5, 0.25];
    await new SeoulApiClient({
      baseUrl,
      apiKey: KEY,
      retry: { maxAttempts: 4, baseDelayMs: 40, maxDelayMs: 100 },
      http: fakeHttp,
      random: () => random.shift() ?? 0,
      sleep: async (ms) => void waits.push(ms),
    }).fetchPlace('POI072');
    // Ceilings 40, 80, 100 (capped) times the jitter 1, 0.5, 0.25: one wait between two attempts.
    assert.deepEqual(waits, [40, 40, 25]);
  });

  it('stops waiting between attempts when the run is aborted', async () => {
    const controller = new AbortController();
    const waits: number[] = [];
    const result = new SeoulApiClient({
      baseUrl,
      apiKey: KEY,
      retry: { maxAttempts: 4, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      http: async () => ({ status: 503, body: Buffer.from('oops') }),
      random: () => 1,
      sleep: (ms, signal) => {
        waits.push(ms);
        return new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        );
      },
    }).fetchPlace('POI072', controller.signal);
    while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('run stopped'));
    await assert.rejects(result, /run stopped/);
    assert.deepEqual(waits, [60_000], 'one wait, abandoned: no further attempt');
  });
});
