/**
 * A replay worker thread: rebuilds the partitions it is sent, one message each, and answers with
 * the result or the error. Encoding Parquet is CPU-bound, so partitions spread over threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../../core/errors.js';
import { type LakeLocation, openStore } from './lake-location.js';
import { type PartitionJob, rebuildPartition } from './rebuild-partition.js';

const port = parentPort;
if (!port) throw new Error('replay-worker.ts runs as a worker thread');
const store = openStore((workerData as { location: LakeLocation }).location);

port.on('message', async ({ id, job }: { id: number; job: PartitionJob }) => {
  try {
    port.postMessage({ id, result: await rebuildPartition(job, store) });
  } catch (error) {
    port.postMessage({ id, error: describeError(error) });
  }
});
