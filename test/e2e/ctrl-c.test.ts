import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seeded } from '../../lambdas/cli/simulator/generator.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { spawnNpm } from '../support/cli.js';
import { readParquet } from '../support/duckdb.js';

/**
 * Ctrl-C as a user presses it: real signals sent to the process group of `npm run …` (npm, and
 * the node process it runs), at moments drawn from a seeded generator so a failure can be replayed.
 */

const SEED = Number(process.env.CTRL_C_SEED ?? 20261130);

const waitFor = async (condition: () => boolean, what: string, timeoutMs = 30_000) => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newFolder = (name: string) => mkdtempSync(join(tmpdir(), `${name}-`));

describe('Ctrl-C on npm run demo', () => {
  const random = seeded(SEED);
  // From the command's first line to 3 s later: before, during and after the first run, while the
  // report is written and while the demo waits for the next slot.
  const moments = Array.from({ length: 10 }, () => Math.round(random() * 3_000));

  for (const [trial, delayMs] of moments.entries()) {
    it(`trial ${trial + 1}: SIGINT ${delayMs} ms after the first line (seed ${SEED}) leaves the report`, async () => {
      const lake = join(newFolder('ctrl-c'), 'demo-lake');
      const demo = spawnNpm('demo', ['--lake', lake]);
      await waitFor(() => demo.output().includes('[SIMULATED] API simulator on'), 'the first line');
      await sleep(delayMs);
      demo.signalGroup('SIGINT');
      const { status, output } = await demo.closed;
      assert.equal(status, 0, output);
      assert.match(output, /SIGINT received: stopping/);
      assert.ok(existsSync(join(lake, 'report.html')), `no report after SIGINT at ${delayMs} ms:\n${output}`);
      assert.match(output, new RegExp(`report: ${join(lake, 'report.html')}`));
      assert.doesNotMatch(output, /exiting at once/, 'one Ctrl-C is one signal, whatever npm forwards');
    });
  }
});

describe('Ctrl-C on npm run demo -- --days', () => {
  it('finishes the simulated run in progress, says how many were written, and writes the report', async () => {
    const lake = join(newFolder('ctrl-c-days'), 'demo-lake');
    const demo = spawnNpm('demo', ['--days', '5', '--lake', lake]);
    await waitFor(() => demo.output().includes('simulating 360 scheduled runs'), 'the history to start');
    await sleep(1_000);
    demo.signalGroup('SIGINT');
    const { status, output } = await demo.closed;
    assert.equal(status, 0, output);
    assert.match(output, /finishing simulated run \d+ of 360, then writing the report/);
    const written = Number(/stopped by SIGINT after (\d+) of 360 runs written/.exec(output)?.[1]);
    assert.ok(written > 0 && written < 360, output);
    assert.ok(existsSync(join(lake, 'report.html')));
    const [runs] = await readParquet(
      join(lake, 'collection_outcomes/**/*.parquet'),
      "SELECT count(DISTINCT collected_at) AS n, count(*) FILTER (WHERE status <> 'ok') AS not_ok FROM data",
    );
    assert.equal(runs?.n, BigInt(written), 'every run it says it wrote is in the lake, whole');
    assert.equal(runs?.not_ok, 0n);
  });
});

describe('a second Ctrl-C', () => {
  it('exits at once (130) without waiting for what the first one let finish', async () => {
    // The report the first Ctrl-C lets finish can never finish: report.html is a named pipe that
    // nobody reads, so writing it blocks. Whatever the machine's speed, the second signal finds the
    // demo still waiting on it, and must end the process anyway. The two signals fall more than the
    // 500 ms copy window apart (copies of one keypress are proven on a test clock in
    // test/unit/stop-signals.test.ts).
    const lake = join(newFolder('ctrl-c-twice'), 'demo-lake');
    const history = spawnNpm('demo', ['--days', '1', '--lake', lake]);
    assert.equal((await history.closed).status, 0);
    rmSync(join(lake, 'report.html'));
    execFileSync('mkfifo', [join(lake, 'report.html')]);
    const demo = spawnNpm('demo', ['--lake', lake]);
    await waitFor(() => /places: 121 ok/.test(demo.output()), 'the first run to end');
    demo.signalGroup('SIGINT');
    await waitFor(() => demo.output().includes('SIGINT received: stopping'), 'the first signal');
    await sleep(700);
    demo.signalGroup('SIGINT');
    const { status, output } = await demo.closed;
    assert.equal(status, 130, output);
    assert.match(output, /SIGINT received: stopping[\s\S]*SIGINT received again: exiting at once/);
    assert.doesNotMatch(output, /^report: /m);
  });
});

describe('Ctrl-C on npm start', () => {
  const key = 'ctrl-c-test-key';
  // Every answer takes 5 s: a run is in flight for seconds, long enough to interrupt it for sure.
  const simulator = new ApiSimulator({ validKeys: [key], faults: [{ kind: 'latency', latencyMs: 5_000 }] });
  let env: Record<string, string>;

  before(async () => {
    env = { SEOUL_API_KEY: key, SEOUL_API_BASE_URL: await simulator.start(), LOG_FORMAT: 'json' };
  });
  after(() => simulator.stop());

  it('first signal abandons the run in flight, says so, and still writes its outcomes', async () => {
    const lake = newFolder('ctrl-c-start');
    const places = 'POI001,POI002,POI003,POI004';
    const start = spawnNpm(
      'start',
      ['--once', '--places', places, '--concurrency', '2', '--lake', lake],
      env,
    );
    await waitFor(() => start.output().includes('collecting 4 place(s)'), 'the run to start');
    await sleep(500);
    start.signalGroup('SIGINT');
    const { status, output } = await start.closed;
    assert.match(output, /abandoning run \S+: 0 of 4 places done, the rest are recorded as interrupted/);
    assert.match(output, /places: 0 ok, 0 no data, 4 failed \(of 4\)/);
    assert.equal(status, 1, 'nothing was collected');
    const outcomes = await readParquet(
      join(lake, 'collection_outcomes/**/*.parquet'),
      'SELECT area_code, status, reason FROM data ORDER BY area_code',
    );
    assert.deepEqual(
      outcomes.map((o) => [o.area_code, o.status]),
      places.split(',').map((code) => [code, 'failed']),
    );
    for (const outcome of outcomes)
      assert.match(String(outcome.reason), /^interrupted: the run was stopped \(SIGINT\)/);
  });

  it('stops between runs with status 0, saying no run was in progress', async () => {
    simulator.setFaults([]);
    try {
      const lake = newFolder('ctrl-c-idle');
      const start = spawnNpm('start', ['--places', 'POI001', '--lake', lake], env);
      await waitFor(() => /next run at \d{2}:\d{2} KST/.test(start.output()), 'the wait for the next slot');
      start.signalGroup('SIGINT');
      const { status, output } = await start.closed;
      assert.equal(status, 0, output);
      assert.match(output, /no run in progress: stopping/);
      assert.ok(readdirSync(join(lake, 'population'), { recursive: true }).length > 0);
    } finally {
      simulator.setFaults([{ kind: 'latency', latencyMs: 5_000 }]);
    }
  });
});
