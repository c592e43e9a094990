#!/usr/bin/env node
/**
 * The local command line: `npm start`, `npm run demo`, `npm run query`, `npm run report`,
 * `npm run places`, `npm run replay`, `npm run check`, and, for a deployment on AWS, `npm run preflight`
 * and `npm run verify`. Entry point only: every command lives in
 * lambdas/cli/.
 */
import { hideHarmlessWarnings } from '../lambdas/cli/node-warnings.js';
import { installStopSignals } from '../lambdas/cli/stop-signals.js';

hideHarmlessWarnings(process, (text) => process.stderr.write(text));

// First, before anything heavy loads: from here on, Ctrl-C never kills the process the default
// way. The first signal asks the command to stop cleanly, a second one exits at once.
const stop = installStopSignals({
  say: (text) => process.stderr.write(`\n${text}\n`),
  exit: (status) => process.exit(status),
});

const { demoCommand } = await import('../lambdas/cli/commands/demo.js');
const { startCommand } = await import('../lambdas/cli/commands/start.js');
const { queryCommand } = await import('../lambdas/cli/commands/query.js');
const { placesCommand } = await import('../lambdas/cli/commands/places.js');
const { reportCommand } = await import('../lambdas/cli/commands/report.js');
const { replayCommand } = await import('../lambdas/cli/commands/replay.js');
const { checkCommand } = await import('../lambdas/cli/commands/check.js');
const { preflightCommand } = await import('../lambdas/cli/commands/preflight.js');
const { verifyCommand } = await import('../lambdas/cli/commands/verify.js');
const { terminalIo } = await import('../lambdas/cli/terminal.js');

const commands = {
  start: startCommand,
  demo: demoCommand,
  query: queryCommand,
  report: reportCommand,
  places: placesCommand,
  replay: replayCommand,
  check: checkCommand,
  preflight: preflightCommand,
  verify: verifyCommand,
} as const;

const [name = 'start', ...argv] = process.argv.slice(2);
const command = commands[name as keyof typeof commands];
if (!command) {
  process.stderr.write(
    `unknown command ${JSON.stringify(name)}; expected one of ${Object.keys(commands).join(', ')}\n`,
  );
  process.exit(2);
}

const status = await command(argv, process.env, terminalIo(process.stdout, process.stderr, stop.signal));
process.exitCode = status;
// A big result piped to a slow reader is still being written: the leave-anyway timer below must
// not start before it is (it cut a 9 MB query result short). An empty write's callback runs once
// every write before it has been handed to the operating system.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
);
// Everything promised is written. Should a library still hold the event loop open (a client that
// never closes), leave anyway after a moment rather than hang a finished command.
setTimeout(() => process.exit(status), 500).unref();
