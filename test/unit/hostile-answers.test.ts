import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { collectRun } from '../../lambdas/core/collector.js';
import { findPlace, type Place, selectPlaces } from '../../lambdas/core/places.js';
import { type PlaceFetch, SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { HostileApi, type HostileMode } from '../support/hostile-api.js';
import { MemoryLog } from '../support/memory-log.js';

const KEY = 'Hostile-Key-7c1e5a9b';
const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
const FIVE = selectPlaces(['POI001', 'POI002', 'POI003', 'POI004', 'POI005']);

/** Every answer mode the collector must survive, against a real HTTP server on 127.0.0.1. */
describe('the API client against a hostile server', () => {
  const api = new HostileApi({ key: KEY, now: () => new Date('2026-07-16T14:35:00Z') });
  let baseUrl: string;
  let log: MemoryLog;
  // A generous deadline where the deadline is not what a test is about: a loaded machine must not
  // turn a refused or decoded answer into a timeout. The deadline tests give their own.
  const client = (options: Partial<ConstructorParameters<typeof SeoulApiClient>[0]> = {}) =>
    new SeoulApiClient({ baseUrl, apiKey: KEY, retry: RETRY, timeoutMs: 10_000, log, ...options });
  const only = (place: string, mode: HostileMode) => {
    api.plan = (request) => (request.place === place ? mode : 'ok');
  };
  const reasonOf = (result: PlaceFetch) => (result.status === 'ok' ? '' : result.reason);

  before(async () => {
    baseUrl = await api.start();
  });
  after(() => api.stop());
  beforeEach(() => {
    api.tag = String(Math.random());
    api.plan = () => 'ok';
    log = new MemoryLog();
  });

  it('ends a request whose body lies about its gzip encoding, with a reason', async () => {
    only('POI001', 'gzip-lie');
    const result = await client().fetchPlace('POI001');
    assert.equal(result.status, 'failed');
    assert.match(reasonOf(result), /Content-Encoding/);
    // The next request on the same client is not stuck behind it.
    assert.equal((await client().fetchPlace('POI002')).status, 'ok');
  });

  it('a run with one such place: the other four are collected, that one fails with a reason', async () => {
    only('POI003', 'gzip-lie');
    const result = await collectRun({
      client: client(),
      places: FIVE,
      runId: 'r',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      runTimeoutMs: 5_000,
      log,
    });
    assert.deepEqual(
      result.outcomes.map((o) => [o.code, o.status]),
      [
        ['POI001', 'ok'],
        ['POI002', 'ok'],
        ['POI003', 'failed'],
        ['POI004', 'ok'],
        ['POI005', 'ok'],
      ],
    );
    assert.match(result.outcomes[2]?.reason ?? '', /Content-Encoding/);
    assert.equal(result.envelopes.length, 4);
  });

  it('ends a body that stalls half way, and an answer that never comes, by the deadline', async () => {
    // Only the request's deadline can end these (the server never finishes), and the reason names
    // it; the deadline's timing itself is tested on a clock the test controls (http-get.test.ts).
    for (const mode of ['stall-body', 'timeout'] as const) {
      only('POI001', mode);
      const result = await client({ timeoutMs: 200 }).fetchPlace('POI001');
      assert.equal(reasonOf(result), 'timed out after 200 ms (after 2 attempts)', mode);
    }
  });

  it('refuses an answer over the size ceiling without reading it all', async () => {
    only('POI001', 'oversized');
    const result = await client({ maxAnswerBytes: 1_048_576 }).fetchPlace('POI001');
    assert.equal(result.status, 'failed');
    assert.match(reasonOf(result), /answer larger than the 1048576-byte ceiling/);
  });

  it('takes an answer just under the ceiling', async () => {
    only('POI001', 'near-limit');
    const result = await client({ maxAnswerBytes: 1_048_576 }).fetchPlace('POI001');
    assert.equal(result.status, 'ok');
  });

  it('masks the key wherever the server echoes it: wrong place, record fields, parse errors, logs', async () => {
    const results: PlaceFetch[] = [];
    for (const mode of ['echo-key-everywhere', 'echo-key-message', 'echo-key-error'] as const) {
      only('POI001', mode);
      results.push(await client({ log }).fetchPlace('POI001'));
    }
    assert.equal(results[0]?.status, 'failed');
    assert.match(reasonOf(results[0] as PlaceFetch), /^answer is for another place, not POI001/);
    assert.equal(results[1]?.status, 'ok');
    assert.match(
      String(results[1]?.status === 'ok' && results[1].record.AREA_CONGEST_MSG),
      /^\*\*\* .* \*\*\*$/,
    );
    assert.equal(results[2]?.status, 'failed');
    assert.match(reasonOf(results[2] as PlaceFetch), /unparseable JSON body/);
    const everything = JSON.stringify(results) + log.text();
    assert.equal(everything.includes(KEY), false, 'the key leaked');
    assert.equal(everything.includes(encodeURIComponent(KEY)), false);
  });

  it('keeps a multi-record answer whole and uses the record of the place asked', async () => {
    only('POI005', 'multi-record');
    const result = await client().fetchPlace('POI005');
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok') return;
    assert.equal(result.record.AREA_CD, 'POI005');
    assert.match(result.answer?.notes[0] ?? '', /answer holds 2 place records/);
    const body = JSON.parse(result.answer?.body ?? '{}');
    assert.deepEqual(
      body['SeoulRtd.citydata_ppltn'].map((r: Record<string, unknown>) => r.AREA_CD),
      ['POI009', 'POI005'],
    );
  });

  it('keeps an answer with invalid UTF-8 as received (base64) and says so', async () => {
    only('POI001', 'bad-utf8');
    const result = await client().fetchPlace('POI001');
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok') return;
    assert.equal(result.answer?.encoding, 'base64');
    assert.match(result.answer?.notes.join() ?? '', /not valid UTF-8/);
    const bytes = Buffer.from(result.answer?.body ?? '', 'base64');
    assert.ok(bytes.includes(Buffer.from([0xc3, 0x28, 0xff])), 'the bytes as received');
  });

  it('one place answering INFO-100 keeps what was collected and does not ask the rest', async () => {
    const places = selectPlaces(['POI001', 'POI002', 'POI003', 'POI004', 'POI005', 'POI006']);
    api.plan = (request) => (request.place === 'POI003' ? 'info-100' : 'ok');
    const result = await collectRun({
      client: client(),
      places,
      runId: 'r',
      collectedAt: new Date('2026-07-16T14:20:00Z'),
      concurrency: 1,
      log,
    });
    assert.ok(result.keyRefused, 'the refusal is reported');
    assert.deepEqual(
      result.outcomes.map((o) => o.status),
      ['ok', 'ok', 'failed', 'failed', 'failed', 'failed'],
    );
    assert.equal(result.outcomes[2]?.reason, 'the API refused the key (INFO-100)');
    assert.equal(result.outcomes[3]?.reason, 'not asked: the API refused the key (INFO-100)');
    assert.deepEqual(
      result.envelopes.map((e) => e.place.code),
      ['POI001', 'POI002'],
    );
    assert.ok(log.lines.some((line) => line.level === 'error' && /refused the key/.test(line.message)));
  });

  it('reads answers given with a real gzip encoding', async () => {
    const place = findPlace('POI001') as Place;
    const { gzipSync } = await import('node:zlib');
    const body = JSON.stringify({
      'SeoulRtd.citydata_ppltn': [api.recordFor(place)],
      RESULT: { 'RESULT.CODE': 'INFO-000' },
    });
    const { createServer } = await import('node:http');
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end(gzipSync(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const result = await client({ baseUrl: `http://127.0.0.1:${port}` }).fetchPlace('POI001');
      assert.equal(result.status, 'ok');
    } finally {
      server.close();
    }
  });
});
