import { ConfigError, describeError } from '../core/errors.js';
import { ConsoleLog, type Log, type LogFormat } from '../core/logger.js';
import { type CommandIo, EXIT } from './command-io.js';
import { defaultLakeDir, type LocalConfig, parseRunArgs, resolveLocalConfig } from './config.js';
import { START_USAGE } from './help.js';
import { collect, openPipeline } from './local-pipeline.js';

export { type CommandIo, EXIT } from './command-io.js';

/** The log format: `LOG_FORMAT` if set, else readable lines on a terminal and JSON elsewhere. */
export function logFormatOf(env: NodeJS.ProcessEnv, stderrIsTerminal: boolean): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (value === undefined || value === '') return stderrIsTerminal ? 'text' : 'json';
  if (value === 'json' || value === 'text') return value;
  throw new ConfigError(`LOG_FORMAT must be one of text, json, got ${JSON.stringify(env.LOG_FORMAT)}`);
}

/** The local command line's log: to stderr through the command's output (so it never garbles progress). */
export function logFor(config: LocalConfig, env: NodeJS.ProcessEnv, io: CommandIo): Log {
  return new ConsoleLog(config.logLevel, io.err, logFormatOf(env, io.stderrIsTerminal === true));
}

/** Says what went wrong; exit 2 for a configuration error, 1 for anything else. */
export function failure(error: unknown, io: CommandIo): number {
  io.err(`error: ${describeError(error)}`);
  return error instanceof ConfigError ? EXIT.badConfig : EXIT.runFailed;
}

/** `npm start`: the collector on the embedded default. */
export async function startCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  try {
    const args = parseRunArgs(argv, START_USAGE);
    if (args.help) {
      io.out(START_USAGE);
      return EXIT.ok;
    }
    const config = resolveLocalConfig(args.values, env, { lake: defaultLakeDir(env) });
    const log = logFor(config, env, io);
    for (const notice of config.notices) io.err(notice);
    const pipeline = await openPipeline(config, false, log, io);
    try {
      return await collect(pipeline, config, io);
    } finally {
      await pipeline.close();
    }
  } catch (error) {
    return failure(error, io);
  }
}
