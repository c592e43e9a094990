/** Where a command writes: stdout for results, stderr for notices and errors. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Aborted by Ctrl-C / SIGTERM: a continuous run stops after the current collection. */
  readonly signal: AbortSignal;
}

/** Exit statuses of the command line. */
export const EXIT = { ok: 0, runFailed: 1, badConfig: 2 } as const;
