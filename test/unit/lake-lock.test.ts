import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LAKE_LOCK } from '../../lambdas/cli/lake-files.js';
import { acquireLakeLock, LakeBusyError, type LockHolder } from '../../lambdas/cli/pipeline/lake-lock.js';

/**
 * The lake's lock in one process: who holds it, when a holder counts as gone, and that two
 * takers never both win. test/e2e/lake-lock.test.ts runs the commands themselves, with kill -9.
 */
const lakeDir = () => mkdtempSync(join(tmpdir(), 'lock-'));
const lockOf = (lake: string) => JSON.parse(readFileSync(join(lake, LAKE_LOCK), 'utf8')) as LockHolder;

/** A PID no process has now (the kernel's default maximum is 4,194,304). */
function unusedPid(): number {
  for (let pid = 4_194_000; pid > 4_000_000; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no unused pid found');
}

function plant(lake: string, holder: Partial<LockHolder>): LockHolder {
  const full: LockHolder = {
    pid: unusedPid(),
    host: hostname(),
    startedAt: '2026-07-16T05:00:00.000Z',
    command: 'npm start',
    token: 'planted',
    ...holder,
  };
  writeFileSync(join(lake, LAKE_LOCK), JSON.stringify(full));
  return full;
}

const busy = (pattern: RegExp) => (error: unknown) =>
  error instanceof LakeBusyError && pattern.test(error.message);

describe('one writer per lake: the lock', () => {
  it('holds the PID, host, start time and command, and is removed by its release only', async () => {
    const lake = lakeDir();
    const lock = await acquireLakeLock(lake, 'npm run replay');
    const held = lockOf(lake);
    assert.equal(held.pid, process.pid);
    assert.equal(held.host, hostname());
    assert.equal(held.command, 'npm run replay');
    assert.ok(Date.parse(held.startedAt) > 0);
    assert.equal(lock.tookOverFrom, undefined);
    await assert.rejects(
      acquireLakeLock(lake, 'npm start'),
      busy(
        new RegExp(
          `in use by npm run replay \\(pid ${process.pid} on ${hostname()}, since ${held.startedAt}\\); one writer per lake`,
        ),
      ),
    );
    await lock.release();
    assert.equal(existsSync(join(lake, LAKE_LOCK)), false);
    // A release after someone else took the lock leaves theirs.
    const next = await acquireLakeLock(lake, 'npm start');
    await lock.release();
    assert.equal(lockOf(lake).token, next.holder.token);
    await next.release();
  });

  it('lets exactly one of many simultaneous takers win', async () => {
    const lake = lakeDir();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => acquireLakeLock(lake, `taker ${i}`)),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof LakeBusyError));
  });

  for (const [what, stale] of [
    ['its PID is gone (kill -9)', {}],
    ['its PID now belongs to another process', { pid: process.pid, processStart: '1' }],
    ['it was taken before the machine restarted', { pid: process.pid, bootId: 'another-boot' }],
  ] as const) {
    it(`takes over a lock whose holder is gone: ${what}`, async () => {
      const lake = lakeDir();
      const dead = plant(lake, stale);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => acquireLakeLock(lake, 'npm start')),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, 'one taker replaces the dead holder');
      const lock = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLakeLock>>>).value;
      assert.deepEqual(lock.tookOverFrom, dead);
      assert.equal(lockOf(lake).token, lock.holder.token);
      assert.equal(existsSync(join(lake, `${LAKE_LOCK}.takeover`)), false);
      await lock.release();
    });
  }

  it('refuses a lock held on another host, naming it, and never breaks it', async () => {
    const lake = lakeDir();
    plant(lake, { host: 'other-machine', pid: 7 });
    await assert.rejects(
      acquireLakeLock(lake, 'npm start'),
      busy(
        /in use by npm start \(pid 7 on other-machine, .*on another host.*If that process is gone, remove .*_writer\.lock/,
      ),
    );
    assert.equal(lockOf(lake).host, 'other-machine');
  });

  it('refuses a lock file it cannot read, and says what to do', async () => {
    for (const body of ['', 'not json', '{"pid": "x"}', 'x'.repeat(5000)]) {
      const lake = lakeDir();
      writeFileSync(join(lake, LAKE_LOCK), body);
      await assert.rejects(
        acquireLakeLock(lake, 'npm start'),
        busy(/is not a lock this program wrote; .*remove that file/),
      );
      assert.equal(readFileSync(join(lake, LAKE_LOCK), 'utf8'), body);
    }
  });
});
