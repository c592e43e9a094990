import { Worker } from 'node:worker_threads';
import type { LakeLocation } from './lake-location.js';
import type { PartitionJob, PartitionResult } from './rebuild-partition.js';

/**
 * Workers run the TypeScript sources as the main thread does: the bootstrap registers tsx's loader
 * in the new thread, then imports the worker module (a worker's own `--import` flags are applied
 * too late for its entry module on Node 20).
 */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./replay-worker.ts', import.meta.url).href)}); })`;

/** Jobs a worker holds at once: one encoding while the next one reads or writes. */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Runs partition jobs on worker threads, handing each idle worker the next job (partitions differ
 * in size). Memory stays bounded whatever the lake's size: at most two partitions per worker are
 * in memory at any time. The first failure stops handing out work and is thrown.
 */
export async function runOnWorkers(
  location: LakeLocation,
  jobs: readonly PartitionJob[],
  workers: number,
  onResult: (result: PartitionResult) => void,
): Promise<void> {
  const threads = Array.from(
    { length: Math.min(workers, jobs.length) },
    () => new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { location }, execArgv: [] }),
  );
  let next = 0;
  let failure: Error | undefined;
  try {
    await Promise.all(
      threads.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let busy = 0;
            const pending = new Map<number, PartitionJob>();
            const feed = () => {
              while (!failure && busy < IN_FLIGHT_PER_WORKER && next < jobs.length) {
                const id = next++;
                pending.set(id, jobs[id] as PartitionJob);
                busy++;
                worker.postMessage({ id, job: jobs[id] });
              }
              if (busy === 0) resolve();
            };
            worker.on('message', (message: { id: number; result?: PartitionResult; error?: string }) => {
              busy--;
              const job = pending.get(message.id);
              pending.delete(message.id);
              if (message.error !== undefined) {
                failure ??= new Error(
                  `partition ${job ? Object.values(job.partition).join('/') : message.id}: ${message.error}`,
                );
                if (busy === 0) reject(failure);
                return;
              }
              onResult(message.result as PartitionResult);
              feed();
            });
            worker.on('error', (error) => {
              failure ??= error;
              reject(error);
            });
            worker.on('exit', (code) => {
              if (busy > 0) reject(failure ?? new Error(`replay worker exited with code ${code}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((worker) => worker.terminate()));
  }
}
