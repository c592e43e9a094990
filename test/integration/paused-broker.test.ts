import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka } from 'kafkajs';
import {
  finishLocalRuns,
  type LocalRunDeps,
  recoverUnfinishedRuns,
  runOnce,
} from '../../lambdas/cli/pipeline/runner.js';
import { KafkaTransport } from '../../lambdas/cli/transport/kafka-transport.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { kafkaConfigFor } from '../../lambdas/core/kafka/connection.js';
import { selectPlaces } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { spawnCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';
import { HostileApi } from '../support/hostile-api.js';
import { revealsKey } from '../support/key-spellings.js';
import { MemoryLog } from '../support/memory-log.js';
import { SilentNetwork } from '../support/silent-network.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';

/**
 * A broker that stops answering without dying (issue 18, item 8). Paused with SIGSTOP
 * (`kafka.sh pause`): its port still accepts connections (the kernel completes the handshake) and
 * no request is ever answered. Or the traffic dropped: a network between client and broker that
 * stops carrying bytes while the broker runs on. Before the command, during the collection, after
 * the publish, for a moment only, and behind a silent network: each time the run ends within
 * RUN_TIMEOUT_MS + 10 s, every place is accounted for (now, or by the next start: never both a row
 * and a failure, never neither), the messages tell one story, and the key is in no output.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KAFKA_SH = join(ROOT, 'test/integration/env/kafka.sh');
const KEY = 'pb7Qx2LmZ9kR4tWv';
const RUN_TIMEOUT_MS = 30_000;
/** The documented margin (docs/how-a-run-works.md, "A broker that stops answering"). */
const MARGIN_MS = 10_000;
const PLACES = ['POI001', 'POI002', 'POI003', 'POI004', 'POI005', 'POI006'];

const broker = (command: 'pause' | 'continue') =>
  execFileSync('bash', [KAFKA_SH, command], { stdio: ['ignore', 'ignore', 'ignore'] });
const pause = () => broker('pause');
const resume = () => broker('continue');

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
function startOnce(env: Record<string, string>, lake: string): Promise<Ended> {
  return new Promise((resolve) => {
    const spawned = Date.now();
    const child = spawnCli(['start', '--once', '--places', PLACES.join(','), '--lake', lake], env);
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

/** Every run of the lake: one outcome per place; ok with exactly its row, failed with a reason and no row. */
async function assertEveryPlaceAccountedFor(lake: string, runs: number): Promise<void> {
  const outcomes = await readParquet(`${lake}/collection_outcomes/**/*.parquet`);
  // No table at all when no answer reached the lake (every place then fails with its reason).
  const rows = existsSync(join(lake, 'population'))
    ? await readParquet(`${lake}/population/**/*.parquet`)
    : [];
  const runIds = [...new Set(outcomes.map((o) => String(o.run_id)))];
  assert.equal(runIds.length, runs, `runs with outcomes: ${runIds.join(', ')}`);
  for (const runId of runIds) {
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
  for (const row of rows)
    assert.ok(runIds.includes(String(row.run_id)), `row of run ${row.run_id} has outcomes`);
  assert.ok(
    !existsSync(join(lake, '_pending_runs')) || readdirSync(join(lake, '_pending_runs')).length === 0,
  );
}

function assertNoKey(text: string, what: string): void {
  assert.equal(revealsKey(text, KEY), undefined, `${what} shows part of the key`);
}

describe(`a Kafka broker that stops answering without dying (RUN_TIMEOUT_MS=${RUN_TIMEOUT_MS})`, () => {
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
  const figures: string[] = [];

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
  after(async () => {
    resume();
    await api.stop();
    process.stdout.write(`# ${figures.join('\n# ')}\n`);
  });

  it('paused before the command starts: exit 1 within the 15 s the broker has to answer, one clear message, no run', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'paused-before-'));
    let run: Ended;
    pause();
    try {
      run = await startOnce({ ...env, KAFKA_TOPIC: uniqueName('seoul.paused') }, lake);
    } finally {
      resume();
    }
    figures.push(`paused before the start: exit ${run.status}, ${run.totalMs} ms from spawn to exit`);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.runToExitMs, undefined, 'no run started');
    assert.match(run.stderr, /error: Kafka at 127\.0\.0\.1:\d+ did not answer within 15 s/);
    assert.doesNotMatch(run.stderr, /stay in Kafka|not published/);
    assert.ok(!existsSync(join(lake, 'collection_outcomes')), 'nothing asked, nothing recorded');
    assert.equal(api.served.filter((s) => s.tag === '').length, 0, 'no place asked');
    // 15 s to answer, the goodbye (1 s), and the process's own start and exit.
    assert.ok(run.totalMs < 15_000 + MARGIN_MS, `${run.totalMs} ms`);
    assertNoKey(run.stdout + run.stderr, 'the output');
  });

  it('paused during the collection: the command ends within RUN_TIMEOUT_MS + 10 s, exit 1, its answers wait; the next start settles every place', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'paused-during-'));
    const topic = uniqueName('seoul.paused');
    api.tag = 'during';
    onRequest = pause;
    let run: Ended;
    try {
      run = await startOnce({ ...env, KAFKA_TOPIC: topic }, lake);
    } finally {
      resume();
    }
    figures.push(
      `paused during the collection: exit ${run.status}, ${run.runToExitMs} ms from the run's start to exit (RUN_TIMEOUT_MS ${RUN_TIMEOUT_MS}), ${run.totalMs} ms from spawn`,
    );
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    assert.ok(
      run.runToExitMs !== undefined && run.runToExitMs <= RUN_TIMEOUT_MS + MARGIN_MS,
      `${run.runToExitMs} ms`,
    );
    // One story: every place answered, the answers were sent and wait; nothing says they failed
    // to publish, nothing promises they are in Kafka.
    assert.match(run.stdout, /places: 6 ok, 0 no data, 0 failed \(of 6\)/, run.stderr);
    assert.match(
      run.stdout,
      /waiting: 6 answer\(s\) not yet in the lake \(6 envelope\(s\) sent, not confirmed: Kafka (did not answer before the run's end \(RUN_TIMEOUT_MS \+ 4 s\)|at 127\.0\.0\.1:\d+ did not answer within its request timeout); the next start writes what Kafka took and records the rest as failed\)/,
    );
    assert.doesNotMatch(run.stdout + run.stderr, /cannot publish|not published|stay in Kafka/);
    // kafkajs' harmless negative timer is no message for a person (lambdas/cli/node-warnings.ts).
    assert.doesNotMatch(run.stderr, /TimeoutNegativeWarning/);
    assert.equal(readdirSync(join(lake, '_pending_runs')).length, 1, 'the run stays noted');
    assert.ok(!existsSync(join(lake, 'collection_outcomes')), 'no outcome before the answers are known');
    assertNoKey(run.stdout + run.stderr, 'the output');

    api.tag = 'next start';
    const next = await startOnce({ ...env, KAFKA_TOPIC: topic }, lake);
    assert.equal(next.status, 0, `${next.stdout}\n${next.stderr}`);
    assert.match(next.stderr, /unfinished run \S+ settled: \d+ place\(s\) ok, \d+ failed/);
    assertNoKey(next.stdout + next.stderr, "the next start's output");
    await assertEveryPlaceAccountedFor(lake, 2);
  });

  describe('in process, over the same transport', () => {
    const runDeps = async (
      lake: string,
      { kafka, log = new MemoryLog() }: { kafka?: Kafka; log?: MemoryLog } = {},
    ) => {
      const store = new LocalFolderStore(lake);
      const topic = uniqueName('seoul.paused');
      const groupId = uniqueName('paused-writer');
      const transport = await KafkaTransport.open({
        brokers,
        topic,
        groupId,
        log,
        deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
        ...(kafka ? { kafka } : {}),
      });
      const deps: LocalRunDeps = {
        client: new SeoulApiClient({ baseUrl: api.baseUrl, apiKey: KEY, timeoutMs: 2_000, log }),
        places: selectPlaces(PLACES),
        transport,
        store,
        log,
        concurrency: 4,
        runTimeoutMs: RUN_TIMEOUT_MS,
        simulated: false,
      };
      return { deps, transport, log, topic, groupId };
    };
    let minute = Math.floor(Date.now() / 60_000) * 60_000;
    const nextSlot = () => {
      minute += 60_000;
      return new Date(minute);
    };

    it('paused after the publish, then for a moment only: waiting, then written and settled; a moment changes nothing', async () => {
      const lake = mkdtempSync(join(tmpdir(), 'paused-after-'));
      const { deps, transport, log } = await runDeps(lake);
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
        const waiting = await runOnce(deps, nextSlot());
        const took = Date.now() - started;
        transport.publish = publish;
        resume();
        figures.push(`paused after the publish: ${took} ms from the run's start to its summary`);
        assert.ok(took <= RUN_TIMEOUT_MS + MARGIN_MS, `${took} ms`);
        assert.equal(waiting.published, 6);
        assert.match(
          waiting.waiting?.reason ?? '',
          /^not written to the lake: Kafka .*did not answer.*; they stay in Kafka, the next start writes them$/,
        );

        // Answering again: the next drain writes them, and the next run settles the waiting one.
        api.tag = 'resumed';
        started = Date.now();
        const after = await runOnce(deps, nextSlot());
        assert.equal(after.waiting, undefined);

        // Paused for a moment, less than what the run may wait: nothing to see, the run completes.
        api.tag = 'a moment';
        onRequest = () => {
          pause();
          setTimeout(resume, 1_500);
        };
        const brief = await runOnce(deps, nextSlot());
        assert.equal(brief.waiting, undefined);
        assert.equal(brief.places.ok, 6);
        assert.equal(brief.written?.rows.population, 6);
        await assertEveryPlaceAccountedFor(lake, 3);
        assertNoKey(JSON.stringify(log.lines), 'the log');
      } finally {
        resume();
        await transport.close();
      }
    });

    it('traffic dropped (the broker runs on, nothing reaches it or comes back): the run, the last drain and the goodbye end in time; healed, every place is settled', async () => {
      const lake = mkdtempSync(join(tmpdir(), 'dropped-'));
      const network = new SilentNetwork();
      const log = new MemoryLog();
      const kafka = new Kafka({
        ...kafkaConfigFor(
          { brokers, auth: { kind: 'plain' } },
          { clientId: 'paused-broker-test', log, retries: 3 },
        ),
        socketFactory: network.socketFactory,
      });
      try {
        const { deps, transport, topic, groupId } = await runDeps(lake, { kafka, log });
        let closed = false;
        try {
          api.tag = 'dropped';
          onRequest = () => network.silence();
          const started = Date.now();
          const summary = await runOnce(deps, nextSlot());
          const ran = Date.now() - started;
          // What the command does next: the last drain, then leaving the broker.
          const notice = await finishLocalRuns(deps);
          await transport.close();
          closed = true;
          const ended = Date.now() - started;
          figures.push(
            `traffic dropped: ${ran} ms from the run's start to its summary, ${ended} ms to the transport closed`,
          );
          assert.ok(ended <= RUN_TIMEOUT_MS + MARGIN_MS, `${ended} ms`);
          assert.equal(summary.places.ok, 6);
          assert.match(summary.waiting?.reason ?? '', /sent, not confirmed: Kafka (at \S+ )?did not answer/);
          assert.match(
            notice ?? '',
            /^6 answer\(s\) not yet in the lake \(.*\); 6 of them sent, not confirmed: the next start writes what Kafka took and records the rest as failed$/,
          );
          assert.equal(readdirSync(join(lake, '_pending_runs')).length, 1, 'the run stays noted');
        } finally {
          network.heal();
          if (!closed) await transport.close();
        }
        // Healed: the requests the network held reach the broker (as the kernel of an exited
        // process still retransmits what it had sent); then a new process (a new transport on the
        // same lake, topic and group) writes what Kafka took and settles the run.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const again = await KafkaTransport.open({
          brokers,
          topic,
          groupId,
          log,
          deliver: (batch) => writeBatch(batch, { store: deps.store, catalog: NO_CATALOG, log }),
          kafka,
        });
        try {
          const recovery = await recoverUnfinishedRuns({ store: deps.store, transport: again, log });
          assert.equal(recovery.settledRuns.length, 1);
          await assertEveryPlaceAccountedFor(lake, 1);
          assertNoKey(JSON.stringify(log.lines), 'the log');
        } finally {
          await again.close();
        }
      } finally {
        // Whatever failed, nothing of this network may keep the test process alive.
        network.heal();
        await network.close();
      }
    });
  });
});
