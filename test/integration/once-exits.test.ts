import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, spawnCli } from '../support/cli.js';
import { HostileApi } from '../support/hostile-api.js';
import { integrationEnvironment, uniqueName } from './support/environment.js';

const KAFKA_SH = 'test/integration/env/kafka.sh';
const KEY = 'once-exits-key-5d2f';

/**
 * `--once` over Kafka used to live forever after a failed publish: kafkajs restarted the event
 * source emulator's consumer after stop(), so the process never exited and held the group's
 * partitions ("writer has not caught up" on the next run). Here the broker dies mid-run.
 */
describe('--once over Kafka when the broker dies mid-run', () => {
  const { brokers } = integrationEnvironment();
  let killed = false;
  const api = new HostileApi({
    key: KEY,
    // The broker dies while the run is collecting; one slow place keeps the run busy meanwhile.
    plan: ({ place }) => {
      if (place !== 'POI003') return 'ok';
      if (!killed) {
        killed = true;
        execFileSync('bash', [KAFKA_SH, 'kill'], { stdio: 'ignore' });
      }
      return 'timeout';
    },
  });
  const lake = mkdtempSync(join(tmpdir(), 'once-exits-'));
  const topic = uniqueName('seoul.once-exits');
  let env: Record<string, string>;

  before(async () => {
    env = {
      SEOUL_API_KEY: KEY,
      SEOUL_API_BASE_URL: await api.start(),
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: topic,
      REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'silent',
    };
  });
  after(async () => {
    await api.stop();
    execFileSync('bash', [KAFKA_SH, 'resume'], { stdio: 'ignore' });
  });

  it('exits with a reason within a bounded time, and the next run takes the partitions', async () => {
    const child = spawnCli(['start', '--once', '--places', 'POI001,POI002,POI003', '--lake', lake], env);
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const started = Date.now();
    const status = await Promise.race([
      exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 120_000).unref()),
    ]);
    if (status === 'hung') child.kill('SIGKILL');
    assert.notEqual(status, 'hung', `the process did not exit within 120 s:\n${stderr}`);
    assert.ok(killed, `the broker was never killed:\n${stderr}`);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /cannot publish 2 envelope\(s\)/);
    assert.ok(Date.now() - started < 120_000);

    execFileSync('bash', [KAFKA_SH, 'resume'], { stdio: 'ignore' });
    api.plan = () => 'ok';
    api.tag = 'second run';
    const next = await runCli(['start', '--once', '--places', 'POI001,POI002', '--lake', lake], env, 120_000);
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stdout, /places: 2 ok/);
  });
});
