import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { positiveInteger, SETTINGS } from '../../core/settings.js';
import { type CommandIo, EXIT, failure } from '../command-io.js';
import { DEMO_OPTIONS, parseRunArgs, resolveLocalConfig } from '../config.js';
import { DEMO_USAGE } from '../help.js';
import { SIMULATED_MARKER } from '../lake-files.js';
import { FAULTS_MARK } from '../lake-folder.js';
import { logFor } from '../log-format.js';
import { collect } from '../pipeline/collect-loop.js';
import { historySlots, onSimulatedClock, SimulatedClock } from '../pipeline/history.js';
import { apiClientOf, openPipeline, type Pipeline } from '../pipeline/local-pipeline.js';
import { runOnce } from '../pipeline/runner.js';
import { kstText } from '../run-text.js';
import { collectorDown, demoFaults, FAULTS_NOTICE } from '../simulator/demo-faults.js';
import { ApiSimulator } from '../simulator/server.js';
import { reportAfterDemo } from './report.js';

/** The key the demo's simulator accepts. Not a secret: the simulator serves made-up data. */
const SIMULATOR_KEY = 'simulator-demo-key';

/** `--days` range of the demo: up to a season of history (72 runs a day). */
const MAX_DEMO_DAYS = 90;

/** The demo's concurrency for `--days`: the simulator is local, and history should take seconds. */
const HISTORY_CONCURRENCY = 32;

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
      [SETTINGS.apiKey.env]: SIMULATOR_KEY,
      [SETTINGS.apiBaseUrl.env]: baseUrl,
      [SETTINGS.lakeDir.env]: undefined,
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
    const faults = args.values.faults === true;
    if (faults) {
      simulator.setFaults(demoFaults(days === undefined));
      io.err(`[SIMULATED] ${FAULTS_NOTICE}`);
    }
    // History happens on the simulated clock: a back-off between attempts takes no real time there.
    const client = apiClientOf(config, log, days === undefined ? undefined : noWaitOnSimulatedClock);
    const pipeline = await openPipeline(
      config,
      true,
      log,
      io,
      days === undefined ? client : onSimulatedClock(client, clock),
    );
    if (faults) await markFaults(config.lake);
    let reportIsCurrent = false;
    let reportWritten = false;
    const report = async () => {
      reportWritten = await reportAfterDemo(config.lake, io, config.runIntervalMinutes);
      reportIsCurrent = true;
    };
    let status: number;
    try {
      if (days !== undefined) {
        simulatedHistory = true;
        status = await simulateHistory(pipeline, clock, days, config.runIntervalMinutes, faults, io);
      } else {
        status = await collect(pipeline, config, io, async () => {
          reportIsCurrent = false;
          await report();
        });
      }
    } finally {
      await pipeline.close();
      // Whatever ended the demo (the last run, Ctrl-C, a failed run), it leaves its report.
      if (!reportIsCurrent) await report();
    }
    // The last report is the one a person opens: if it could not be written, the demo failed.
    return reportWritten ? status : EXIT.runFailed;
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
  runIntervalMinutes: number,
  faults: boolean,
  io: CommandIo,
): Promise<number> {
  const slots = historySlots(new Date(), days, runIntervalMinutes);
  const runsPerDay = (24 * 60) / runIntervalMinutes;
  let leftOut = 0;
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
    // --faults: the collector was down for this one (a restart, a deploy): the run never happens.
    if (faults && collectorDown(slot, runsPerDay)) {
      leftOut += 1;
      continue;
    }
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
  const stopped = runs + leftOut < slots.length ? `stopped by ${String(io.signal.reason)} after ` : '';
  const skipped = leftOut > 0 ? ` (${leftOut} left out: the collector was down, --faults)` : '';
  io.out(
    `[SIMULATED] ${stopped}${runs} of ${slots.length} runs written in ${seconds.toFixed(1)} s${skipped}: ${places.ok} of ${places.asked} place answers collected`,
  );
  return runs > 0 && places.ok > 0 ? EXIT.ok : EXIT.runFailed;
}

/**
 * Says in the lake's simulated marker that faults were injected, so the report can say so next to
 * its failure charts: a failure there is the simulator's doing, not the pipeline's.
 */
async function markFaults(lake: string): Promise<void> {
  const marker = join(lake, SIMULATED_MARKER);
  const text = await readFile(marker, 'utf8');
  if (!text.includes(FAULTS_MARK)) await appendFile(marker, `${FAULTS_MARK}: ${FAULTS_NOTICE}\n`);
}

/** The client's wait between attempts during `--days`: none, but a signal still stops it. */
async function noWaitOnSimulatedClock(_ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw signal.reason;
}
