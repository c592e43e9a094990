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

/** One JSON object per line on stderr, so stdout stays free for summaries and query results. */
export class ConsoleLog implements Log {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
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
    this.write(JSON.stringify({ level, time: new Date().toISOString(), message, ...extra }));
  }
}
