import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { Kafka } from 'kafkajs';
import { kafkaConfigFor } from '../../lambdas/core/kafka/connection.js';
import { KafkaTimeoutError } from '../../lambdas/core/kafka/kafka-error.js';
import { ensureTopic } from '../../lambdas/core/kafka/topic-admin.js';
import { METRIC } from '../../lambdas/core/metric-names.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import { kafkaPublish } from '../../lambdas/fetcher/kafka-publish.js';
import {
  fetcherSettingsFromEnv,
  runScheduledCollection,
} from '../../lambdas/fetcher/scheduled-collection.js';
import { HostileApi } from '../support/hostile-api.js';
import { revealsKey } from '../support/key-spellings.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryMetrics } from '../support/memory-metrics.js';
import { SilentNetwork } from '../support/silent-network.js';
import { createBucket, listKeys, readParquetFromS3 } from './support/aws.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';

/**
 * The fetcher's side of issue 18, item 8: the Lambda fetcher's run (its core and its Kafka publish,
 * as the handler wires them) against a real broker that stops answering without dying, paused
 * with SIGSTOP or behind a network that stops carrying traffic. The run ends within RUN_TIMEOUT_MS
 * plus the documented margin (10 s), throws one error, and records every place as failed with the
 * same reason in its collection_outcomes file: none is reported collected, none is left out.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KAFKA_SH = join(ROOT, 'test/integration/env/kafka.sh');
const KEY = 'fx4Rk8PqW2nZ7tLm';
const RUN_TIMEOUT_MS = 10_000;
/** The documented margin (docs/how-a-run-works.md, "A broker that stops answering"). */
const MARGIN_MS = 10_000;
const PLACES = ['POI001', 'POI002', 'POI003', 'POI004'];
const SLOT = '2026-07-16T14:20:00Z';

const broker = (command: 'pause' | 'continue') =>
  execFileSync('bash', [KAFKA_SH, command], { stdio: ['ignore', 'ignore', 'ignore'] });

describe(`the fetcher against a Kafka broker that stops answering (RUN_TIMEOUT_MS=${RUN_TIMEOUT_MS})`, () => {
  const { brokers } = integrationEnvironment();
  let onRequest: (() => void) | undefined;
  const api = new HostileApi({
    key: KEY,
    now: () => new Date(Date.parse(SLOT) + 5 * 60_000),
    plan: () => {
      onRequest?.();
      onRequest = undefined;
      return 'ok';
    },
  });
  const figures: string[] = [];
  let baseUrl: string;

  before(async () => {
    baseUrl = await api.start();
  });
  after(async () => {
    broker('continue');
    await api.stop();
    process.stdout.write(`# ${figures.join('\n# ')}\n`);
  });

  /** One scheduled run through the fetcher's core and publish; what it threw, wrote and reported. */
  async function fetcherRun(kafkaFor?: (config: ReturnType<typeof kafkaConfigFor>) => Kafka) {
    const topic = uniqueName('seoul.paused-fetcher');
    const bucket = uniqueName('lake');
    await createBucket(bucket);
    const log = new MemoryLog();
    const metrics = new MemoryMetrics();
    const admin = new Kafka(
      kafkaConfigFor({ brokers, auth: { kind: 'plain' } }, { clientId: 'paused-fetcher-setup', log }),
    );
    await ensureTopic(admin, { topic, numPartitions: 3 }, log);
    const publish = kafkaPublish(
      { brokers },
      topic,
      log,
      kafkaFor
        ? (endpoint) => kafkaFor(kafkaConfigFor(endpoint, { clientId: 'seoul-population-fetcher', log }))
        : undefined,
    );
    const started = Date.now();
    let thrown: unknown;
    try {
      await runScheduledCollection(
        { time: SLOT },
        {
          settings: fetcherSettingsFromEnv({
            SEOUL_API_BASE_URL: baseUrl,
            PLACES: PLACES.join(','),
            REQUEST_TIMEOUT_MS: '2000',
            RUN_TIMEOUT_MS: String(RUN_TIMEOUT_MS),
          }),
          apiKey: async () => KEY,
          publish,
          store: new S3ObjectStore(new S3Client({}), bucket),
          log,
          metrics,
        },
      );
    } catch (error) {
      thrown = error;
    }
    const tookMs = Date.now() - started;
    const keys = await listKeys(bucket, 'collection_outcomes/');
    const outcomes = await readParquetFromS3(bucket, keys);
    return { thrown, tookMs, outcomes, keys, metrics, log };
  }

  /** Ended in time, one error, every place failed with that error's reason, no key anywhere. */
  function assertAccountedFor(run: Awaited<ReturnType<typeof fetcherRun>>, what: string): void {
    figures.push(`fetcher, ${what}: the run threw after ${run.tookMs} ms (RUN_TIMEOUT_MS ${RUN_TIMEOUT_MS})`);
    assert.ok(run.tookMs <= RUN_TIMEOUT_MS + MARGIN_MS, `${run.tookMs} ms`);
    assert.ok(run.thrown instanceof KafkaTimeoutError, String(run.thrown));
    assert.equal(run.thrown.unconfirmed, true);
    assert.match(
      run.thrown.message,
      /^4 envelope\(s\) sent, not confirmed: Kafka did not answer before the run's end \(RUN_TIMEOUT_MS \+ 4 s\)$/,
    );
    assert.equal(run.keys.length, 1, 'one collection_outcomes file');
    assert.deepEqual(run.outcomes.map((o) => o.area_code).sort(), PLACES, 'one outcome per place');
    for (const outcome of run.outcomes) {
      assert.equal(outcome.status, 'failed', String(outcome.area_code));
      // One story: the place's reason is the run's error, and says what may still happen.
      assert.equal(
        outcome.reason,
        `not confirmed: ${run.thrown.message}; Kafka may still take them, then the writer writes their rows`,
      );
    }
    assert.equal(run.metrics.value(METRIC.runsFailed), 1);
    assert.equal(run.metrics.value(METRIC.runs), undefined);
    const everything = JSON.stringify([run.log.lines, run.outcomes, String(run.thrown)]);
    assert.equal(revealsKey(everything, KEY), undefined, 'the key shows in the log, outcomes or error');
  }

  it('paused (SIGSTOP) during the collection: the run throws within RUN_TIMEOUT_MS + 10 s, every place failed "not confirmed"', async () => {
    onRequest = () => broker('pause');
    let run: Awaited<ReturnType<typeof fetcherRun>>;
    try {
      run = await fetcherRun();
    } finally {
      broker('continue');
    }
    assertAccountedFor(run, 'broker paused');
  });

  it('traffic dropped during the collection (the broker runs on): the same end, in the same time', async () => {
    const network = new SilentNetwork();
    onRequest = () => network.silence();
    try {
      const run = await fetcherRun(
        (config) => new Kafka({ ...config, socketFactory: network.socketFactory }),
      );
      assertAccountedFor(run, 'traffic dropped');
    } finally {
      network.heal();
      await network.close();
    }
  });
});
