import type { TestContext } from 'node:test';
import type { DocCommand } from './doc-blocks.js';
import type { RunOptions, RunResult, Sandbox } from './sandbox.js';

/**
 * A journey: what a person does with some documented commands, run as they run them, and what
 * they must see, checked against an oracle the code under test did not compute. One file
 * `test/journeys/<name>.journey.ts` exports `journeys: Journey[]`.
 */
export interface Journey {
  /** What the person does, as the test's name. */
  readonly name: string;
  /**
   * The documented commands this journey runs: each pattern is tested against every command of
   * the docs' shell blocks (whitespace made single spaces). Every documented command must match
   * some journey, and every pattern some command. Empty for a journey no single command stands
   * for (a convention checked across commands).
   */
  readonly covers: readonly RegExp[];
  /** Runs the journey; it must run (or vouch for) every command it covers. */
  run(context: JourneyContext): Promise<void>;
}

export interface JourneyContext {
  readonly t: TestContext;
  readonly sandbox: Sandbox;
  /** The documented commands this journey's patterns matched, in the docs' order. */
  readonly commands: readonly DocCommand[];
  /** The commands matching one pattern (at least one, or the journey is out of date). */
  commandsLike(pattern: RegExp): DocCommand[];
  /**
   * Runs a documented command exactly as written, in the sandbox. `replace` swaps a placeholder
   * for what a person would type there (`<ACCOUNT_ID>`, `…`); nothing else may change.
   */
  run(
    command: DocCommand,
    options?: RunOptions & { replace?: Record<string, string>; in?: Sandbox },
  ): Promise<RunResult>;
  /**
   * A copy of the repository of the journey's own, for commands that change a lake others read
   * (the live demo, replay): removed after the suite. `withDemoLake` copies the demo lake into it.
   */
  freshSandbox(options?: { withDemoLake?: boolean }): Promise<Sandbox>;
  /** For a command that cannot run here (it needs AWS): says why; the journey checks what it can. */
  vouch(command: DocCommand, why: string): void;
  /** A lake written by the README's own demo command (`npm run demo -- --days 2`), made once. */
  demoLake(): Promise<{ lake: string; result: RunResult; command: DocCommand }>;
}

/** Where a documented command is, for messages. */
export const where = (command: DocCommand) => `${command.file}:${command.line}: ${command.normalized}`;
