#!/usr/bin/env node
/**
 * The local command line: `npm start`, `npm run demo`, `npm run query`, `npm run report`,
 * `npm run replay`, `npm run check`.
 * Entry point only: every command lives in lambdas/local/.
 */
import { checkCommand } from '../lambdas/local/check-command.js';
import { demoCommand, queryCommand, startCommand } from '../lambdas/local/commands.js';
import { replayCommand } from '../lambdas/local/replay-command.js';
import { reportCommand } from '../lambdas/local/report-command.js';

const commands = {
  start: startCommand,
  demo: demoCommand,
  query: queryCommand,
  report: reportCommand,
  replay: replayCommand,
  check: checkCommand,
} as const;

const [name = 'start', ...argv] = process.argv.slice(2);
const command = commands[name as keyof typeof commands];
if (!command) {
  process.stderr.write(
    `unknown command ${JSON.stringify(name)}; expected one of ${Object.keys(commands).join(', ')}\n`,
  );
  process.exit(2);
}

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping after the current run\n`);
    stop.abort();
  });
}

const status = await command(argv, process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  signal: stop.signal,
});
process.exitCode = status;
