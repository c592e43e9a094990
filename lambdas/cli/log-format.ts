import { ConsoleLog, type Log, type LogFormat } from '../core/logger.js';
import { SETTINGS, settingFromEnv } from '../core/settings.js';
import type { CommandIo } from './command-io.js';
import type { LocalConfig } from './config.js';

/** The log format: `LOG_FORMAT` if set, else readable lines on a terminal and JSON elsewhere. */
export function logFormatOf(env: NodeJS.ProcessEnv, stderrIsTerminal: boolean): LogFormat {
  return settingFromEnv(SETTINGS.logFormat, env) ?? (stderrIsTerminal ? 'text' : 'json');
}

export function logFor(config: LocalConfig, env: NodeJS.ProcessEnv, io: CommandIo): Log {
  return new ConsoleLog(config.logLevel, io.err, logFormatOf(env, io.stderrIsTerminal === true));
}
