/**
 * The raw archive of a simulated year for the replay benchmark: 72 runs a day × 121 places, one
 * `raw/<partition>/bench-0-0.jsonl.gz` per run, envelopes as the live path writes them (the API
 * simulator's answers, 12-hour forecasts). Generated on worker threads, once, into `.cache/`
 * (gzip level 1: generation speed; replay reads any level alike).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { simulatedRecord } from '../../lambdas/cli/simulator/generator.js';
import { buildEnvelope } from '../../lambdas/core/envelope.js';
import { objectKey, partitionValuesFor } from '../../lambdas/core/lake/partitions.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';

export const RUNS_PER_DAY = 72;
const FIRST_RUN = Date.parse('2025-06-30T15:00:00Z'); // 2025-07-01 00:00 KST

function writeRuns(lake: string, from: number, to: number): void {
  for (let run = from; run < to; run++) {
    const collectedAt = new Date(FIRST_RUN + run * 20 * 60_000);
    const fetchedAt = new Date(collectedAt.getTime() + 1_500);
    const runId = `bench-${run}`;
    const lines = ALL_PLACES.map(
      (place) =>
        `${JSON.stringify(buildEnvelope({ dataset: 'citydata_ppltn', runId, collectedAt, fetchedAt, place, payload: simulatedRecord(place, collectedAt) }))}\n`,
    ).join('');
    const path = join(lake, objectKey('raw', partitionValuesFor(collectedAt), 'bench-0-0.jsonl.gz'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(lines, { level: 1 }));
  }
}

/** The lake folder holding the year's raw archive; generated unless a complete one is cached. */
export async function rawYear(days: number): Promise<{ lake: string; runs: number; generatedMs: number }> {
  const lake = join('.cache', 'bench', `replay-${days}d-v1`);
  const runs = days * RUNS_PER_DAY;
  const done = join(lake, '.complete');
  if (existsSync(done)) return { lake, runs, generatedMs: 0 };
  rmSync(lake, { recursive: true, force: true });
  const started = performance.now();
  const threads = Math.max(1, availableParallelism());
  const share = Math.ceil(runs / threads);
  await Promise.all(
    Array.from({ length: threads }, (_, i) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { lake, from: i * share, to: Math.min(runs, (i + 1) * share) },
        execArgv: process.execArgv,
      });
      return new Promise<void>((resolve, reject) => {
        worker.on('message', () => resolve());
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generator exited ${code}`))));
      });
    }),
  );
  writeFileSync(done, '');
  return { lake, runs, generatedMs: performance.now() - started };
}

if (!isMainThread && workerData?.lake) {
  const { lake, from, to } = workerData as { lake: string; from: number; to: number };
  writeRuns(lake, from, to);
  parentPort?.postMessage('done');
}
