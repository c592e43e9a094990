import { type CommandIo, EXIT, failure } from '../command-io.js';
import { defaultLakeDir, parseRunArgs, resolveLocalConfig } from '../config.js';
import { START_USAGE } from '../help.js';
import { logFor } from '../log-format.js';
import { collect } from '../pipeline/collect-loop.js';
import { openPipeline } from '../pipeline/local-pipeline.js';

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
