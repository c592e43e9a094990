import { ConfigError, describeError } from '../core/errors.js';

/** Where a command writes: stdout for results and human text, stderr for notices, errors and logs. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Aborted by the first Ctrl-C / SIGTERM: the command finishes or abandons its run, then stops. */
  readonly signal: AbortSignal;
  /** Rewrites one status line in place (live progress); present only when stdout is a terminal. */
  readonly live?: (text: string) => void;
  /** Whether stderr is a terminal: logs are readable lines there, JSON lines otherwise. */
  readonly stderrIsTerminal?: boolean;
}

/** Exit statuses of the command line. */
export const EXIT = { ok: 0, runFailed: 1, badConfig: 2 } as const;

/** Reports an error on stderr; its exit status: 2 for a configuration error, else 1. */
export function failure(error: unknown, io: CommandIo): number {
  io.err(`error: ${describeError(error)}`);
  return error instanceof ConfigError ? EXIT.badConfig : EXIT.runFailed;
}
