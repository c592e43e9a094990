/**
 * One local run in a process of its own, built from the very modules `npm start` uses (store,
 * transport, recovery, runner), for the crash trials and the soak. With `KILL_AFTER_PUTS=n` the
 * process sends itself SIGKILL right after its n-th lake write: a real kill at a chosen point of the
 * write path (mid-batch), which no exception handler can soften.
 *
 * Environment: LAKE, API_URL, API_KEY, SLOT (the run's collectedAt, ISO), PLACES (codes, comma
 * separated; default all), KAFKA_BROKERS/KAFKA_TOPIC/KAFKA_GROUP (unset: in-process queue),
 * KILL_AFTER_PUTS. Prints the run summary as one JSON line.
 */

import { finishLocalRuns, recoverUnfinishedRuns, runOnce } from '../../lambdas/cli/pipeline/runner.js';
import { createTransport } from '../../lambdas/cli/transport/transport-factory.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { ALL_PLACES, selectPlaces } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import type { ObjectStore } from '../../lambdas/core/storage/object-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { MemoryLog } from './memory-log.js';

const env = process.env;
const killAfter = env.KILL_AFTER_PUTS ? Number(env.KILL_AFTER_PUTS) : undefined;
const folder = new LocalFolderStore(env.LAKE as string);
let puts = 0;
const store: ObjectStore = {
  location: folder.location,
  put: async (key, body, type) => {
    await folder.put(key, body, type);
    puts++;
    if (killAfter !== undefined && puts >= killAfter) process.kill(process.pid, 'SIGKILL');
  },
  get: (key) => folder.get(key),
  delete: (key) => folder.delete(key),
  list: (prefix) => folder.list(prefix),
  listFolders: (prefix) => folder.listFolders(prefix),
};
const log = new MemoryLog();
const transport = await createTransport({
  ...(env.KAFKA_BROKERS ? { kafkaBrokers: env.KAFKA_BROKERS.split(',') } : {}),
  topic: env.KAFKA_TOPIC ?? 'seoul.citydata_ppltn.child',
  ...(env.KAFKA_GROUP ? { groupId: env.KAFKA_GROUP } : {}),
  log,
  deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
});
try {
  const deps = {
    client: new SeoulApiClient({
      baseUrl: env.API_URL as string,
      apiKey: env.API_KEY as string,
      timeoutMs: 400,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 40 },
      log,
    }),
    places: env.PLACES ? selectPlaces(env.PLACES.split(',')) : ALL_PLACES,
    transport,
    store,
    log,
    concurrency: 16,
    runTimeoutMs: 30_000,
    simulated: true,
  };
  await recoverUnfinishedRuns(deps);
  const summary = await runOnce(deps, new Date(env.SLOT as string));
  const notice = await finishLocalRuns(deps);
  process.stdout.write(`${JSON.stringify({ runId: summary.runId, places: summary.places, notice })}\n`);
} finally {
  await transport.close();
}
