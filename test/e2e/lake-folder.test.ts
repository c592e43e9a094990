import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiSimulator } from '../../lambdas/cli/simulator/server.js';
import { type CliResult, runCli } from '../support/cli.js';

/**
 * One behaviour for a missing or wrong lake, in the six commands that take one, run as real
 * processes: exit 1, the path and what is expected there on stderr, and not one file or folder
 * created. The oracle is the file tree itself, listed before and after.
 */

/** Every path below `root` with its kind and size: what "nothing created or changed" compares. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true })
    .map(String)
    .map((path) => {
      const stat = statSync(join(root, path));
      return `${path} ${stat.isDirectory() ? 'dir' : stat.size}`;
    })
    .sort();
}

/** A bad lake: where it is, built in a fresh folder, and the words stderr must hold. */
interface BadLake {
  readonly name: string;
  readonly build: (root: string) => string;
  readonly says: RegExp;
}

const MISSING_PARENT: BadLake = {
  name: 'a path whose parent does not exist',
  build: (root) => join(root, 'no-such-folder', 'lake'),
  says: /does not exist.*(expected|created only inside an existing folder)/,
};
const A_FILE: BadLake = {
  name: 'a file',
  build: (root) => {
    writeFileSync(join(root, 'lake'), 'a file, not a lake');
    return join(root, 'lake');
  },
  says: /is a file, not a folder: expected a lake folder/,
};
const OTHER_THINGS: BadLake = {
  name: 'a folder of other things',
  build: (root) => {
    mkdirSync(join(root, 'lake', 'photos'), { recursive: true });
    writeFileSync(join(root, 'lake', 'notes.txt'), 'not a lake');
    return join(root, 'lake');
  },
  says: /holds (other files and )?no lake: expected a lake folder/,
};
const NOT_THERE: BadLake = {
  name: 'a folder that does not exist yet',
  build: (root) => join(root, 'lake'),
  says: /does not exist: expected a lake folder/,
};
const EMPTY: BadLake = {
  name: 'an empty folder',
  build: (root) => {
    mkdirSync(join(root, 'lake'));
    return join(root, 'lake');
  },
  says: /holds no lake: expected a lake folder/,
};
const REAL_LAKE: BadLake = {
  name: 'a lake holding real data (for the demo)',
  build: (root) => {
    mkdirSync(join(root, 'lake', 'population', 'year=2026'), { recursive: true });
    writeFileSync(join(root, 'lake', 'population', 'year=2026', 'real.parquet'), 'real');
    return join(root, 'lake');
  },
  says: /holds real data; the demo writes simulated data only into a lake of its own/,
};
const SIMULATED_LAKE: BadLake = {
  name: 'a lake the simulator wrote (for a real run)',
  build: (root) => {
    mkdirSync(join(root, 'lake', 'population'), { recursive: true });
    writeFileSync(join(root, 'lake', '_SIMULATED'), 'simulated\n');
    return join(root, 'lake');
  },
  says: /holds simulated data \(it has a _SIMULATED file\); choose another --lake/,
};

/** Never reached: every refusal comes before the first request. */
const NO_API = { SEOUL_API_KEY: 'k', SEOUL_API_BASE_URL: 'http://127.0.0.1:1' };

const COMMANDS: Record<string, { args: (lake: string) => string[]; bad: BadLake[] }> = {
  query: { args: (lake) => ['query', 'SELECT 1', '--lake', lake], bad: [NOT_THERE, EMPTY] },
  report: { args: (lake) => ['report', '--lake', lake], bad: [NOT_THERE, EMPTY] },
  replay: { args: (lake) => ['replay', '--lake', lake], bad: [NOT_THERE, EMPTY] },
  check: { args: (lake) => ['check', '--lake', lake], bad: [NOT_THERE, EMPTY] },
  start: {
    args: (lake) => ['start', '--once', '--places', 'POI001', '--lake', lake],
    bad: [SIMULATED_LAKE],
  },
  demo: { args: (lake) => ['demo', '--once', '--places', 'POI001', '--lake', lake], bad: [REAL_LAKE] },
};

function assertRefused(run: CliResult, lake: string, says: RegExp, before: string[], root: string): void {
  assert.equal(run.status, 1, `exit status; stderr: ${run.stderr}`);
  assert.ok(run.stderr.includes(lake), `stderr names ${lake}: ${run.stderr}`);
  assert.match(run.stderr, says);
  assert.deepEqual(tree(root), before, 'nothing created or changed');
}

describe('a missing or wrong lake, in every command that takes one', { concurrency: 4 }, () => {
  for (const [command, { args, bad }] of Object.entries(COMMANDS)) {
    for (const lake of [MISSING_PARENT, A_FILE, OTHER_THINGS, ...bad]) {
      it(`${command}: ${lake.name} exits 1, says where and what is expected, creates nothing`, async () => {
        const root = mkdtempSync(join(tmpdir(), `lake-${command}-`));
        const path = lake.build(root);
        const before = tree(root);
        const run = await runCli(args(path), NO_API, 120_000);
        assertRefused(run, path, lake.says, before, root);
      });
    }
  }

  for (const command of ['query', 'report', 'replay', 'check', 'start']) {
    it(`${command}: the same through LAKE_DIR`, async () => {
      const root = mkdtempSync(join(tmpdir(), `lake-dir-${command}-`));
      const path = A_FILE.build(root);
      const before = tree(root);
      const args = COMMANDS[command]?.args(path) ?? [];
      const withoutLake = args.slice(0, args.indexOf('--lake'));
      const run = await runCli(withoutLake, { ...NO_API, LAKE_DIR: path }, 120_000);
      assertRefused(run, path, A_FILE.says, before, root);
    });
  }
});

describe('a first run makes a new lake inside an existing folder', () => {
  const simulator = new ApiSimulator();
  let baseUrl: string;
  before(async () => {
    baseUrl = await simulator.start();
  });
  after(async () => {
    await simulator.stop();
  });

  it('start: creates the folder, collects, exits 0; an empty folder is taken as is', async () => {
    for (const lake of [NOT_THERE, EMPTY]) {
      const path = lake.build(mkdtempSync(join(tmpdir(), 'lake-new-')));
      const run = await runCli(['start', '--once', '--places', 'POI001', '--lake', path], {
        SEOUL_API_KEY: 'k',
        SEOUL_API_BASE_URL: baseUrl,
      });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(existsSync(join(path, 'population')), `${lake.name}: population/ written`);
      assert.ok(!existsSync(join(path, '_SIMULATED')));
    }
  });

  it('demo: creates the folder, marks it simulated, writes its report, exits 0', async () => {
    const path = NOT_THERE.build(mkdtempSync(join(tmpdir(), 'lake-new-')));
    const run = await runCli(['demo', '--once', '--places', 'POI001', '--lake', path], {});
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(join(path, '_SIMULATED')));
    assert.ok(existsSync(join(path, 'report.html')));
  });
});
