import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import type { Envelope } from '../../lambdas/core/envelope.js';
import { ConfigError, InvalidApiKeyError, RunFailedError } from '../../lambdas/core/errors.js';
import { KafkaError, KafkaTimeoutError } from '../../lambdas/core/kafka/kafka-error.js';
import { METRIC } from '../../lambdas/core/metric-names.js';
import { CATALOGUE_KEY, encodeCatalogue } from '../../lambdas/core/place-catalogue.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import {
  collectedAtOf,
  type FetcherDeps,
  fetcherSettingsFromEnv,
  runMetricsTimestamp,
  runScheduledCollection,
} from '../../lambdas/fetcher/scheduled-collection.js';
import { readParquet } from '../support/duckdb.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';

const KEY = 'fetcher-test-key';
const EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-07-16T14:20:00Z',
  region: 'ap-northeast-2',
  resources: ['arn:aws:events:ap-northeast-2:123456789012:rule/seoul-population-schedule'],
  detail: {},
};

describe('fetcher core (scheduled collection)', () => {
  const simulator = new ApiSimulator({ validKeys: [KEY], now: () => new Date('2026-07-16T14:35:00Z') });
  let baseUrl: string;
  const lakes: string[] = [];
  let store: LocalFolderStore;

  before(async () => {
    baseUrl = await simulator.start();
  });
  after(() => simulator.stop());
  beforeEach(async () => {
    simulator.setFaults([]);
    const lake = await mkdtemp(join(tmpdir(), 'fetcher-core-'));
    lakes.push(lake);
    store = new LocalFolderStore(lake);
  });

  const deps = (
    overrides: Partial<FetcherDeps> = {},
  ): FetcherDeps & { metrics: MemoryMetrics; log: MemoryLog } =>
    ({
      settings: {
        ...fetcherSettingsFromEnv({ SEOUL_API_BASE_URL: baseUrl }),
        concurrency: 16,
        // No test here waits on a deadline: a generous one keeps a loaded machine from failing places.
        requestTimeoutMs: 10_000,
      },
      apiKey: async () => KEY,
      publish: async (envelopes) => ({ published: envelopes.length, refused: [] }),
      store,
      log: new MemoryLog(),
      metrics: new MemoryMetrics(),
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      ...overrides,
    }) as FetcherDeps & { metrics: MemoryMetrics; log: MemoryLog };

  it('collects every place at the event time, publishes, then records outcomes, and reports metrics', async () => {
    const published: Envelope[] = [];
    let outcomesAtPublish: string[] | undefined;
    const d = deps({
      publish: async (envelopes) => {
        outcomesAtPublish = await store.list('collection_outcomes/');
        published.push(...envelopes);
        return { published: envelopes.length, refused: [] };
      },
    });
    const summary = await runScheduledCollection({ ...EVENT, time: '2026-07-16T14:20:07Z' }, d);

    assert.equal(published.length, 121);
    assert.ok(
      published.every((e) => e.collectedAt === '2026-07-16T14:20:00.000Z'),
      'collectedAt is the event time to the minute',
    );
    assert.deepEqual(
      outcomesAtPublish,
      [],
      'outcomes must be written only after the envelopes are published',
    );
    const outcomes = await store.list('collection_outcomes/');
    assert.deepEqual(outcomes, [
      `collection_outcomes/year=2026/month=07/day=16/hour=23/minute=20/${summary.runId}.parquet`,
    ]);
    assert.deepEqual(summary.places, { asked: 121, ok: 121, noData: 0, failed: 0 });
    assert.equal(summary.published, 121);
    assert.equal(summary.simulated, false);
    assert.equal(d.metrics.value(METRIC.runs), 1);
    assert.equal(d.metrics.value(METRIC.placesOk), 121);
    assert.equal(d.metrics.value(METRIC.placesNoData), 0);
    assert.equal(d.metrics.value(METRIC.placesFailed), 0);
    assert.equal(d.metrics.value(METRIC.recordsPublished), 121);
    assert.ok((d.metrics.value(METRIC.runDuration) ?? -1) >= 0);
    assert.equal(d.metrics.value(METRIC.runsFailed), undefined);
    assert.ok(!d.log.text().includes(KEY), 'the API key must never be logged');
  });

  it("stamps a scheduled run's metrics with its slot (the missed-run alarm pairs slots and runs by period)", async () => {
    const slot = new Date(Math.floor((Date.now() - 90_000) / 60_000) * 60_000);
    const d = deps({
      settings: { ...deps().settings, placeCodes: ALL_PLACES.slice(0, 2).map((p) => p.code) },
    });
    await runScheduledCollection({ ...EVENT, time: new Date(slot.getTime() + 7_000).toISOString() }, d);
    assert.equal(d.metrics.timestamp?.toISOString(), slot.toISOString());
    assert.equal(d.metrics.value(METRIC.runs), 1);

    const old = deps({
      settings: { ...deps().settings, placeCodes: ALL_PLACES.slice(0, 2).map((p) => p.code) },
    });
    await runScheduledCollection({ ...EVENT, time: '2026-07-16T14:20:07Z' }, old);
    assert.equal(old.metrics.timestamp, undefined, 'an old slot: recorded when the run ends');
  });

  it('stamps with the slot only within the hour before now and five minutes after', () => {
    const now = Date.parse('2026-07-16T15:00:30Z');
    const at = (iso: string) => runMetricsTimestamp(new Date(iso), now)?.toISOString();
    assert.equal(at('2026-07-16T15:00:00Z'), '2026-07-16T15:00:00.000Z');
    assert.equal(at('2026-07-16T14:00:30Z'), '2026-07-16T14:00:30.000Z', 'exactly an hour old');
    assert.equal(at('2026-07-16T15:05:30Z'), '2026-07-16T15:05:30.000Z', 'five minutes ahead');
    for (const outside of [
      '2026-07-16T14:00:29Z',
      '2026-07-16T15:05:31Z',
      '2026-07-01T15:00:00Z',
      '2027-01-01T00:00:00Z',
    ]) {
      assert.equal(at(outside), undefined, outside);
    }
  });

  it('fails the run when Kafka does not take the envelopes: places recorded failed, no success metrics', async () => {
    const d = deps({
      publish: async () => {
        throw new KafkaError(
          'cannot publish 121 envelope(s) to topic "t" at 127.0.0.1:1: Connection error: connect ECONNREFUSED',
        );
      },
    });
    await assert.rejects(runScheduledCollection(EVENT, d), KafkaError);
    const [outcomes] = await store.list('collection_outcomes/');
    const rows = await readParquet(
      join(store.location, outcomes as string),
      'SELECT DISTINCT status, reason FROM data',
    );
    assert.deepEqual(rows, [
      {
        status: 'failed',
        reason:
          'not published: cannot publish 121 envelope(s) to topic "t" at 127.0.0.1:1: Connection error: connect ECONNREFUSED',
      },
    ]);
    assert.equal(d.metrics.value(METRIC.runsFailed), 1);
    assert.equal(d.metrics.value(METRIC.runs), undefined);
    assert.equal(d.metrics.value(METRIC.recordsPublished), undefined);
    assert.ok(
      d.log.lines.some(
        (line) => line.level === 'error' && String(line.extra?.error).includes('ECONNREFUSED'),
      ),
    );
  });

  it('gives its publish the run\'s finish line; sent and not confirmed, every place fails "not confirmed" with the one reason the run throws', async () => {
    let given: AbortSignal | undefined;
    const silent = new KafkaTimeoutError(
      "121 envelope(s) sent, not confirmed: Kafka did not answer before the run's end (RUN_TIMEOUT_MS + 4 s)",
      true,
    );
    const d = deps({
      publish: async (_envelopes, wait) => {
        given = wait?.signal;
        throw silent;
      },
    });
    await assert.rejects(runScheduledCollection(EVENT, d), (error) => error === silent);
    assert.ok(given instanceof AbortSignal, 'the publish is given a signal');
    assert.equal(given.aborted, false, 'not aborted while the run is young');
    const [outcomes] = await store.list('collection_outcomes/');
    const rows = await readParquet(
      join(store.location, outcomes as string),
      'SELECT status, reason, count(*) AS places FROM data GROUP BY ALL',
    );
    assert.deepEqual(rows, [
      {
        status: 'failed',
        reason: `not confirmed: ${silent.message}; Kafka may still take them, then the writer writes their rows`,
        places: 121n,
      },
    ]);
    assert.equal(d.metrics.value(METRIC.runsFailed), 1);
    assert.equal(d.metrics.value(METRIC.runs), undefined);
  });

  it('fails the run when no place could be collected, after recording why', async () => {
    simulator.setFaults([{ kind: 'http-500' }]);
    const d = deps({
      settings: { ...deps().settings, placeCodes: ALL_PLACES.slice(0, 3).map((place) => place.code) },
    });
    await assert.rejects(runScheduledCollection(EVENT, d), (error: unknown) => {
      assert.ok(error instanceof RunFailedError);
      assert.match(
        error.message,
        /no place of run .* could be collected \(3 failed, 0 no data\); first failure: POI001 HTTP 500/,
      );
      return true;
    });
    assert.equal((await store.list('collection_outcomes/')).length, 1);
    assert.equal(d.metrics.value(METRIC.placesFailed), 3);
    assert.equal(d.metrics.value(METRIC.runsFailed), 1);
    assert.equal(d.metrics.value(METRIC.runs), undefined);
  });

  it('stops at once on a refused key', async () => {
    const d = deps({ apiKey: async () => 'wrong-key' });
    await assert.rejects(runScheduledCollection(EVENT, d), InvalidApiKeyError);
    assert.equal(d.metrics.value(METRIC.runsFailed), 1);
    assert.ok(!d.log.text().includes('wrong-key'));
  });

  it('uses the event time, to the minute, and refuses an event without one', () => {
    assert.equal(collectedAtOf({ time: '2026-07-16T14:40:59Z' }).toISOString(), '2026-07-16T14:40:00.000Z');
    assert.throws(
      () => collectedAtOf({}),
      (error: unknown) => error instanceof ConfigError && /EventBridge scheduled event/.test(error.message),
    );
    assert.throws(() => collectedAtOf({ time: 'yesterday' }), ConfigError);
    assert.throws(() => collectedAtOf(null), ConfigError);
  });

  it('reads its settings from the environment contract and refuses bad values', () => {
    const settings = fetcherSettingsFromEnv({
      PLACES: 'POI072,POI009',
      CONCURRENCY: '4',
      KAFKA_TOPIC: 'x.y',
      RUN_TIMEOUT_MS: '60000',
    });
    assert.deepEqual(settings.placeCodes, ['POI072', 'POI009']);
    assert.equal(settings.concurrency, 4);
    assert.equal(settings.topic, 'x.y');
    assert.equal(settings.runTimeoutMs, 60_000);
    assert.deepEqual(fetcherSettingsFromEnv({}).placeCodes, []);
    assert.equal(fetcherSettingsFromEnv({}).topic, 'seoul.citydata_ppltn');
    assert.throws(() => fetcherSettingsFromEnv({ CONCURRENCY: '0' }), /CONCURRENCY must be a whole number/);
    assert.throws(() => fetcherSettingsFromEnv({ PLACES: 'XYZ' }), /PLACES must be place codes/);
    assert.throws(() => fetcherSettingsFromEnv({ SEOUL_API_BASE_URL: 'ftp://x' }), /SEOUL_API_BASE_URL/);
  });

  it("registers the run's collection_outcomes partition once the outcomes file is written", async () => {
    const registered: { table: string; partitions: unknown[]; outcomesFiles: string[] }[] = [];
    const catalog = {
      registerPartitions: async (table: string, partitions: readonly unknown[]) => {
        registered.push({
          table,
          partitions: [...partitions],
          outcomesFiles: await store.list('collection_outcomes/'),
        });
      },
    };
    await runScheduledCollection(EVENT, deps({ catalog }));
    assert.deepEqual(
      registered.map(({ table, partitions }) => ({ table, partitions })),
      [
        {
          table: 'collection_outcomes',
          // 14:20 UTC is 23:20 KST: partitions are KST wall-clock folders, like the file's key.
          partitions: [{ year: '2026', month: '07', day: '16', hour: '23', minute: '20' }],
        },
      ],
    );
    assert.equal(registered[0]?.outcomesFiles.length, 1, 'registered only after the file exists');
    assert.match(registered[0]?.outcomesFiles[0] ?? '', /year=2026\/month=07\/day=16\/hour=23\/minute=20\//);
  });

  it('keeps a run that published when the catalog refuses the outcomes partition, and says so', async () => {
    const d = deps({
      catalog: {
        registerPartitions: async () => {
          throw new Error('AccessDeniedException: glue:BatchCreatePartition');
        },
      },
    });
    const summary = await runScheduledCollection(EVENT, d);
    assert.equal(summary.places.ok, ALL_PLACES.length);
    assert.equal(d.metrics.value(METRIC.runs), 1);
    const error = d.log.lines.find((line) => line.level === 'error');
    assert.match(error?.message ?? '', /collection_outcomes partition/);
    assert.match(JSON.stringify(error?.extra), /AccessDeniedException/);
  });

  it('asks for the places of the lake catalogue at each run: added ones, not retired ones, PLACES narrowing them', async () => {
    const added = { code: 'POI132', name: '새 공원', englishName: 'New Park', category: '공원' };
    const city = new ApiSimulator({
      validKeys: [KEY],
      now: () => new Date('2026-07-16T14:35:00Z'),
      places: [...ALL_PLACES, added],
    });
    const cityUrl = await city.start();
    try {
      const asked: string[][] = [];
      const d = deps({
        settings: { ...deps().settings, baseUrl: cityUrl },
        publish: async (envelopes) => {
          asked.push(envelopes.map((e) => e.place.code));
          return { published: envelopes.length, refused: [] };
        },
      });
      await runScheduledCollection(EVENT, d);
      assert.equal(asked[0]?.length, 121, 'no catalogue in the lake: the built-in places');
      const places = [
        ...ALL_PLACES.filter((p) => p.code !== 'POI005'),
        added,
        { ...(ALL_PLACES[4] as (typeof ALL_PLACES)[number]), retired: '2026-07-16T14:30:00Z' },
      ];
      await store.put(
        CATALOGUE_KEY,
        encodeCatalogue({ format: 1, source: 'test', places }),
        'application/json',
      );
      await runScheduledCollection({ ...EVENT, time: '2026-07-16T14:40:00Z' }, d);
      assert.equal(asked[1]?.length, 121);
      assert.ok(asked[1]?.includes('POI132') && !asked[1]?.includes('POI005'));
      const narrowed = deps({
        settings: { ...deps().settings, baseUrl: cityUrl, placeCodes: ['POI132', 'POI005', 'POI001'] },
        publish: d.publish,
      });
      await runScheduledCollection({ ...EVENT, time: '2026-07-16T15:00:00Z' }, narrowed);
      assert.deepEqual(asked[2]?.sort(), ['POI001', 'POI132'], 'a retired code of PLACES is left out');
      assert.ok(
        narrowed.log.lines.some((l) => l.level === 'warn' && JSON.stringify(l.extra).includes('POI005')),
      );
      const none = deps({ settings: { ...deps().settings, baseUrl: cityUrl, placeCodes: ['POI005'] } });
      await assert.rejects(
        runScheduledCollection(EVENT, none),
        /PLACES names no place of the place catalogue \(POI005\)/,
      );
    } finally {
      await city.stop();
    }
  });

  it('counts the answers carrying a field no table holds, and those lacking one a column reads', async () => {
    const city = new ApiSimulator({
      validKeys: [KEY],
      now: () => new Date('2026-07-16T14:35:00Z'),
      addedFields: { AREA_PPLTN_AVG: '45000' },
    });
    const cityUrl = await city.start();
    try {
      const d = deps({
        settings: { ...deps().settings, baseUrl: cityUrl, placeCodes: ['POI001', 'POI072'] },
      });
      const summary = await runScheduledCollection(EVENT, d);
      assert.equal(d.metrics.value(METRIC.apiFieldsUnknown), 2);
      assert.equal(d.metrics.value(METRIC.apiFieldsMissing), 0);
      assert.deepEqual(summary.drift?.unknown, { AREA_PPLTN_AVG: 2 });
      const warning = d.log.lines.find(
        (line) => line.level === 'warn' && /no table holds/.test(line.message),
      );
      assert.deepEqual(warning?.extra?.fields, { AREA_PPLTN_AVG: 2 });
    } finally {
      await city.stop();
    }
    const plain = deps({ settings: { ...deps().settings, placeCodes: ['POI001'] } });
    await runScheduledCollection(EVENT, plain);
    assert.equal(
      plain.metrics.value(METRIC.apiFieldsUnknown),
      0,
      'the metric is there, zero, when nothing drifts',
    );
  });

  after(async () => {
    for (const lake of lakes) await rm(lake, { recursive: true, force: true });
  });
});
