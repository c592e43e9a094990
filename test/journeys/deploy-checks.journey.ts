import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journey } from './support/journey.js';
import { REPO } from './support/sandbox.js';

/**
 * `npm run preflight` and `npm run verify` as the deploy guide writes them, by a person whose shell
 * has no AWS credentials yet (no account exists here): each must say so as a failed check with
 * what to do, and exit 1, without hanging on a credential lookup. What they do with an account is
 * tested against moto (test/integration/deploy-commands.test.ts) and with test doubles.
 */
const noCredentials = () => ({
  HOME: mkdtempSync(join(tmpdir(), 'journey-home-')),
  AWS_EC2_METADATA_DISABLED: 'true',
});

export const journeys: Journey[] = [
  {
    name: 'a person without AWS credentials runs npm run preflight: no-go, saying to set them up, with the cost the guide states',
    covers: [/^npm run preflight$/],
    async run(context) {
      const guide = readFileSync(join(REPO, 'docs', 'deploy-aws.md'), 'utf8');
      const total = /\| \*\*Total\*\* \| \| \| \*\*~\$(\d+)–(\d+)\*\* \|/.exec(guide);
      assert.ok(total, 'the cost table has a total');
      for (const command of context.commands) {
        const result = await context.run(command, { env: noCredentials(), timeoutMs: 120_000 });
        assert.equal(result.status, 1, result.screen);
        assert.match(result.stdout, /✘ credentials: no usable AWS credentials/);
        assert.match(result.stdout, /→ give the shell credentials for the account/);
        assert.match(result.stdout, /✔ region: ap-northeast-2: MSK Serverless is available there/);
        const cost = /ℹ monthly cost: about \$(\d+)–\$(\d+)/.exec(result.stdout);
        assert.ok(cost, result.stdout);
        // The guide rounds to $5: the printed range is the table's.
        assert.ok(
          Math.abs(Number(cost[1]) - Number(total[1])) <= 5 &&
            Math.abs(Number(cost[2]) - Number(total[2])) <= 5,
          `${cost[0]} against the table's ${total[0]}`,
        );
        assert.match(result.stdout, /NO-GO/);
      }
    },
  },
  {
    name: 'a person without AWS credentials runs npm run verify: a failed check saying to set them up',
    covers: [/^npm run verify$/],
    async run(context) {
      for (const command of context.commands) {
        const result = await context.run(command, { env: noCredentials(), timeoutMs: 120_000 });
        assert.equal(result.status, 1, result.screen);
        assert.match(result.stdout, /✘ stacks: cannot read the stacks/);
        assert.match(result.stdout, /→ give the shell credentials for the account and region of the deploy/);
      }
    },
  },
];
