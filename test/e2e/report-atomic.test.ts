import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnCli } from '../support/cli.js';
import { buildFixtureLake } from '../unit/warehouse-fixture.js';

/**
 * `report.html` as whoever opens it sees it while `npm run report` runs, and after the command is
 * killed at any instant (SIGKILL: nothing of the command runs after it): always the old page or a
 * whole new one, never a page cut short. Instants are spread over the whole run, from start-up to
 * exit; the file is read over and over meanwhile.
 */
const OLD_PAGE = 'the previous page\n';
const isWholePage = (text: string) => /^<!DOCTYPE html>[\s\S]*<\/html>\n$/.test(text);

async function runReport(lake: string, killAfterMs?: number) {
  const child = spawnCli(['report', '--lake', lake], {});
  const out = join(lake, 'report.html');
  const seen = new Set<string>();
  let reading = true;
  const poll = (async () => {
    while (reading) {
      const text = readFileSync(out, 'utf8');
      seen.add(text === OLD_PAGE ? 'old' : isWholePage(text) ? 'new' : `cut: ${text.length} bytes`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const started = performance.now();
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  reading = false;
  await poll;
  return { status, ms: performance.now() - started, seen, after: readFileSync(out, 'utf8') };
}

describe('report.html is replaced in one step', () => {
  it('readers see the old page or the whole new one, also when the command is killed at any instant', async () => {
    const lake = await buildFixtureLake(mkdtempSync(join(tmpdir(), 'report-atomic-')));
    writeFileSync(join(lake, 'report.html'), OLD_PAGE);
    const whole = await runReport(lake);
    assert.equal(whole.status, 0);
    assert.ok(isWholePage(whole.after));
    for (const kind of whole.seen) assert.match(kind, /^(old|new)$/);

    for (let k = 1; k <= 8; k++) {
      writeFileSync(join(lake, 'report.html'), OLD_PAGE);
      const killed = await runReport(lake, (whole.ms * k) / 8);
      const after = killed.after === OLD_PAGE ? 'old' : isWholePage(killed.after) ? 'new' : 'cut';
      assert.notEqual(after, 'cut', `killed at ${k}/8 of a run: report.html is ${killed.after.length} bytes`);
      for (const kind of killed.seen) assert.match(kind, /^(old|new)$/, `killed at ${k}/8 of a run`);
    }
    // A kill between writing the temporary file and renaming it leaves that file: never under the
    // page's name, and the next report writes its own.
    const names = readdirSync(lake).filter((name) => name.includes('report.html'));
    for (const name of names) assert.match(name, /^(report\.html|\.report\.html\.\d+\.tmp)$/);
  });
});
