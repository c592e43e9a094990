import { createHash } from 'node:crypto';
import { NO_CATALOG } from '../../core/catalog/partition-catalog.js';
import { COLLECTED } from '../../core/datasets/registry.js';
import type { Log } from '../../core/logger.js';
import { SeoulApiClient } from '../../core/seoul-api/client.js';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import { writeBatch } from '../../core/writers/lake-writer.js';
import type { CommandIo } from '../command-io.js';
import type { LocalConfig } from '../config.js';
import { markIfSimulated, openLakeToWrite } from '../lake-folder.js';
import { createTransport } from '../transport/transport-factory.js';
import { acquireLakeLock, describeHolder } from './lake-lock.js';
import { type RunPlaceList, RunPlaces } from './run-places.js';
import { finishLocalRuns, type LocalRunDeps, recoverUnfinishedRuns } from './runner.js';

/** What a run needs besides its scheduled time: built once per command from its configuration. */
export interface Pipeline {
  /** `places`: those of the first run, resolved when the pipeline opened. */
  readonly deps: Omit<LocalRunDeps, 'onPlaceDone'>;
  /** The places of the next run, from the lake's place catalogue as it is now. */
  readonly placesForRun: () => Promise<RunPlaceList>;
  readonly location: string;
  readonly description: string;
  close(): Promise<void>;
}

/** The API client a local command uses, from its configuration; `sleep` waits between attempts. */
export function apiClientOf(
  config: LocalConfig,
  log: Log,
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>,
): SeoulApiClient {
  return new SeoulApiClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    service: COLLECTED.service,
    timeoutMs: config.requestTimeoutMs,
    maxAnswerBytes: config.maxAnswerBytes,
    log,
    ...(sleep === undefined ? {} : { sleep }),
  });
}

export async function openPipeline(
  config: LocalConfig,
  simulated: boolean,
  log: Log,
  io: CommandIo,
  client?: Pick<SeoulApiClient, 'fetchPlace'>,
): Promise<Pipeline> {
  // The lake is checked (and, when new, created) before anything else touches the folder.
  await openLakeToWrite(config.lake, simulated);
  const store = new LocalFolderStore(config.lake);
  await store.ensureWritable();
  // One writer per lake, before anything is read or settled: a second start never touches the
  // first one's live run.
  const lock = await acquireLakeLock(store.location, simulated ? 'npm run demo' : 'npm start');
  if (lock.tookOverFrom)
    io.err(
      `the lake's lock of ${describeHolder(lock.tookOverFrom)} was left by a process that is gone: taken over`,
    );
  let transport: Awaited<ReturnType<typeof createTransport>> | undefined;
  const runPlaces = new RunPlaces(store, config.placeCodes, config.apiKey, log);
  let first: RunPlaceList;
  try {
    await markIfSimulated(store.location, simulated);
    // A wrong --places code fails here, before any broker or API is touched.
    first = await runPlaces.resolve();
    for (const notice of first.notices) io.err(notice);
    transport = await createTransport({
      kafkaBrokers: config.kafkaBrokers,
      topic: config.topic,
      log,
      groupId: writerGroupFor(store.location),
      deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
    });
    // What a crash, a kill or a full disk left half done is finished before the first run.
    const recovery = await recoverUnfinishedRuns({ store, transport, log });
    for (const run of recovery.settledRuns)
      io.err(
        `unfinished run ${run.runId} settled: ${run.ok} place(s) ok, ${run.failed} failed (see collection_outcomes)`,
      );
  } catch (error) {
    await transport?.close();
    await lock.release();
    throw error;
  }
  const opened = transport;
  return {
    deps: {
      client: client ?? apiClientOf(config, log),
      places: first.places,
      transport: opened,
      store,
      log,
      concurrency: config.concurrency,
      runTimeoutMs: config.runTimeoutMs,
      simulated,
      stop: io.signal,
      notify: io.err,
    },
    placesForRun: () => runPlaces.resolve(),
    location: store.location,
    description: opened.description,
    close: async () => {
      try {
        // Queued answers are written, or recorded as lost with the reason: never dropped silently.
        const notice = await finishLocalRuns({ store, transport: opened, log });
        if (notice) io.err(`warning: ${notice}`);
      } finally {
        try {
          await opened.close();
        } finally {
          await lock.release();
        }
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
