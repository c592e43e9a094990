import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readAnswers } from './support/answers.js';
import { kstMinute, kstMinutesBetween, slotAtOrBefore } from './support/clock.js';
import type { DocCommand } from './support/doc-blocks.js';
import type { Journey } from './support/journey.js';
import { REPO } from './support/sandbox.js';

/**
 * The demo as the README shows it: a simulated history, one run, the live mode stopped by Ctrl-C
 * in a terminal. Oracles: the archived answers and their partition folders, the places list of
 * test/fixtures, and the clock read by the test around the command.
 */

/** The number of places in the portal's list (test/fixtures/places.csv, one line a place). */
const PLACES = readFileSync(`${REPO}/test/fixtures/places.csv`, 'utf8').trim().split('\n').length - 1;

function line(screen: string, pattern: RegExp): RegExpExecArray {
  const found = screen
    .split('\n')
    .map((text) => pattern.exec(text))
    .find(Boolean);
  assert.ok(found, `no line like ${pattern} in:\n${screen}`);
  return found;
}

export const journeys: Journey[] = [
  {
    name: 'demo --days 2: a simulated history of every scheduled run of the last 2 days, then the report',
    covers: [/^npm run demo -- --days 2$/],
    async run({ demoLake, sandbox }) {
      const { lake, result } = await demoLake();
      const answers = readAnswers(lake);
      const runs = [...new Set(answers.map((a) => a.runKst))].sort();
      assert.equal(runs.length, 2 * 24 * 3, 'every :00, :20 and :40 of two days (the README says 144)');
      const [, count, first, last, into] = line(
        result.screen,
        /^\[SIMULATED\] simulating (\d+) scheduled runs \(2 day\(s\), (.+) KST to (.+) KST\) into (.+)$/,
      );
      assert.equal(Number(count), runs.length);
      assert.equal(first, runs[0]);
      assert.equal(last, runs.at(-1));
      assert.ok(
        [slotAtOrBefore(result.startedAt), slotAtOrBefore(result.endedAt)].includes(last as string),
        `the last run ${last} is the latest slot when the demo ran`,
      );
      assert.equal(into, sandbox.path('demo-lake'));
      const [, written, of, ok, asked] = line(
        result.screen,
        /^\[SIMULATED\] (\d+) of (\d+) runs written in [\d.]+ s: (\d+) of (\d+) place answers collected$/,
      );
      assert.deepEqual([Number(written), Number(of)], [runs.length, runs.length]);
      assert.equal(Number(ok), answers.length, 'every answer collected is archived in raw/');
      assert.equal(Number(asked), runs.length * PLACES);
      assert.equal(line(result.screen, /^report: (.+)$/)[1], sandbox.path('demo-lake', 'report.html'));
      assert.ok(existsSync(sandbox.path('demo-lake', 'report.html')));
      // On a terminal the progress line is drawn and rewritten, and gone when the demo ends.
      assert.match(result.stdout, /\[SIMULATED\] 1\/144 runs \(/);
      assert.doesNotMatch(result.screen, /\d+\/144 runs/);
    },
  },
  {
    name: 'demo --once: one run, then the report, and its path last',
    covers: [/^npm run demo -- --once$/],
    async run({ commands, run, freshSandbox }) {
      const sandbox = await freshSandbox();
      for (const command of commands) {
        const result = await run(command, { in: sandbox, terminal: true });
        assert.equal(result.status, 0, result.screen);
        const report = sandbox.path('demo-lake', 'report.html');
        assert.equal(result.screen.trim().split('\n').at(-1), `report: ${report}`);
        assert.ok(existsSync(report));
        const answers = readAnswers(sandbox.path('demo-lake'));
        assert.equal(new Set(answers.map((a) => a.runId)).size, 1, 'one run');
        const [, ok, noData, failed, of] = line(
          result.screen,
          /^ {2}places: (\d+) ok, (\d+) no data, (\d+) failed \(of (\d+)\)$/,
        );
        assert.equal(Number(of), PLACES);
        assert.equal(Number(ok) + Number(noData) + Number(failed), PLACES);
        assert.equal(Number(ok), answers.length);
      }
    },
  },
  {
    name: 'the live demo in a terminal: a run now, the next slot announced, Ctrl-C stops it cleanly with its report',
    covers: [/^npm run demo$/],
    async run({ commands, run, freshSandbox }) {
      const sandbox = await freshSandbox();
      for (const command of commands) {
        const result = await run(command, {
          in: sandbox,
          terminal: true,
          interruptWhen: (screen) => /^next run at \d{2}:\d{2} KST/m.test(screen),
        });
        assert.equal(result.status, 0, `the first Ctrl-C stops cleanly:\n${result.screen}`);
        const [, runId, runAt] = line(
          result.screen,
          /^\[SIMULATED\] run (sim-\S+) for (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST$/,
        );
        assert.ok(
          kstMinutesBetween(result.startedAt, result.endedAt).includes(runAt as string),
          `a run now: ${runAt}`,
        );
        const [, next] = line(result.screen, /^next run at (\d{2}:\d{2}) KST \(Ctrl-C stops\)$/);
        const slot = Date.parse(`${runAt?.replace(' ', 'T')}:00+09:00`);
        assert.equal(
          next,
          kstMinute(Math.floor(slot / 1_200_000) * 1_200_000 + 1_200_000).slice(11),
          'the next :00, :20 or :40',
        );
        // The first run's own answers (a slot that comes before Ctrl-C lands adds a second run).
        const answers = readAnswers(sandbox.path('demo-lake')).filter((a) => a.runId === runId);
        const [, ok, of] = line(
          result.screen,
          /^ {2}places: (\d+) ok, \d+ no data, \d+ failed \(of (\d+)\)$/,
        );
        assert.equal(Number(ok), answers.length);
        assert.equal(Number(of), PLACES);
        const report = sandbox.path('demo-lake', 'report.html');
        assert.equal(line(result.screen, /^report: (.+)$/)[1], report);
        assert.ok(existsSync(report));
      }
    },
  },
  {
    name: 'demo --days 2 --faults: failures a person can see in the summary, check and the report',
    covers: [
      /^npm run demo -- --days 2 --faults --lake demo-faults$/,
      /^npm run check -- --lake demo-faults$/,
    ],
    async run({ commandsLike, run, freshSandbox }) {
      const sandbox = await freshSandbox();
      const [demo] = commandsLike(/^npm run demo -- --days 2 --faults/);
      const result = await run(demo as DocCommand, { in: sandbox, terminal: true });
      assert.equal(result.status, 0, result.screen);
      assert.match(result.screen, /^\[SIMULATED\] simulated faults on \(--faults\)/m);
      const lake = sandbox.path('demo-faults');
      const answers = readAnswers(lake);

      // The schedule the demo announced, against the runs the raw archive holds.
      const [, count, first] = line(
        result.screen,
        /^\[SIMULATED\] simulating (\d+) scheduled runs \(2 day\(s\), (.+) KST to (.+) KST\)/,
      );
      const start = Date.parse(`${(first as string).replace(' ', 'T')}:00+09:00`);
      const schedule = Array.from({ length: Number(count) }, (_, i) => kstMinute(start + i * 1_200_000));
      const ran = new Set(answers.map((a) => a.runKst));
      const missing = schedule.filter((slot) => !ran.has(slot));
      const [, written, , leftOut] = line(
        result.screen,
        /^\[SIMULATED\] (\d+) of (\d+) runs written in [\d.]+ s \((\d+) left out: the collector was down, --faults\)/,
      );
      assert.ok(missing.length >= 1, 'one run a KST day never happened');
      assert.equal(Number(leftOut), missing.length);
      assert.equal(Number(written), ran.size);
      const asked = ran.size * PLACES;
      const lost = asked - answers.length;
      assert.ok(lost > asked * 0.005 && lost < asked * 0.1, `${lost} of ${asked} answers not collected`);

      // Stale answers, as the API's own PPLTN_TIME says: more than 60 minutes before their run.
      const minutes = (kst: string) => Date.parse(`${kst.replace(' ', 'T')}:00Z`) / 60_000;
      const staleRuns = new Set(
        answers.filter((a) => minutes(a.runKst) - minutes(a.record.PPLTN_TIME) > 60).map((a) => a.runKst),
      );
      assert.ok(staleRuns.size > 0, 'some answers are an hour and a half old');

      for (const command of commandsLike(/^npm run check -- --lake demo-faults$/)) {
        const checked = await run(command, { in: sandbox, terminal: true });
        assert.equal(checked.status, 1, checked.screen);
        const reported = new Set(
          [
            ...checked.screen.matchAll(
              /^ {2}run \S+ \((\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST\): \d+ place\(s\) with data more than 60 min old/gm,
            ),
          ].map((m) => m[1]),
        );
        assert.deepEqual([...reported].sort(), [...staleRuns].sort());
        const noRun = [
          ...checked.screen.matchAll(/^ {2}no run at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) KST/gm),
        ].map((m) => m[1]);
        assert.ok(noRun.length > 0, checked.screen);
        for (const slot of noRun)
          assert.ok(missing.includes(slot as string), `${slot} is a slot that never ran`);
      }
      const report = readFileSync(sandbox.path('demo-faults', 'report.html'), 'utf8');
      assert.match(report, /the simulator injected faults \(npm run demo -- --faults\)/);
    },
  },
];
