/**
 * The journeys suite (`npm run test:journeys`, run by CI, not by `npm test`): every command of
 * the docs' shell blocks, run the way a person runs it, its output checked against an oracle.
 * Each `*.journey.ts` beside this file exports `journeys`; this file finds them, checks that every
 * documented command has one, and runs them one after the other in a copy of the repository.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, describe, it, test } from 'node:test';
import { allBlocks, type DocCommand, documentedCommands } from './support/doc-blocks.js';
import { type Journey, type JourneyContext, where } from './support/journey.js';
import { REPO, type RunResult, Sandbox } from './support/sandbox.js';
import { screenText } from './support/screen.js';

const files = readdirSync(import.meta.dirname)
  .filter((name) => name.endsWith('.journey.ts'))
  .sort();
const journeys: Journey[] = [];
for (const file of files) {
  const module = (await import(`./${file}`)) as { journeys?: Journey[] };
  assert.ok(Array.isArray(module.journeys), `${file} exports no journeys`);
  journeys.push(...module.journeys);
}
const commands = documentedCommands(REPO);
const matches = (journey: Journey, command: DocCommand) =>
  journey.covers.some((p) => p.test(command.normalized));

describe('every documented command has a journey', () => {
  it('finds commands in the docs and journeys beside this file', () => {
    assert.ok(commands.length > 0, 'no command in any shell block of README.md or docs/*.md');
    assert.ok(journeys.length > 0);
  });

  it('each command of a shell block is covered by a journey', () => {
    const orphans = commands.filter((command) => !journeys.some((journey) => matches(journey, command)));
    assert.deepEqual(
      orphans.map(where),
      [],
      'write a journey for each (docs/contributing.md#journeys says how), or take the command out of the docs',
    );
  });

  it('each pattern of a journey matches a documented command (no journey for a command the docs dropped)', () => {
    const stale = journeys.flatMap((journey) =>
      journey.covers
        .filter((pattern) => !commands.some((command) => pattern.test(command.normalized)))
        .map((pattern) => `${journey.name}: ${pattern}`),
    );
    assert.deepEqual(stale, []);
  });

  it('every fenced block says what it holds (sh, text, sql duckdb|redshift, ts, …), so none hides a command', () => {
    const untold = allBlocks(REPO).filter((block) => block.info.length === 0);
    assert.deepEqual(
      untold.map((block) => `${block.file}:${block.line}`),
      [],
      'give each fence an info string: sh for commands, text for output and layouts',
    );
  });

  it('journey names are unique', () => {
    const names = journeys.map((journey) => journey.name);
    assert.deepEqual(
      names.filter((name, i) => names.indexOf(name) !== i),
      [],
    );
  });
});

describe('journeys', () => {
  let sandbox: Sandbox | undefined;
  const shared = () => {
    sandbox ??= new Sandbox();
    return sandbox;
  };
  let demo: Promise<{ lake: string; result: RunResult; command: DocCommand }> | undefined;
  const fresh: Sandbox[] = [];
  after(() => {
    sandbox?.remove();
    for (const one of fresh) one.remove();
  });

  // JOURNEYS_ONLY=<regex> runs the journeys whose name matches (the coverage checks always run).
  const only = process.env.JOURNEYS_ONLY ? new RegExp(process.env.JOURNEYS_ONLY, 'i') : undefined;
  for (const journey of journeys.filter((j) => !only || only.test(j.name))) {
    test(journey.name, async (t) => {
      const mine = commands.filter((command) => matches(journey, command));
      const done = new Set<DocCommand>();
      // The same text documented twice (README and docs/) is one command: running it once runs both.
      const markDone = (command: DocCommand) => {
        for (const same of mine) if (same.normalized === command.normalized) done.add(same);
      };
      const context: JourneyContext = {
        t,
        get sandbox() {
          return shared();
        },
        commands: mine,
        commandsLike(pattern) {
          const like = mine.filter((command) => pattern.test(command.normalized));
          assert.ok(like.length > 0, `no documented command like ${pattern} among this journey's`);
          return like;
        },
        async run(command, options = {}) {
          let text = command.text;
          for (const [placeholder, value] of Object.entries(options.replace ?? {})) {
            assert.ok(text.includes(placeholder), `${where(command)} has no ${placeholder}`);
            text = text.split(placeholder).join(value);
          }
          markDone(command);
          return (options.in ?? shared()).run(text, options);
        },
        async freshSandbox(options = {}) {
          const sandbox = new Sandbox(''); // never the kept one
          fresh.push(sandbox);
          if (options.withDemoLake) {
            const { lake } = await context.demoLake();
            cpSync(lake, sandbox.path('demo-lake'), { recursive: true });
          }
          return sandbox;
        },
        vouch(command, why) {
          assert.ok(why.length > 10, 'say why the command cannot run here');
          t.diagnostic(`not run here (${why}): ${where(command)}`);
          markDone(command);
        },
        async demoLake() {
          demo ??= (async () => {
            const [command] = commands.filter((c) => /^npm run demo -- --days \d+$/.test(c.normalized));
            assert.ok(command, 'the docs show no `npm run demo -- --days N`');
            const lake = shared().path('demo-lake');
            // A kept sandbox (JOURNEYS_SANDBOX) reuses the lake and what its making printed.
            const saved = shared().path('.journeys-demo.json');
            if (shared().kept && existsSync(saved) && existsSync(lake)) {
              const result = JSON.parse(readFileSync(saved, 'utf8')) as RunResult;
              return { lake, result: { ...result, screen: screenText(result.stdout) }, command };
            }
            rmSync(lake, { recursive: true, force: true }); // a kept sandbox's old one, or nothing
            const result = await shared().run(command.text, { terminal: true, timeoutMs: 600_000 });
            assert.equal(result.status, 0, result.screen);
            writeFileSync(saved, JSON.stringify(result));
            return { lake, result, command };
          })();
          const made = await demo;
          if (mine.includes(made.command)) markDone(made.command);
          return made;
        },
      };
      await journey.run(context);
      const skipped = mine.filter((command) => !done.has(command));
      assert.deepEqual(skipped.map(where), [], 'the journey covers these commands but never ran them');
    });
  }
});
