import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readAnswers } from './support/answers.js';
import type { Journey } from './support/journey.js';

/**
 * `npm run report` on the demo lake: the page is where the command says, and its summary counts
 * the runs of the archived answers, from the first to the last in KST.
 */
export const journeys: Journey[] = [
  {
    name: 'the report of the demo lake, where the command says it wrote it, summing up its runs',
    covers: [/^npm run report -- --lake demo-lake( --out \S+)?$/],
    async run({ commands, run, demoLake, sandbox }) {
      const answers = readAnswers((await demoLake()).lake);
      const runs = [...new Set(answers.map((a) => a.runKst))].sort();
      for (const command of commands) {
        const result = await run(command, { terminal: true });
        assert.equal(result.status, 0, result.screen);
        const out = /--out (\S+)/.exec(command.text)?.[1];
        const expected = out ? resolve(sandbox.root, out) : resolve(sandbox.root, 'demo-lake', 'report.html');
        assert.equal(result.screen.trim().split('\n').at(-1), expected, 'the last line is the page’s path');
        assert.ok(existsSync(expected));
        const summary =
          /<p class="meta" id="summary">(.*?)<\/p>/s.exec(readFileSync(expected, 'utf8'))?.[1] ?? '';
        assert.match(summary, new RegExp(`^${runs.length} run\\(s\\) from ${runs[0]} to ${runs.at(-1)} KST`));
      }
    },
  },
];
