import { createHash } from 'node:crypto';
import { NO_CATALOG } from '../core/catalog.js';
import { describeError } from '../core/errors.js';
import { writeBatch } from '../core/lake/lake-writer.js';
import type { Log } from '../core/logger.js';
import type { RunSummary } from '../core/run-summary.js';
import { SeoulApiClient } from '../core/seoul-api/client.js';
import { LocalFolderStore } from '../core/storage/local-folder-store.js';
import { type CommandIo, EXIT } from './command-io.js';
import type { LocalConfig } from './config.js';
import { guardLake } from './lake-guard.js';
import { RunProgress } from './progress.js';
import { formatRunSummary, kstClockText, kstText } from './run-text.js';
import { finishLocalRuns, type LocalRunDeps, recoverUnfinishedRuns, runOnce } from './runner.js';
import { runOnSchedule } from './schedule.js';
import { createTransport } from './transport-factory.js';

/*
 * The collection side of `npm start` and `npm run demo`: the lake, the transport and the client
 * built once, then runs with live progress and summaries, once or on the schedule.
 */

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
  /** Wraps the API client (the demo's history puts its answers on the simulated clock). */
  wrapClient: (client: SeoulApiClient) => Pick<SeoulApiClient, 'fetchPlace'> = (client) => client,
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
      client: wrapClient(
        new SeoulApiClient({
          baseUrl: config.baseUrl,
          apiKey: config.apiKey,
          timeoutMs: config.requestTimeoutMs,
          maxAnswerBytes: config.maxAnswerBytes,
          log,
        }),
      ),
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

/** One run with live progress on a terminal and its summary at the end. */
export async function runWithProgress(
  pipeline: Pipeline,
  collectedAt: Date,
  io: CommandIo,
): Promise<RunSummary> {
  const progress = new RunProgress(io.live);
  progress.begin(collectedAt, pipeline.deps.places.length, pipeline.deps.simulated ? '[SIMULATED] ' : '');
  try {
    const summary = await runOnce(
      { ...pipeline.deps, onPlaceDone: (outcome) => progress.placeDone(outcome) },
      collectedAt,
    );
    progress.end();
    io.out(formatRunSummary(summary));
    return summary;
  } finally {
    progress.end();
  }
}

const currentMinute = () => new Date(Math.floor(Date.now() / 60_000) * 60_000);

/**
 * `--once` or the schedule: a run now, then at every :00, :20 and :40 until the first signal.
 * `afterRun` (the demo's report) follows every completed run.
 */
export async function collect(
  pipeline: Pipeline,
  config: LocalConfig,
  io: CommandIo,
  afterRun: () => Promise<void> = async () => {},
): Promise<number> {
  const tag = pipeline.deps.simulated ? '[SIMULATED] ' : '';
  io.err(
    `${tag}collecting ${config.places.length} place(s) into ${pipeline.location} via ${pipeline.description}` +
      (config.once ? '' : ', now and then at every :00, :20 and :40 (KST); Ctrl-C stops'),
  );
  if (io.signal.aborted) {
    io.err('stopped before the first run: nothing collected');
    return EXIT.ok;
  }
  if (config.once) {
    const summary = await runWithProgress(pipeline, currentMinute(), io);
    if (summary.keyRefused) io.err(`error: ${summary.keyRefused}`);
    await afterRun();
    return exitStatusOf(summary);
  }
  let running = false;
  const sayIdleStop = () => {
    if (!running) io.err('no run in progress: stopping');
  };
  io.signal.addEventListener('abort', sayIdleStop, { once: true });
  try {
    await runOnSchedule({
      signal: io.signal,
      onSkipped: (slots) =>
        io.err(`skipped ${slots.map((slot) => kstText(slot)).join(', ')}: the previous run overran them`),
      onWaiting: (next) => io.out(`next run at ${kstClockText(next)} (Ctrl-C stops)`),
      runAt: async (collectedAt) => {
        running = true;
        try {
          const summary = await runWithProgress(pipeline, collectedAt, io);
          // The collected answers are kept and the schedule goes on, but this must not go unseen.
          if (summary.keyRefused)
            io.err(`error: ${summary.keyRefused} Collection continues at the next slot.`);
          await afterRun();
        } catch (error) {
          io.err(`run for ${kstText(collectedAt)} failed: ${describeError(error)}`);
        } finally {
          running = false;
        }
      },
    });
    return EXIT.ok;
  } finally {
    io.signal.removeEventListener('abort', sayIdleStop);
  }
}

/**
 * One Kafka consumer group per lake: two lakes sharing a group would split the topic's records
 * between them. Derived from the lake's absolute path, so it stays the same from run to run.
 */
export function writerGroupFor(lake: string): string {
  return `seoul-population-writer-${createHash('sha256').update(lake).digest('hex').slice(0, 12)}`;
}

/** `--once`: 0 when the run completed (even with failed places); 1 when nothing was collected. */
export function exitStatusOf(summary: RunSummary): number {
  return summary.places.ok > 0 ? EXIT.ok : EXIT.runFailed;
}
