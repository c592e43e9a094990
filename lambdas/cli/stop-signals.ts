/**
 * Ctrl-C and SIGTERM for the long-running commands (`start`, `demo`).
 *
 * The first signal asks the command to stop: it aborts {@link StopSignals.signal}, and the command
 * finishes or abandons its current run, says which, and writes what it promised (outcomes, the
 * demo's report). A second signal exits at once with 128 + the signal's number.
 *
 * One Ctrl-C can arrive more than once: the terminal sends SIGINT to the whole foreground process
 * group, and `npm run` forwards the SIGINT it received to its child as well. Copies that arrive
 * within `sameSignalWithinMs` of the first are therefore taken as the same keypress, not as the
 * second signal. This module imports nothing heavy, so the CLI can install it before anything else
 * loads: a signal during start-up must not kill the process the default way either.
 */

export type StopSignalName = 'SIGINT' | 'SIGTERM';

/** The part of `process` this module uses: injectable, so tests can send signals synchronously. */
export interface SignalSource {
  on(signal: StopSignalName, listener: (signal: StopSignalName) => void): unknown;
  off(signal: StopSignalName, listener: (signal: StopSignalName) => void): unknown;
}

export interface StopSignalsOptions {
  /** Tells the user what the signal does (stderr). */
  readonly say: (text: string) => void;
  /** Ends the process at once; called on the second signal. */
  readonly exit: (status: number) => void;
  readonly source?: SignalSource;
  readonly now?: () => number;
  /** Signals this close to the first are copies of it (the terminal's and npm's). @default 500 */
  readonly sameSignalWithinMs?: number;
  /** Keeps the process alive for a while. Injected by tests. @default a timer */
  readonly stayAliveFor?: (ms: number) => void;
}

export interface StopSignals {
  /** Aborted by the first signal; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Removes the listeners (tests; the CLI keeps them for its whole life). */
  dispose(): void;
}

const SIGNAL_NUMBERS: Record<StopSignalName, number> = { SIGINT: 2, SIGTERM: 15 };

export function installStopSignals(options: StopSignalsOptions): StopSignals {
  const source = options.source ?? process;
  const now = options.now ?? Date.now;
  const window = options.sameSignalWithinMs ?? 500;
  const stayAliveFor = options.stayAliveFor ?? ((ms: number) => setTimeout(() => {}, ms));
  const controller = new AbortController();
  let firstAt: number | undefined;

  const listener = (signal: StopSignalName) => {
    const at = now();
    if (firstAt === undefined) {
      firstAt = at;
      options.say(
        `${signal} received: stopping (${signal === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to exit at once)`,
      );
      controller.abort(signal);
      // A command that stops quickly would otherwise be tearing down (its signal handlers gone)
      // when npm's forwarded copy of this Ctrl-C arrives, and die of it: stay alive to receive it.
      stayAliveFor(window);
      return;
    }
    if (at - firstAt <= window) return; // the same keypress, delivered by another layer
    options.say(`${signal} received again: exiting at once`);
    options.exit(128 + SIGNAL_NUMBERS[signal]);
  };
  // `on`, never `once`: with no listener left, Node (and tsx's signal relay) would kill the process
  // the default way, which is exactly the second-signal race that lost the demo's report.
  source.on('SIGINT', listener);
  source.on('SIGTERM', listener);
  return {
    signal: controller.signal,
    dispose: () => {
      source.off('SIGINT', listener);
      source.off('SIGTERM', listener);
    },
  };
}
