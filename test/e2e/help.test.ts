import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Every npm script a person runs answers `--help`: exit 0 and text on stdout, having done nothing
 * else (no broker started, no file written, no test run). The only scripts left out are the test
 * suites' runners, whose arguments are test files for Node's own runner.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const TEST_RUNNERS = /^test(:(e2e|checkers|journeys|node24|cfn-lint|iam|sql-parse|parquet-readers|access))?$/;
/** Scripts that hand their arguments to a tool of the field (Biome, tsc, the CDK CLI): its help. */
const THIRD_PARTY = new Set(['lint', 'format', 'typecheck', 'synth']);

function npmRun(script: string, args: readonly string[]) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('NODE_TEST')),
  );
  const run = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const BENCHMARK_NAMES = ['collector', 'writer', 'kafka', 'views', 'replay', 'demo-days', 'user-paths'];

describe('--help of every npm script', { concurrency: 2 }, () => {
  const names = Object.keys(scripts).filter((name) => !TEST_RUNNERS.test(name));

  it('covers the commands of the docs and the tools around them', () => {
    for (const name of ['start', 'demo', 'query', 'report', 'bench', 'soak', 'generate:sql'])
      assert.ok(names.includes(name), name);
  });

  for (const name of names) {
    it(`npm run ${name} -- --help exits 0 with text`, () => {
      const run = npmRun(name, ['--help']);
      assert.equal(run.status, 0, run.stderr);
      if (THIRD_PARTY.has(name)) assert.ok(run.stdout.trim().length > 0, 'prints its help');
      else assert.match(run.stdout, /^Usage: npm (run|start)/m);
    });
  }

  it('npm run bench -- --help lists every benchmark', () => {
    const run = npmRun('bench', ['--help']);
    for (const bench of BENCHMARK_NAMES) assert.match(run.stdout, new RegExp(`^  ${bench} `, 'm'));
  });

  for (const names of [['viewz'], ['kafka', 'kafak'], ['views', 'Views'], ['--days']]) {
    it(`npm run bench -- ${names.join(' ')}: exit 2 with the list, nothing run or started`, () => {
      const run = npmRun('bench', names);
      assert.equal(run.status, 2, run.stderr);
      const wrong = names.find((name) => !BENCHMARK_NAMES.includes(name)) as string;
      assert.match(run.stderr, new RegExp(`no benchmark named "${wrong}"`));
      for (const bench of BENCHMARK_NAMES) assert.match(run.stderr, new RegExp(`^  ${bench} `, 'm'));
      assert.equal(run.stdout, '', 'no benchmark ran');
    });
  }
});
