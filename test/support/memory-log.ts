import type { Log, LogLevel } from '../../lambdas/core/logger.js';

/** Collects log lines in memory: for tests that assert what was (or was not) logged. */
export class MemoryLog implements Log {
  readonly lines: { level: LogLevel; message: string; extra?: Record<string, unknown> }[] = [];
  debug(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, extra });
  }
  /** Everything logged, serialized: what a log sink would have stored. */
  text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }
}
