import { describeError } from '../../core/errors.js';
import { type RunSummary, runFailed } from '../../core/run-summary.js';
import { runMinutesText } from '../../core/settings.js';
import { type CommandIo, EXIT } from '../command-io.js';
import type { LocalConfig } from '../config.js';
import { RunProgress } from '../progress.js';
import { formatRunSummary, kstClockText, kstText } from '../run-text.js';
import type { Pipeline } from './local-pipeline.js';
import { runOnce } from './runner.js';
import { runOnSchedule } from './schedule.js';

/** One run with live progress on a terminal and its summary at the end. */
async function runWithProgress(pipeline: Pipeline, collectedAt: Date, io: CommandIo): Promise<RunSummary> {
  // The catalogue is read again before every run: an imported list is collected from the next run on.
  const { places, notices } = await pipeline.placesForRun();
  for (const notice of notices) io.err(notice);
  const progress = new RunProgress(io.live);
  progress.begin(collectedAt, places.length, pipeline.deps.simulated ? '[SIMULATED] ' : '');
  try {
    const summary = await runOnce(
      { ...pipeline.deps, places, onPlaceDone: (outcome) => progress.placeDone(outcome) },
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
export async function collect(
  pipeline: Pipeline,
  config: LocalConfig,
  io: CommandIo,
  afterRun: () => Promise<void> = async () => {},
): Promise<number> {
  const tag = pipeline.deps.simulated ? '[SIMULATED] ' : '';
  io.err(
    `${tag}collecting ${pipeline.deps.places.length} place(s) into ${pipeline.location} via ${pipeline.description}` +
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
 * `--once`: 1 when the run failed (the fetcher's verdict: no place collected, some failed), and 1
 * when its answers are not in the lake yet (waiting: a full disk, a Kafka that stopped answering):
 * the command ends, but the run is not complete until a later drain or start writes them. Else 0.
 */
export function exitStatusOf(summary: RunSummary): number {
  return runFailed(summary) || summary.waiting ? EXIT.runFailed : EXIT.ok;
}
