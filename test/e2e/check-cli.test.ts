import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findPlace, type Place } from '../../lambdas/core/places.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { runCli } from '../support/cli.js';
import { writeLiveLake } from '../support/live-lake.js';

/** `npm run check` and `npm run replay` as processes, on a lake the live path wrote (test/unit/check.test.ts checks the same lake in process). */

const SLOTS = [0, 1, 2].map((i) => new Date(Date.parse('2026-07-16T05:00:00Z') + i * 20 * 60_000));
const PLACES = ['POI001', 'POI009', 'POI072'].map((code) => findPlace(code) as Place);
const P1 = 'year=2026/month=07/day=16/hour=14/minute=20';

let base: string;
before(async () => {
  base = mkdtempSync(join(tmpdir(), 'check-cli-base-'));
  await writeLiveLake(new LocalFolderStore(base), SLOTS, PLACES);
});
after(() => rmSync(base, { recursive: true, force: true }));

function copyOfBase(): string {
  const lake = mkdtempSync(join(tmpdir(), 'check-cli-'));
  cpSync(base, lake, { recursive: true });
  return lake;
}
const only = (lake: string, area: string, partition: string) => {
  const folder = join(lake, area, partition);
  return join(folder, readdirSync(folder).sort()[0] as string);
};

describe('npm run check and npm run replay (command line)', () => {
  it('exits 0 on a healthy lake, 1 naming the partition and key of a planted duplicate, 2 on bad options', async () => {
    const lake = copyOfBase();
    const healthy = await runCli(['check', '--lake', lake], {});
    assert.equal(healthy.status, 0, healthy.stderr);
    assert.match(healthy.stdout, /healthy \(\d+ files, 16 checks passed\)/);
    cpSync(only(lake, 'population', P1), join(lake, 'population', P1, 'duplicate.parquet'));
    const broken = await runCli(['check', '--lake', lake], {});
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /^keys held more than once across files \(3\):$/m);
    assert.match(
      broken.stdout,
      new RegExp(
        `^  population ${P1}: POI072 collected at 2026-07-16 14:20 KST held 2 times, in duplicate\\.parquet, `,
        'm',
      ),
    );
    assert.match(broken.stdout, /: 3 problem\(s\) in 1 check\(s\); 3 repairable from raw\//);
    const fixed = await runCli(['check', '--lake', lake, '--fix'], {});
    assert.equal(fixed.status, 0, fixed.stdout);
    assert.match(fixed.stdout, new RegExp(`removed population/${P1}/duplicate\\.parquet`));
    const missing = await runCli(['check', '--lake', join(lake, 'no-such-lake')], {});
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no-such-lake does not exist: expected a lake folder/);
    for (const bad of [
      ['--lake', lake, '--bucket', 'b'],
      ['--stale-minutes', '0'],
      ['--nope'],
      ['--prefix', 'p'],
    ]) {
      const result = await runCli(['check', ...bad], {});
      assert.equal(result.status, 2, `${bad.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error: /);
    }
  });

  it('--help of both commands exits 0 and lists the options they take', async () => {
    const check = await runCli(['check', '--help'], {});
    assert.equal(check.status, 0);
    for (const option of ['--lake', '--bucket', '--prefix', '--fix', '--stale-minutes', '--workers'])
      assert.ok(check.stdout.includes(option), option);
    const replay = await runCli(['replay', '-h'], {});
    assert.equal(replay.status, 0);
    for (const option of [
      '--lake',
      '--bucket',
      '--prefix',
      '--glue-database',
      '--since',
      '--until',
      '--places',
      '--dry-run',
      '--workers',
    ])
      assert.ok(replay.stdout.includes(option), option);
  });

  it('replay refuses bad options with status 2', async () => {
    for (const bad of [
      ['--since', 'yesterday'],
      ['--since', '2026-07-17', '--until', '2026-07-16'],
      ['--places', 'POI999'],
      ['--glue-database', 'db', '--lake', '.'],
      ['--workers', '0'],
      ['--bucket', 'Not_A_Bucket'],
    ]) {
      const result = await runCli(['replay', ...bad], {});
      assert.equal(result.status, 2, `${bad.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error: /);
    }
  });
});
