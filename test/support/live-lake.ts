import { runOnce } from '../../lambdas/cli/pipeline/runner.js';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { InProcessQueue } from '../../lambdas/cli/transport/in-process-queue.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { ALL_PLACES, type Place } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import type { ObjectStore } from '../../lambdas/core/storage/object-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { MemoryLog } from './memory-log.js';

const KEY = 'live-lake-test-key';

/**
 * Fills a lake through the live path (simulator → API client → collector → in-process queue →
 * writer), one run per given slot: what `npm run demo` writes, at chosen collection times.
 */
export async function writeLiveLake(
  store: ObjectStore,
  slots: readonly Date[],
  places: readonly Place[] = ALL_PLACES,
  /** Places the simulated city publishes beyond the built-in ones (a place Seoul added). */
  addedPlaces: readonly Place[] = [],
  /** Fields the simulated API adds to every answer (the API adding a field). */
  addedFields?: Readonly<Record<string, string>>,
): Promise<void> {
  let clock = slots[0] ?? new Date();
  const simulator = new ApiSimulator({
    validKeys: [KEY],
    now: () => clock,
    ...(addedPlaces.length > 0 ? { places: [...ALL_PLACES, ...addedPlaces] } : {}),
    ...(addedFields ? { addedFields } : {}),
  });
  const baseUrl = await simulator.start();
  const log = new MemoryLog();
  try {
    const client = new SeoulApiClient({ baseUrl, apiKey: KEY, timeoutMs: 10_000, log });
    const transport = new InProcessQueue({
      deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
      log,
    });
    for (const slot of slots) {
      clock = slot;
      await runOnce(
        { client, places, transport, store, log, concurrency: 8, runTimeoutMs: 60_000, simulated: true },
        slot,
      );
    }
    await transport.close();
  } finally {
    await simulator.stop();
  }
}
