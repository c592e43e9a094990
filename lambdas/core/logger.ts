import { escapeControls } from './printable.js';

/**
 * The logging surface the core needs. Powertools' `Logger` satisfies it on Lambda; the local
 * command line uses {@link ConsoleLog}. Messages are short and lower-case; details go in `extra`.
 */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Log levels, least important first; `silent` shows nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LEVELS = LOG_LEVELS;

/** `json`: one JSON object per line (machines, Lambda); `text`: one readable line (a person at a terminal). */
export type LogFormat = 'json' | 'text';

/**
 * One log line per call on stderr, so stdout stays free for summaries and query results: JSON by
 * default, or `level time message key=value…` for a person reading a terminal.
 */
export class ConsoleLog implements Log {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly format: LogFormat = 'json',
  ) {
    this.threshold = LEVELS.indexOf(level);
  }

  debug(message: string, extra?: Record<string, unknown>): void {
    this.emit('debug', message, extra);
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.emit('info', message, extra);
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.emit('warn', message, extra);
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.emit('error', message, extra);
  }

  private emit(level: LogLevel, message: string, extra?: Record<string, unknown>): void {
    if (LEVELS.indexOf(level) < this.threshold) return;
    const time = new Date().toISOString();
    // One line, whatever the values hold: JSON.stringify escapes C0 controls but not C1 ones or
    // bidirectional overrides, and a text line quotes only values with spaces. escapeControls
    // does the rest, with JSON's escapes, so a JSON line still means what it said.
    this.write(
      escapeControls(
        this.format === 'json'
          ? JSON.stringify({ level, time, message, ...extra })
          : textLine(level, time, message, extra),
      ),
    );
  }
}

/** `WARN  12:40:03Z place failed place=POI001 reason="HTTP 500"`: strings with spaces are quoted. */
function textLine(level: LogLevel, time: string, message: string, extra?: Record<string, unknown>): string {
  const fields = Object.entries(extra ?? {}).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}=${typeof value === 'string' && /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  });
  return [level.toUpperCase().padEnd(5), `${time.slice(11, 19)}Z`, message, ...fields].join(' ');
}
