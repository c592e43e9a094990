import { escapeControls } from '../core/printable.js';
import type { CommandIo } from './command-io.js';

interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * The CLI's output: results and human text on stdout, notices and logs on stderr. On a terminal
 * it adds a live status line (rewritten in place) that any other output clears first, so progress
 * never garbles a summary or a log line. Every text passes through {@link escapeControls} (line
 * breaks kept): whatever a command prints, text from the API or the lake cannot drive the terminal.
 * The commands also escape such text where they put it in a line, line breaks included.
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
      stdout.write(escapeControls(`${text}\n`, { keepNewlines: true }));
    },
    err: (text) => {
      clearLive();
      stderr.write(escapeControls(`${text}\n`, { keepNewlines: true }));
    },
    signal,
    live: stdout.isTTY
      ? (text) => {
          clearLive();
          if (text === '') return;
          stdout.write(escapeControls(text));
          liveShown = true;
        }
      : undefined,
    stderrIsTerminal: stderr.isTTY === true,
  };
}
