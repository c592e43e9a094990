import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LAKE_LOCK } from '../../lambdas/cli/lake-files.js';
import type { LockHolder } from '../../lambdas/cli/pipeline/lake-lock.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { type CliResult, runCli, spawnCli } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';

/**
 * One writer per lake, with real processes: while `npm start -- --once` runs (its answers held back
 * by the simulator), a second start, the demo, replay and `check --fix` on the same lake refuse with
 * exit 1 and name the holder; read-only commands still run; the first run ends with every place ok,
 * untouched by the others. After `kill -9` of a holder, the next start takes the lock over and
 * settles the killed run. Two starts at the same instant: one runs, the other refuses.
 */
const KEY = 'lock-test-key';
const PLACES = 'POI001,POI009';

interface Started {
  readonly pid: number;
  readonly done: Promise<CliResult>;
}

describe('one writer per lake (command line)', () => {
  // Answers under the latency fault wait until the test opens the gate: the first run is held
  // for as long as the other commands take to start on a busy machine.
  let openGate = () => {};
  let gate = Promise.resolve();
  const closeGate = () => {
    gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
  };
  const simulator = new ApiSimulator({ validKeys: [KEY], delay: () => gate });
  let env: Record<string, string>;
  before(async () => {
    // Answers held back stay within the request and run deadlines.
    env = {
      SEOUL_API_KEY: KEY,
      SEOUL_API_BASE_URL: await simulator.start(),
      REQUEST_TIMEOUT_MS: '60000',
      RUN_TIMEOUT_MS: '120000',
    };
  });
  after(() => simulator.stop());

  const start = (lake: string): Started => {
    const child = spawnCli(['start', '--once', '--places', PLACES, '--lake', lake], env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const done = new Promise<CliResult>((resolve) =>
      child.on('close', (status) => resolve({ status, stdout, stderr })),
    );
    return { pid: child.pid as number, done };
  };

  /** Waits (polling the lake, at most 30 s) until `pid` holds the lock and its run is noted. */
  const holding = async (lake: string, pid: number) => {
    for (let i = 0; i < 600; i++) {
      try {
        const holder = JSON.parse(readFileSync(join(lake, LAKE_LOCK), 'utf8')) as LockHolder;
        if (holder.pid === pid && existsSync(join(lake, '_pending_runs'))) return holder;
      } catch {
        // not yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`pid ${pid} never held ${lake}`);
  };

  const outcomes = (lake: string) =>
    readParquet(
      join(lake, 'collection_outcomes/**/*.parquet'),
      'SELECT run_id, area_code, status, reason FROM data ORDER BY ALL',
    );

  it('refuses a second writer with exit 1 and the holder, lets readers run, and leaves the live run alone', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'lock-live-'));
    closeGate();
    simulator.setFaults([{ kind: 'latency' }]);
    const first = start(lake);
    const holder = await holding(lake, first.pid);
    const busy = new RegExp(
      `^error: the lake ${lake} is in use by npm start \\(pid ${first.pid} on ${holder.host}, since ${holder.startedAt}\\); one writer per lake`,
      'm',
    );
    // All at once, while the first run waits for its answers.
    const writers = [
      ['start', '--once', '--places', PLACES, '--lake', lake],
      ['demo', '--once', '--lake', lake],
      ['replay', '--lake', lake],
      ['check', '--fix', '--lake', lake],
    ];
    const readers = [
      ['check', '--lake', lake],
      ['replay', '--dry-run', '--lake', lake],
    ];
    const answers = await Promise.all([...writers, ...readers].map((args) => runCli(args, env, 60_000)));
    writers.forEach((args, i) => {
      const second = answers[i] as CliResult;
      assert.equal(second.status, 1, `${args.join(' ')}: ${second.stderr}`);
      assert.match(second.stderr, busy, args.join(' '));
      assert.doesNotMatch(second.stderr, /settled/);
    });
    // Readers never take the lock.
    readers.forEach((args, i) => {
      assert.doesNotMatch((answers[writers.length + i] as CliResult).stderr, /in use by/, args.join(' '));
    });
    assert.ok((await holding(lake, first.pid)).pid === first.pid, 'the first still holds the lake');
    openGate();
    const result = await first.done;
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /warning|settled/);
    const rows = await outcomes(lake);
    assert.deepEqual(
      rows.map((r) => `${r.area_code} ${r.status}`),
      ['POI001 ok', 'POI009 ok'],
    );
    assert.equal(new Set(rows.map((r) => r.run_id)).size, 1);
    assert.equal(existsSync(join(lake, LAKE_LOCK)), false, 'released at the end');
  });

  it('recovers after kill -9: the next start takes the lock over and settles the killed run', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'lock-killed-'));
    closeGate();
    simulator.setFaults([{ kind: 'latency' }]);
    const first = start(lake);
    await holding(lake, first.pid);
    process.kill(first.pid, 'SIGKILL');
    assert.equal((await first.done).status, null);
    simulator.setFaults([]);
    openGate();
    const next = await runCli(['start', '--once', '--places', PLACES, '--lake', lake], env, 60_000);
    assert.equal(next.status, 0, next.stderr);
    assert.match(
      next.stderr,
      new RegExp(
        `lock of npm start \\(pid ${first.pid} on .*\\) was left by a process that is gone: taken over`,
      ),
    );
    assert.match(next.stderr, /unfinished run \S+ settled: 0 place\(s\) ok, 2 failed/);
    const rows = await outcomes(lake);
    assert.equal(rows.filter((r) => r.status === 'failed').length, 2);
    assert.equal(rows.filter((r) => r.status === 'ok').length, 2);
    assert.equal(existsSync(join(lake, LAKE_LOCK)), false);
  });

  it('two starts at the same instant: one runs, the other refuses, and no run is marked failed', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'lock-race-'));
    closeGate();
    simulator.setFaults([{ kind: 'latency' }]);
    const both = [start(lake), start(lake)];
    // The loser refuses while the winner's answers are held; then the winner is let finish.
    const loser = await Promise.race(both.map((s) => s.done));
    assert.equal(loser.status, 1, loser.stderr);
    openGate();
    const [a, b] = (await Promise.all(both.map((s) => s.done))) as [CliResult, CliResult];
    assert.deepEqual([a.status, b.status].sort(), [0, 1], `${a.stderr}\n${b.stderr}`);
    assert.match((a.status === 1 ? a : b).stderr, /is in use by npm start \(pid \d+ on /);
    assert.deepEqual(
      (await outcomes(lake)).map((r) => r.status),
      ['ok', 'ok'],
    );
    rmSync(lake, { recursive: true, force: true });
  });
});
