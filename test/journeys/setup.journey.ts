import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Journey } from './support/journey.js';
import { REPO } from './support/sandbox.js';

/**
 * `npm ci`, the first line of every path. It is not run here (it deletes node_modules and fetches
 * every package again); CI runs it first from a clean clone (.ci/run), and this journey checks
 * that what it installed is the lock file's tree.
 */
export const journeys: Journey[] = [
  {
    name: 'npm ci: CI installs from the lock file first, and the installed tree is the lock file’s',
    covers: [/^npm ci$/],
    async run({ commands, vouch, sandbox }) {
      assert.match(readFileSync(`${REPO}/.ci/run`, 'utf8'), /\nnpm ci\b/, '.ci/run installs with npm ci');
      const listed = await sandbox.run('npm ls --all --omit=optional > /dev/null');
      assert.equal(listed.status, 0, `npm ls finds the tree of package-lock.json:\n${listed.stderr}`);
      for (const command of commands)
        vouch(
          command,
          'it deletes node_modules and downloads every package; .ci/run runs it from a clean clone',
        );
    },
  },
];
