import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './sandbox.js';

/**
 * The services a documented command expects on the machine: a Kafka broker (`KAFKA_BROKERS=…`) and
 * an S3 bucket (`--bucket NAME`). Real where they can run here (the integration tests' Kafka
 * broker, from .cache/kafka), emulated where only AWS has them (moto, from .cache/moto-venv); both
 * installed by `npm run test:integration`, which CI runs first. Each is stopped by its PID.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Service {
  readonly address: string;
  stop(): void;
}

/** A real Kafka broker on a free port of 127.0.0.1, with a data folder of its own. */
export function startKafka(): Service {
  const script = join(REPO, 'test', 'integration', 'env', 'kafka.sh');
  const run = mkdtempSync(join(tmpdir(), 'journeys-kafka-'));
  const env = { ...process.env, KAFKA_RUN_DIR: run };
  const started = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8', timeout: 180_000 });
  if (started.status !== 0)
    throw new Error(`could not start Kafka (npm run test:integration fetches it first):\n${started.stderr}`);
  return {
    address: started.stdout.trim(),
    stop: () => {
      spawnSync('bash', [script, 'stop'], { env, encoding: 'utf8', timeout: 60_000 });
      rmSync(run, { recursive: true, force: true });
    },
  };
}

/** moto's S3 (and the rest of its AWS) on a free port of 127.0.0.1. */
export async function startMoto(): Promise<Service> {
  const server = join(REPO, '.cache', 'moto-venv', 'bin', 'moto_server');
  if (!existsSync(server))
    throw new Error(
      `no moto server at ${server}: bash test/integration/env/moto.sh install (or npm run test:integration)`,
    );
  const port = await freePort();
  const child: ChildProcess = spawn(server, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const address = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error('moto server exited while starting');
    try {
      const answer = await fetch(`${address}/moto-api/data.json`);
      if (answer.ok) return { address, stop: () => child.kill('SIGTERM') };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('moto server did not answer within 60 s');
}
