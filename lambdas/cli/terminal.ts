import type { CommandIo } from './command-io.js';

interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * The CLI's output: results and human text on stdout, notices and logs on stderr. On a terminal
 * it adds a live status line (rewritten in place) that any other output clears first, so progress
 * never garbles a summary or a log line.
 */
export function terminalIo(stdout: Stream, stderr: Stream, signal: AbortSignal): CommandIo {
  let liveShown = false;
  const clearLive = () => {
    if (liveShown) stdout.write('\r\x1b[2K');
    liveShown = false;
  };
  return {
    out: (text) => {
      clearLive();
      stdout.write(`${text}\n`);
    },
    err: (text) => {
      clearLive();
      stderr.write(`${text}\n`);
    },
    signal,
    live: stdout.isTTY
      ? (text) => {
          clearLive();
          if (text === '') return;
          stdout.write(text);
          liveShown = true;
        }
      : undefined,
    stderrIsTerminal: stderr.isTTY === true,
  };
}
