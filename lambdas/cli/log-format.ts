import { ConfigError } from '../core/errors.js';
import { ConsoleLog, type Log, type LogFormat } from '../core/logger.js';
import type { CommandIo } from './command-io.js';
import type { LocalConfig } from './config.js';

/** The log format: `LOG_FORMAT` if set, else readable lines on a terminal and JSON elsewhere. */
export function logFormatOf(env: NodeJS.ProcessEnv, stderrIsTerminal: boolean): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (value === undefined || value === '') return stderrIsTerminal ? 'text' : 'json';
  if (value === 'json' || value === 'text') return value;
  throw new ConfigError(`LOG_FORMAT must be one of text, json, got ${JSON.stringify(env.LOG_FORMAT)}`);
}

export function logFor(config: LocalConfig, env: NodeJS.ProcessEnv, io: CommandIo): Log {
  return new ConsoleLog(config.logLevel, io.err, logFormatOf(env, io.stderrIsTerminal === true));
}
