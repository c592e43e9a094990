import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RUN_FINISH_MARGIN_MS, runOnce } from '../../lambdas/cli/pipeline/runner.js';
import { KafkaTransport } from '../../lambdas/cli/transport/kafka-transport.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { selectPlaces } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { spawnCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';
import { HostileApi } from '../support/hostile-api.js';
import { MemoryLog } from '../support/memory-log.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';

/**
 * A broker that stops answering without dying: SIGSTOP on the real broker, so its port still
 * accepts connections (the kernel completes the handshake) and requests are never answered. Before
 * the run, during the collection, after the publish and for a moment only: each time the run ends
 * within RUN_TIMEOUT_MS + 10 s, every place is accounted for (now, or by the next start), and the
 * messages agree with each other.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'paused-broker-key-8e41';
const RUN_TIMEOUT_MS = 8_000;
const MARGIN_MS = 10_000;
const PLACES = ['POI001', 'POI002', 'POI003', 'POI004', 'POI005', 'POI006'];

function brokerPid(): number {
  const folder = process.env.KAFKA_RUN_DIR ?? join(ROOT, '.cache/kafka/run');
  return Number(readFileSync(join(folder, 'broker.pid'), 'utf8').trim());
}
const pause = () => process.kill(brokerPid(), 'SIGSTOP');
const resume = () => process.kill(brokerPid(), 'SIGCONT');

interface Ended {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From the run's start (its `run started` log line) to the process's exit, ms; undefined if no run started. */
  readonly runToExitMs: number | undefined;
  /** From spawning to the process's exit, ms. */
  readonly totalMs: number;
}

/** `npm start -- --once` as a process, timed by its own log (JSON lines on stderr). */
function startOnce(env: Record<string, string>, lake: string, onSpawned?: () => void): Promise<Ended> {
  return new Promise((resolve) => {
    const spawned = Date.now();
    const child = spawnCli(['start', '--once', '--places', PLACES.join(','), '--lake', lake], env);
    onSpawned?.();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const hung = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (status) => {
      clearTimeout(hung);
      const exited = Date.now();
      const started = stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { message: string; time: string })
        .find((entry) => entry.message === 'run started');
      resolve({
        status,
        stdout,
        stderr,
        runToExitMs: started ? exited - Date.parse(started.time) : undefined,
        totalMs: exited - spawned,
      });
    });
  });
}

describe(`a paused Kafka broker (RUN_TIMEOUT_MS=${RUN_TIMEOUT_MS})`, () => {
  const { brokers } = integrationEnvironment();
  let onRequest: (() => void) | undefined;
  const api = new HostileApi({
    key: KEY,
    now: () => new Date(Date.now() - 25 * 60_000),
    plan: () => {
      onRequest?.();
      onRequest = undefined;
      return 'ok';
    },
  });
  let env: Record<string, string>;
  const ended: string[] = [];

  before(async () => {
    env = {
      SEOUL_API_KEY: KEY,
      SEOUL_API_BASE_URL: await api.start(),
      KAFKA_BROKERS: brokers.join(','),
      REQUEST_TIMEOUT_MS: '2000',
      RUN_TIMEOUT_MS: String(RUN_TIMEOUT_MS),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
  });
  // Whatever a test did, the broker answers again for the next one.
  afterEach(() => resume());
  after(async () => {
    resume();
    await api.stop();
    process.stdout.write(`# paused broker: ${ended.join('; ')}\n`);
  });

  it('paused before the command starts: it ends with one clear message, exit 1, no run started', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'paused-before-'));
    pause();
    const run = await startOnce({ ...env, KAFKA_TOPIC: uniqueName('seoul.paused') }, lake);
    resume();
    ended.push(`before the start: exit ${run.status} after ${run.totalMs} ms from spawn`);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.runToExitMs, undefined, 'no run started');
    assert.match(run.stderr, /Kafka at 127\.0\.0\.1:\d+ did not answer within 15 s/);
    assert.doesNotMatch(run.stderr, /stay in Kafka/);
    assert.ok(!existsSync(join(lake, 'collection_outcomes')), 'nothing asked, nothing recorded');
    // Opening is bounded (15 s), plus starting and closing the process.
    assert.ok(run.totalMs < 15_000 + MARGIN_MS + 5_000, `${run.totalMs} ms`);
  });

  it('paused during the collection: the run ends within RUN_TIMEOUT_MS + 10 s, its answers wait, the next start settles every place', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'paused-during-'));
    const topic = uniqueName('seoul.paused');
    api.tag = 'during';
    onRequest = pause;
    const run = await startOnce({ ...env, KAFKA_TOPIC: topic }, lake);
    resume();
    ended.push(
      `during the collection: exit ${run.status}, ${run.runToExitMs} ms from the run's start to exit`,
    );
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    assert.ok(
      run.runToExitMs !== undefined && run.runToExitMs <= RUN_TIMEOUT_MS + MARGIN_MS,
      `${run.runToExitMs} ms`,
    );
    // One story: the answers were sent and are waiting; nothing says they failed to publish.
    assert.match(run.stdout, /places: 6 ok, 0 no data, 0 failed \(of 6\)/);
    assert.match(
      run.stdout,
      /waiting: 6 answer\(s\) not yet in the lake \(6 envelope\(s\) sent, not confirmed: Kafka did not answer before the run's end \(RUN_TIMEOUT_MS \+ 4 s\); the next start writes what Kafka took and records the rest as failed\)/,
    );
    assert.doesNotMatch(run.stdout + run.stderr, /cannot publish|not published/);
    assert.ok(
      existsSync(join(lake, '_pending_runs')) && readdirSync(join(lake, '_pending_runs')).length === 1,
    );

    api.tag = 'next start';
    const next = await startOnce({ ...env, KAFKA_TOPIC: topic }, lake);
    assert.equal(next.status, 0, `${next.stdout}\n${next.stderr}`);
    assert.match(next.stderr, /unfinished run \S+ settled: \d+ place\(s\) ok, \d+ failed/);
    const outcomes = await readParquet(`${lake}/collection_outcomes/**/*.parquet`);
    const rows = await readParquet(`${lake}/population/**/*.parquet`);
    const runs = [...new Set(outcomes.map((o) => String(o.run_id)))];
    assert.equal(runs.length, 2);
    for (const runId of runs) {
      const mine = outcomes.filter((o) => o.run_id === runId);
      assert.deepEqual(mine.map((o) => o.area_code).sort(), PLACES, `${runId}: one outcome per place`);
      for (const outcome of mine) {
        const stored = rows.filter((r) => r.run_id === runId && r.area_code === outcome.area_code).length;
        if (outcome.status === 'ok') assert.equal(stored, 1, `${runId} ${outcome.area_code}: ok has its row`);
        else
          assert.ok(
            stored === 0 && outcome.reason,
            `${runId} ${outcome.area_code}: failed, with a reason, no row`,
          );
      }
    }
  });

  it('paused after the publish, and paused for a moment only: in process, over the same transport', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'paused-after-'));
    const log = new MemoryLog();
    const store = new LocalFolderStore(lake);
    const transport = await KafkaTransport.open({
      brokers,
      topic: uniqueName('seoul.paused'),
      groupId: uniqueName('paused-writer'),
      log,
      deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
    });
    const places = selectPlaces(PLACES);
    const deps = {
      client: new SeoulApiClient({ baseUrl: api.baseUrl, apiKey: KEY, timeoutMs: 2_000, log }),
      places,
      transport,
      store,
      log,
      concurrency: 4,
      runTimeoutMs: RUN_TIMEOUT_MS,
      simulated: false,
    };
    try {
      // After the publish: the broker took the answers, then stopped before the writer had them.
      const publish = transport.publish.bind(transport);
      transport.publish = async (envelopes, options) => {
        const outcome = await publish(envelopes, options);
        pause();
        return outcome;
      };
      let started = Date.now();
      api.tag = 'after the publish';
      const waiting = await runOnce(deps, new Date(Math.floor(Date.now() / 60_000) * 60_000));
      const took = Date.now() - started;
      ended.push(`after the publish: ${took} ms from the run's start to its summary`);
      assert.ok(took <= RUN_TIMEOUT_MS + RUN_FINISH_MARGIN_MS + 1_000, `${took} ms`);
      assert.equal(waiting.published, 6);
      assert.match(
        waiting.waiting?.reason ?? '',
        /Kafka did not answer before the run's end .*; they stay in Kafka, the next start writes them$/,
      );
      transport.publish = publish;
      resume();
      // Answering again: the next drain writes them, and the next run settles the waiting one.
      api.tag = 'resumed';
      started = Date.now();
      const after = await runOnce(deps, new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000));
      assert.equal(after.waiting, undefined);
      const outcomes = await readParquet(`${lake}/collection_outcomes/**/*.parquet`);
      assert.equal(outcomes.length, 12);
      assert.ok(
        outcomes.every((o) => o.status === 'ok'),
        JSON.stringify(outcomes.map((o) => o.reason)),
      );
      assert.equal((await readParquet(`${lake}/population/**/*.parquet`)).length, 12);

      // Paused for a moment, less than what the run may wait: nothing to see, the run completes.
      api.tag = 'a moment';
      onRequest = () => {
        pause();
        setTimeout(resume, 1_500);
      };
      const brief = await runOnce(deps, new Date(Math.floor(Date.now() / 60_000) * 60_000 + 120_000));
      assert.equal(brief.waiting, undefined);
      assert.equal(brief.places.ok, 6);
      assert.equal(brief.written?.populationRows, 6);
    } finally {
      resume();
      await transport.close();
    }
  });
});
