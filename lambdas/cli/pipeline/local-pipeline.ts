import { createHash } from 'node:crypto';
import { NO_CATALOG } from '../../core/catalog/partition-catalog.js';
import type { Log } from '../../core/logger.js';
import { SeoulApiClient } from '../../core/seoul-api/client.js';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import { writeBatch } from '../../core/writers/lake-writer.js';
import type { CommandIo } from '../command-io.js';
import type { LocalConfig } from '../config.js';
import { createTransport } from '../transport/transport-factory.js';
import { guardLake } from './lake-guard.js';
import { finishLocalRuns, type LocalRunDeps, recoverUnfinishedRuns } from './runner.js';

/** What a run needs besides its scheduled time: built once per command from its configuration. */
export interface Pipeline {
  readonly deps: Omit<LocalRunDeps, 'onPlaceDone'>;
  readonly location: string;
  readonly description: string;
  close(): Promise<void>;
}

export async function openPipeline(
  config: LocalConfig,
  simulated: boolean,
  log: Log,
  io: CommandIo,
  client?: Pick<SeoulApiClient, 'fetchPlace'>,
): Promise<Pipeline> {
  const store = new LocalFolderStore(config.lake);
  await store.ensureWritable();
  await guardLake(store.location, simulated);
  const transport = await createTransport({
    kafkaBrokers: config.kafkaBrokers,
    topic: config.topic,
    log,
    groupId: writerGroupFor(store.location),
    deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
  });
  try {
    // What a crash, a kill or a full disk left half done is finished before the first run.
    const recovery = await recoverUnfinishedRuns({ store, transport, log });
    for (const run of recovery.settledRuns)
      io.err(
        `unfinished run ${run.runId} settled: ${run.ok} place(s) ok, ${run.failed} failed (see collection_outcomes)`,
      );
  } catch (error) {
    await transport.close();
    throw error;
  }
  return {
    deps: {
      client:
        client ??
        new SeoulApiClient({
          baseUrl: config.baseUrl,
          apiKey: config.apiKey,
          timeoutMs: config.requestTimeoutMs,
          maxAnswerBytes: config.maxAnswerBytes,
          log,
        }),
      places: config.places,
      transport,
      store,
      log,
      concurrency: config.concurrency,
      runTimeoutMs: config.runTimeoutMs,
      simulated,
      stop: io.signal,
      notify: io.err,
    },
    location: store.location,
    description: transport.description,
    close: async () => {
      try {
        // Queued answers are written, or recorded as lost with the reason: never dropped silently.
        const notice = await finishLocalRuns({ store, transport, log });
        if (notice) io.err(`warning: ${notice}`);
      } finally {
        await transport.close();
      }
    },
  };
}

/**
 * One Kafka consumer group per lake: two lakes sharing a group would split the topic's records
 * between them. Derived from the lake's absolute path, so it stays the same from run to run.
 */
export function writerGroupFor(lake: string): string {
  return `seoul-population-writer-${createHash('sha256').update(lake).digest('hex').slice(0, 12)}`;
}
