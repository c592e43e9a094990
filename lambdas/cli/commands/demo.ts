import { createHash } from 'node:crypto';
import { NO_CATALOG } from '../../core/catalog/partition-catalog.js';
import { ConfigError, describeError } from '../../core/errors.js';
import { ConsoleLog, type Log, type LogFormat } from '../../core/logger.js';
import { type RunSummary, runFailed } from '../../core/run-summary.js';
import { SeoulApiClient } from '../../core/seoul-api/client.js';
import { positiveInteger, runMinutesText } from '../../core/settings.js';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import { writeBatch } from '../../core/writers/lake-writer.js';
import { type CommandIo, EXIT, failure } from '../command-io.js';
import {
  DEMO_OPTIONS,
  defaultLakeDir,
  type LocalConfig,
  parseRunArgs,
  resolveLocalConfig,
} from '../config.js';
import { DEMO_USAGE, START_USAGE } from '../help.js';
import { historySlots, onSimulatedClock, SimulatedClock } from '../pipeline/history.js';
import { guardLake } from '../pipeline/lake-guard.js';
import { finishLocalRuns, type LocalRunDeps, recoverUnfinishedRuns, runOnce } from '../pipeline/runner.js';
import { runOnSchedule } from '../pipeline/schedule.js';
import { RunProgress } from '../progress.js';
import { formatRunSummary, kstClockText, kstText } from '../run-text.js';
import { ApiSimulator } from '../simulator/server.js';
import { createTransport } from '../transport/transport-factory.js';
import { reportAfterDemo } from './report.js';

export { type CommandIo, EXIT, failure } from '../command-io.js';

/** The key the demo's simulator accepts. Not a secret: the simulator serves made-up data. */
const SIMULATOR_KEY = 'simulator-demo-key';

/** `--days` range of the demo: up to a season of history (72 runs a day). */
const MAX_DEMO_DAYS = 90;

/** The demo's concurrency for `--days`: the simulator is local, and history should take seconds. */
const HISTORY_CONCURRENCY = 32;

/** The log format: `LOG_FORMAT` if set, else readable lines on a terminal and JSON elsewhere. */
export function logFormatOf(env: NodeJS.ProcessEnv, stderrIsTerminal: boolean): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (value === undefined || value === '') return stderrIsTerminal ? 'text' : 'json';
  if (value === 'json' || value === 'text') return value;
  throw new ConfigError(`LOG_FORMAT must be one of text, json, got ${JSON.stringify(env.LOG_FORMAT)}`);
}

function logFor(config: LocalConfig, env: NodeJS.ProcessEnv, io: CommandIo): Log {
  return new ConsoleLog(config.logLevel, io.err, logFormatOf(env, io.stderrIsTerminal === true));
}

/** What a run needs besides its scheduled time: built once per command from its configuration. */
interface Pipeline {
  readonly deps: Omit<LocalRunDeps, 'onPlaceDone'>;
  readonly location: string;
  readonly description: string;
  close(): Promise<void>;
}

async function openPipeline(
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

/** One run with live progress on a terminal and its summary at the end. */
async function runWithProgress(pipeline: Pipeline, collectedAt: Date, io: CommandIo): Promise<RunSummary> {
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
 * `--once` or the schedule: a run now, then at every slot of the cadence (:00, :20 and :40 by
 * default) until the first signal.
 * `afterRun` (the demo's report) follows every completed run.
 */
async function collect(
  pipeline: Pipeline,
  config: LocalConfig,
  io: CommandIo,
  afterRun: () => Promise<void> = async () => {},
): Promise<number> {
  const tag = pipeline.deps.simulated ? '[SIMULATED] ' : '';
  io.err(
    `${tag}collecting ${config.places.length} place(s) into ${pipeline.location} via ${pipeline.description}` +
      (config.once
        ? ''
        : `, now and then at every ${runMinutesText(config.runIntervalMinutes)} (KST); Ctrl-C stops`),
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
      everyMinutes: config.runIntervalMinutes,
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

/** `--once`: 1 when the run failed (the fetcher's verdict: no place collected, some failed), else 0. */
export function exitStatusOf(summary: RunSummary): number {
  return runFailed(summary) ? EXIT.runFailed : EXIT.ok;
}

/** `npm start`: the collector on the embedded default. */
export async function startCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  try {
    const args = parseRunArgs(argv, START_USAGE);
    if (args.help) {
      io.out(START_USAGE);
      return EXIT.ok;
    }
    const config = resolveLocalConfig(args.values, env, { lake: defaultLakeDir(env) });
    const log = logFor(config, env, io);
    for (const notice of config.notices) io.err(notice);
    const pipeline = await openPipeline(config, false, log, io);
    try {
      return await collect(pipeline, config, io);
    } finally {
      await pipeline.close();
    }
  } catch (error) {
    return failure(error, io);
  }
}

/**
 * `npm run demo`: the whole local pipeline against the built-in API simulator, with no network.
 * Its output is marked simulated and goes to a lake of its own (./demo-lake unless --lake); the
 * report is written after every run and once more on the way out, whatever stopped the demo.
 */
export async function demoCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  const clock = new SimulatedClock();
  let simulatedHistory = false;
  const simulator = new ApiSimulator({
    validKeys: [SIMULATOR_KEY],
    now: () => (simulatedHistory ? clock.now() : new Date()),
  });
  try {
    const args = parseRunArgs(argv, DEMO_USAGE, DEMO_OPTIONS);
    if (args.help) {
      io.out(DEMO_USAGE);
      return EXIT.ok;
    }
    const days =
      args.values.days === undefined
        ? undefined
        : positiveInteger('--days', args.values.days, 1, MAX_DEMO_DAYS);
    if (days !== undefined && args.values.once) throw new ConfigError('choose one of --once and --days');
    const baseUrl = await simulator.start();
    // The demo never touches the real API or the real lake: LAKE_DIR and the key are ignored.
    const demoEnv = {
      ...env,
      SEOUL_API_KEY: SIMULATOR_KEY,
      SEOUL_API_BASE_URL: baseUrl,
      LAKE_DIR: undefined,
    };
    const resolved = resolveLocalConfig(
      {
        ...args.values,
        concurrency: args.values.concurrency ?? (days ? String(HISTORY_CONCURRENCY) : undefined),
      },
      demoEnv,
      { lake: './demo-lake' },
    );
    // Over Kafka, simulated envelopes go to a topic of their own, never the real one.
    const config = { ...resolved, topic: `${resolved.topic}.simulated` };
    const log = logFor(config, env, io);
    io.err(`[SIMULATED] API simulator on ${baseUrl}`);
    const client = new SeoulApiClient({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      timeoutMs: config.requestTimeoutMs,
      maxAnswerBytes: config.maxAnswerBytes,
      log,
    });
    const pipeline = await openPipeline(
      config,
      true,
      log,
      io,
      days === undefined ? client : onSimulatedClock(client, clock),
    );
    let reportIsCurrent = false;
    const report = async () => {
      await reportAfterDemo(config.lake, io);
      reportIsCurrent = true;
    };
    try {
      if (days !== undefined) {
        simulatedHistory = true;
        return await simulateHistory(pipeline, clock, days, io);
      }
      return await collect(pipeline, config, io, async () => {
        reportIsCurrent = false;
        await report();
      });
    } finally {
      await pipeline.close();
      // Whatever ended the demo (the last run, Ctrl-C, a failed run), it leaves its report.
      if (!reportIsCurrent) await report();
    }
  } catch (error) {
    return failure(error, io);
  } finally {
    await simulator.stop();
  }
}

/**
 * `demo --days N`: every scheduled run of the last N days, oldest first, on a simulated clock
 * (the simulator answers as it would have then; envelopes carry then as collectedAt and fetchedAt),
 * through the same pipeline as a live run. A signal stops it after the run in progress.
 */
async function simulateHistory(
  pipeline: Pipeline,
  clock: SimulatedClock,
  days: number,
  io: CommandIo,
): Promise<number> {
  const slots = historySlots(new Date(), days);
  const first = slots[0] as Date;
  const last = slots[slots.length - 1] as Date;
  io.err(
    `[SIMULATED] simulating ${slots.length} scheduled runs (${days} day(s), ${kstText(first)} to ${kstText(last)}) into ${pipeline.location}`,
  );
  const started = performance.now();
  const places = { ok: 0, asked: 0 };
  let runs = 0;
  const sayStop = () =>
    io.err(`finishing simulated run ${runs + 1} of ${slots.length}, then writing the report`);
  io.signal.addEventListener('abort', sayStop, { once: true });
  for (const slot of slots) {
    if (io.signal.aborted) break;
    // Answers arrive some seconds after the scheduled time, as in a live run.
    clock.set(new Date(slot.getTime() + 30_000));
    // Each simulated run takes a fraction of a second: a signal lets it finish rather than abandon it.
    const summary = await runOnce({ ...pipeline.deps, stop: undefined, notify: undefined }, slot);
    runs += 1;
    places.ok += summary.places.ok;
    places.asked += summary.places.asked;
    io.live?.(`[SIMULATED] ${runs}/${slots.length} runs (${kstText(slot)})`);
  }
  io.signal.removeEventListener('abort', sayStop);
  io.live?.('');
  const seconds = (performance.now() - started) / 1000;
  const stopped = runs < slots.length ? `stopped by ${String(io.signal.reason)} after ` : '';
  io.out(
    `[SIMULATED] ${stopped}${runs} of ${slots.length} runs written in ${seconds.toFixed(1)} s: ${places.ok} of ${places.asked} place answers collected`,
  );
  return runs > 0 && places.ok > 0 ? EXIT.ok : EXIT.runFailed;
}
