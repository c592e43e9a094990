import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { partitionPath } from '../../core/lake/partitions.js';
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
 * A worker's JavaScript heap ceiling. A partition whose rebuild would need more ends that worker
 * with ERR_WORKER_OUT_OF_MEMORY: the partition is named as failed and a new worker takes the rest,
 * instead of the whole process growing until the machine kills it.
 */
export const WORKER_HEAP_MB = 384;

/**
 * Worker threads unless `--workers` says otherwise: one per CPU, at most 4. Each worker holds at
 * most two partitions of at most MAX_PARTITION_TEXT_BYTES each, measured at about 140 MiB at worst
 * (docs/local-use.md#limits): 4 keep a replay under 1 GiB whatever its raw files hold.
 */
export const DEFAULT_MAX_WORKERS = 4;
export const defaultWorkers = (): number => Math.min(availableParallelism(), DEFAULT_MAX_WORKERS);

/** A partition that could not be rebuilt, and why. */
export interface FailedPartition {
  readonly partition: string;
  readonly reason: string;
}

/**
 * Runs partition jobs on worker threads, handing each idle worker the next job (partitions differ
 * in size). Memory stays bounded whatever the lake's size: at most two partitions per worker are
 * in memory at any time, in a heap of at most {@link WORKER_HEAP_MB}.
 *
 * A job that fails is reported through `onFailure` with its reason and the others go on: one
 * unreadable partition never hides the rest, and no failure is dropped. A worker that dies (out of
 * memory, a crash) fails the jobs it held and is replaced; after `workers` replacements the jobs
 * not yet started are failed too, each with the reason.
 */
export async function runOnWorkers(
  location: LakeLocation,
  jobs: readonly PartitionJob[],
  workers: number,
  onResult: (result: PartitionResult) => void,
  onFailure: (failure: FailedPartition) => void,
  /** The heap cap of each worker, in MB (tests give a tiny one to see workers die). */
  heapMb = WORKER_HEAP_MB,
): Promise<void> {
  let next = 0;
  let replacements = workers;
  let lastDeath = '';
  const live = new Set<Worker>();

  const runWorker = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const worker = new Worker(WORKER_BOOTSTRAP, {
        eval: true,
        workerData: { location },
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: heapMb },
      });
      live.add(worker);
      const pending = new Map<number, PartitionJob>();
      let ended = false;
      const end = (replace: boolean) => {
        if (ended) return;
        ended = true;
        live.delete(worker);
        void worker.terminate();
        if (replace && next < jobs.length && replacements-- > 0) runWorker().then(resolve);
        else resolve();
      };
      const feed = () => {
        while (pending.size < IN_FLIGHT_PER_WORKER && next < jobs.length) {
          const id = next++;
          pending.set(id, jobs[id] as PartitionJob);
          worker.postMessage({ id, job: jobs[id] });
        }
        if (pending.size === 0) end(false);
      };
      const died = (reason: string) => {
        lastDeath = reason;
        for (const job of pending.values()) onFailure({ partition: pathOf(job), reason });
        pending.clear();
        end(true);
      };
      worker.on('message', (message: { id: number; result?: PartitionResult; error?: string }) => {
        const job = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined)
          onFailure({ partition: job ? pathOf(job) : '?', reason: message.error });
        else onResult(message.result as PartitionResult);
        feed();
      });
      worker.on('error', (error) => died(`replay worker stopped: ${error.message}`));
      worker.on('exit', (code) => {
        if (!ended) died(`replay worker exited with code ${code}`);
      });
      feed();
    });

  try {
    await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, runWorker));
    // Every worker died and none could be replaced: the jobs never started are named, not dropped.
    for (; next < jobs.length; next++)
      onFailure({
        partition: pathOf(jobs[next] as PartitionJob),
        reason: `not attempted: the replay workers kept stopping (last: ${lastDeath})`,
      });
  } finally {
    await Promise.all([...live].map((worker) => worker.terminate()));
  }
}

const pathOf = (job: PartitionJob) => partitionPath(job.partition);
