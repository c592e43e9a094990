import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NO_CATALOG } from '../core/catalog/partition-catalog.js';
import { ConfigError, describeError } from '../core/errors.js';
import { writeBatch } from '../core/lake/lake-writer.js';
import { ConsoleLog, type Log } from '../core/logger.js';
import { formatRunSummary, type RunSummary, runFailed } from '../core/run-summary.js';
import { SeoulApiClient } from '../core/seoul-api/client.js';
import { runMinutesText } from '../core/settings.js';
import { LocalFolderStore } from '../core/storage/local-folder-store.js';
import { type CommandIo, EXIT } from './command-io.js';
import { defaultLakeDir, type LocalConfig, parseRunArgs, RUN_USAGE, resolveLocalConfig } from './config.js';
import { openLake } from './duckdb-lake.js';
import { guardLake } from './lake-guard.js';
import { reportAfterDemo } from './report-command.js';
import { runOnce } from './runner.js';
import { runOnSchedule } from './schedule.js';
import { ApiSimulator } from './simulator/server.js';
import { formatTextTable } from './text-table.js';
import { createTransport } from './transport-factory.js';

export { type CommandIo, EXIT } from './command-io.js';

/** The key the demo's simulator accepts. Not a secret: the simulator serves made-up data. */
const SIMULATOR_KEY = 'simulator-demo-key';

interface PipelineRun {
  readonly config: LocalConfig;
  readonly simulated: boolean;
  readonly log: Log;
}

async function runPipeline({ config, simulated, log }: PipelineRun, io: CommandIo): Promise<number> {
  const store = new LocalFolderStore(config.lake);
  await store.ensureWritable();
  await guardLake(store.location, simulated);
  const client = new SeoulApiClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.requestTimeoutMs,
    maxAnswerBytes: config.maxAnswerBytes,
    log,
  });
  const transport = await createTransport({
    kafkaBrokers: config.kafkaBrokers,
    topic: config.topic,
    log,
    groupId: writerGroupFor(store.location),
    deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
  });
  const deps = {
    client,
    places: config.places,
    transport,
    store,
    log,
    concurrency: config.concurrency,
    runTimeoutMs: config.runTimeoutMs,
    simulated,
  };
  io.err(
    `${simulated ? '[SIMULATED] ' : ''}collecting ${config.places.length} place(s) into ${store.location} via ${transport.description}` +
      (config.once
        ? ''
        : `, now and then at every ${runMinutesText(config.runIntervalMinutes)} (Asia/Seoul); Ctrl-C stops`),
  );
  try {
    if (config.once) {
      const summary = await runOnce(deps, new Date(Math.floor(Date.now() / 60_000) * 60_000));
      io.out(formatRunSummary(summary));
      if (summary.keyRefused) io.err(`error: ${summary.keyRefused}`);
      return exitStatusOf(summary);
    }
    await runOnSchedule({
      signal: io.signal,
      everyMinutes: config.runIntervalMinutes,
      onSkipped: (slots) =>
        io.err(`skipped ${slots.map((s) => s.toISOString()).join(', ')}: the previous run overran them`),
      runAt: async (collectedAt) => {
        try {
          const summary = await runOnce(deps, collectedAt);
          io.out(formatRunSummary(summary));
          // The collected answers are kept and the schedule goes on, but this must not go unseen.
          if (summary.keyRefused)
            io.err(`error: ${summary.keyRefused} Collection continues at the next slot.`);
        } catch (error) {
          io.err(`run for ${collectedAt.toISOString()} failed: ${describeError(error)}`);
        }
      },
    });
    return EXIT.ok;
  } finally {
    await transport.close();
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

function failure(error: unknown, io: CommandIo): number {
  io.err(`error: ${describeError(error)}`);
  return error instanceof ConfigError ? EXIT.badConfig : EXIT.runFailed;
}

/** `npm start`: the collector on the embedded default. */
export async function startCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  try {
    const args = parseRunArgs(argv);
    if (args.help) {
      io.out(`Usage: npm start -- [options]\n${RUN_USAGE}`);
      return EXIT.ok;
    }
    const config = resolveLocalConfig(args.values, env, { lake: defaultLakeDir(env) });
    for (const notice of config.notices) io.err(notice);
    const log = new ConsoleLog(config.logLevel);
    return await runPipeline({ config, simulated: false, log }, io);
  } catch (error) {
    return failure(error, io);
  }
}

/**
 * `npm run demo`: the whole local pipeline against the built-in API simulator, with no network.
 * Its output is marked simulated and goes to a lake of its own (./demo-lake unless --lake).
 */
export async function demoCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  const simulator = new ApiSimulator({ validKeys: [SIMULATOR_KEY] });
  try {
    const args = parseRunArgs(argv);
    if (args.help) {
      io.out(
        `Usage: npm run demo -- [options]  (same options as npm start; the API is simulated)\n${RUN_USAGE}`,
      );
      return EXIT.ok;
    }
    const baseUrl = await simulator.start();
    // The demo never touches the real API or the real lake: LAKE_DIR and the key are ignored.
    const demoEnv = { ...env, SEOUL_API_KEY: SIMULATOR_KEY, SEOUL_API_BASE_URL: baseUrl };
    const resolved = resolveLocalConfig(args.values, demoEnv, { lake: './demo-lake' });
    // Over Kafka, simulated envelopes go to a topic of their own, never the real one.
    const config = { ...resolved, topic: `${resolved.topic}.simulated` };
    const log = new ConsoleLog(config.logLevel);
    io.err(`[SIMULATED] API simulator on ${baseUrl}`);
    const status = await runPipeline({ config, simulated: true, log }, io);
    await reportAfterDemo(config.lake, io);
    return status;
  } catch (error) {
    return failure(error, io);
  } finally {
    await simulator.stop();
  }
}

/** `npm run query -- "<sql>" [--lake DIR]`: SQL over the lake with DuckDB, printed as a table. */
export async function queryCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  let sql: string;
  let lake: string;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { lake: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    sql = positionals.join(' ').trim();
    if (sql === '')
      throw new ConfigError(
        'usage: npm run query -- "<sql>" [--lake DIR]   e.g. "SELECT count(*) FROM population"',
      );
    lake = values.lake ?? defaultLakeDir(env);
  } catch (error) {
    return failure(error instanceof ConfigError ? error : new ConfigError((error as Error).message), io);
  }
  const { connection, close } = await openLake(lake);
  try {
    const reader = await connection.runAndReadAll(sql);
    io.out(formatTextTable(reader.columnNames(), reader.getRowsJson()));
    return EXIT.ok;
  } catch (error) {
    io.err(`query failed: ${(error as Error).message}`);
    return EXIT.runFailed;
  } finally {
    close();
  }
}
