import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The suites keep their promises: `npm test` (test/unit, test/infra) starts no process, needs no
 * tool from pip and reads no wall clock in an assertion; tests that start processes live in
 * test/e2e (`npm run test:e2e`), the pip checkers' tests in test/checkers (`npm run test:checkers`).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const filesUnder = (folder: string, suffix: string) =>
  readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
const fastSuite = [...filesUnder('test/unit', '.ts'), ...filesUnder('test/infra', '.ts')].filter(
  (file) => file !== 'test/unit/test-suites.test.ts', // names what it looks for
);
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the test suites', () => {
  it('npm test starts no process: no child_process, CLI runner or browser in test/unit or test/infra', () => {
    const starting = fastSuite.filter((file) =>
      /from '(node:)?child_process'|support\/cli\.js|playwright/.test(text(file)),
    );
    assert.deepEqual(starting, [], 'move these to test/e2e');
  });

  it('npm test needs nothing from pip: no file of it reaches the checkers or their virtual environments', () => {
    const needing = fastSuite.filter((file) =>
      /from '[^']*\/checkers\/|checkers-venv|cfn-lint-venv/.test(text(file)),
    );
    assert.deepEqual(needing, [], 'move these to test/checkers');
  });

  it('no test of npm test measures the wall clock: time is a clock the test controls', () => {
    // `Date.now() - started`, `performance.now() - t0`: an elapsed time read off the machine.
    const timing = fastSuite.filter((file) => /\.now\(\)\s*-\s*[A-Za-z_]/.test(text(file)));
    assert.deepEqual(timing, []);
  });

  it('package.json runs each suite on its own folder', () => {
    const { scripts } = JSON.parse(text('package.json')) as { scripts: Record<string, string> };
    assert.match(scripts.test ?? '', /find test\/unit test\/infra -name/);
    assert.match(scripts['test:e2e'] ?? '', /find test\/e2e -name/);
    assert.match(scripts['test:checkers'] ?? '', /find test\/checkers -name/);
    const ci = text('.ci/run');
    for (const script of ['npm test', 'npm run test:e2e', 'npm run test:checkers'])
      assert.ok(ci.includes(`\n${script}\n`), `.ci/run runs ${script}`);
  });

  it('.ci/run runs every test script of package.json, and the access proof after the integration tests that record its calls', () => {
    const { scripts } = JSON.parse(text('package.json')) as { scripts: Record<string, string> };
    const ci = text('.ci/run');
    const runs = (command: string) => ci.indexOf(`\n${command}\n`);
    const testScripts = Object.keys(scripts).filter((name) => name === 'test' || name.startsWith('test:'));
    assert.ok(testScripts.includes('test:access'));
    const missing = testScripts
      .map((name) => (name === 'test' ? 'npm test' : `npm run ${name}`))
      .filter((command) => runs(command) < 0);
    assert.deepEqual(missing, [], 'every test script is a CI stage');
    assert.ok(
      runs('npm run test:access') > runs('npm run test:integration'),
      'the access proof reads the record the integration tests write',
    );
  });

  it('.ci/run runs every test command the README gives for running every test', () => {
    const line = text('README.md')
      .split('\n')
      .find((row) => row.includes('Run every test'));
    assert.ok(line, 'the README says how to run every test');
    const commands = [...line.matchAll(/npm (?:test|run [\w:-]+)/g)].map((match) => match[0]);
    assert.ok(commands.includes('npm run test:access'), 'the README names the access proof');
    const ci = text('.ci/run');
    assert.deepEqual(
      commands.filter((command) => !ci.includes(`\n${command}\n`)),
      [],
    );
  });

  it('every test file the README and docs/ name exists', () => {
    const docs = ['README.md', ...(existsSync(join(ROOT, 'docs')) ? filesUnder('docs', '.md') : [])];
    const missing = docs.flatMap((doc) =>
      [...text(doc).matchAll(/\btest\/[\w./-]+\.(?:ts|sh)\b/g)]
        .map((match) => match[0])
        .filter((path) => !existsSync(join(ROOT, path)))
        .map((path) => `${doc}: ${path}`),
    );
    assert.deepEqual(missing, []);
  });
});
