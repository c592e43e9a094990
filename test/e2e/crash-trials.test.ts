import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seeded } from '../../lambdas/cli/simulator/generator.js';
import { ALL_PLACES } from '../../lambdas/core/places.js';
import { queryDuckDb, readParquet } from '../support/duckdb.js';
import { HostileApi, type HostileMode } from '../support/hostile-api.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'crash-trials-key-81c4';
const SEED = Number(process.env.CRASH_SEED ?? 424_242);
/** SIGKILLs wanted; a timed kill that comes after its run ended does not count, so more trials may run. */
const KILLS = 24;
const MAX_TRIALS = 48;
const PLACES = ALL_PLACES.slice(0, 30).map((p) => p.code);

/**
 * SIGKILL at seeded random points of the local pipeline (while starting, collecting, and right
 * after a chosen lake write: mid-batch), then one run that is left to finish. Its start repairs what
 * the kills left, and the ledger must hold: no ok outcome without its row or rejection, every
 * Parquet file readable, no temporary file and no unfinished run left.
 */
describe(`crash trials (${KILLS} SIGKILLs, seed ${SEED})`, () => {
  const random = seeded(SEED);
  const api: HostileApi = new HostileApi({
    key: KEY,
    // Answers of the slot's time (the tag is the slot): a time a day away from it is refused.
    now: () => new Date((Date.parse(api.tag) || Date.now()) + 5 * 60_000),
    plan: ({ place, tag }) => {
      const roll = (Number(place.slice(3)) * 7919 + tag.length * 31 + Number(tag.slice(-2) || 0)) % 100;
      const modes: HostileMode[] = [
        'no-data',
        'http-500',
        'duplicate-forecast',
        'whole-number-shares',
        'multi-record',
      ];
      return roll < 10 ? (modes[roll % modes.length] as HostileMode) : 'ok';
    },
  });
  const lake = mkdtempSync(join(tmpdir(), 'crash-trials-'));
  let apiUrl: string;
  const kills: string[] = [];

  const child = (slot: Date, killAfterPuts?: number, killAfterMs?: number) =>
    new Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }>(
      (resolve) => {
        api.tag = slot.toISOString();
        const env: Record<string, string> = {};
        for (const [name, value] of Object.entries(process.env))
          if (value !== undefined && !name.startsWith('NODE_TEST')) env[name] = value;
        Object.assign(env, {
          LAKE: lake,
          API_URL: apiUrl,
          API_KEY: KEY,
          SLOT: slot.toISOString(),
          PLACES: PLACES.join(','),
          ...(killAfterPuts ? { KILL_AFTER_PUTS: String(killAfterPuts) } : {}),
        });
        delete env.KAFKA_BROKERS;
        const process_ = spawn(process.execPath, ['--import', 'tsx', 'test/support/pipeline-child.ts'], {
          cwd: ROOT,
          env,
        });
        let stdout = '';
        let stderr = '';
        process_.stdout.on('data', (chunk) => {
          stdout += chunk;
        });
        process_.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        const timer = killAfterMs ? setTimeout(() => process_.kill('SIGKILL'), killAfterMs) : undefined;
        process_.on('close', (status, signal) => {
          clearTimeout(timer);
          resolve({ status, signal, stdout, stderr });
        });
      },
    );

  before(async () => {
    apiUrl = await api.start();
  });
  after(async () => {
    await api.stop();
    rmSync(lake, { recursive: true, force: true });
  });

  it('leaves a lake that the next start repairs: every ok outcome has its row, nothing half written', async () => {
    const start = Date.parse('2026-07-16T15:00:00Z');
    let killed = 0;
    let trial = 0;
    for (; killed < KILLS && trial < MAX_TRIALS; trial++) {
      const slot = new Date(start + trial * 20 * 60_000);
      // Half the kills land right after a chosen lake write (notes, archive, tables, outcomes), half
      // at a random instant (starting up, recovering, collecting, writing).
      const afterPuts = random() < 0.5 ? 1 + Math.floor(random() * 7) : undefined;
      const afterMs = afterPuts ? undefined : 200 + Math.floor(random() * 1_800);
      const result = await child(slot, afterPuts, afterMs);
      if (result.signal === 'SIGKILL') killed++;
      kills.push(
        `${trial}: ${afterPuts ? `after write ${afterPuts}` : `after ${afterMs} ms`} → ${result.signal ?? result.status}`,
      );
    }
    assert.ok(killed >= KILLS, `only ${killed} trials were killed:\n${kills.join('\n')}`);

    const last = await child(new Date(start + trial * 20 * 60_000));
    assert.equal(last.status, 0, last.stderr);

    const files = await readdir(lake, { recursive: true });
    assert.deepEqual(
      files.filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
    assert.deepEqual(
      files.filter((f) => f.startsWith('_pending_runs/') && f.endsWith('.json')),
      [],
      'no unfinished run',
    );
    for (const file of files.filter((f) => f.endsWith('.parquet'))) {
      await assert.doesNotReject(readParquet(join(lake, file), 'SELECT count(*) FROM data'), file);
    }

    const rows = await readParquet(
      `${lake}/population/**/*.parquet`,
      'SELECT run_id, area_code, count(*) AS n FROM data GROUP BY ALL',
    );
    const rowCount = new Map(rows.map((r) => [`${r.run_id}|${r.area_code}`, Number(r.n)]));
    const rejected = await queryDuckDb(
      '',
      `SELECT runId AS run_id, placeCode AS area_code FROM read_json_auto('${lake}/rejected/**/*.jsonl.gz', format = 'newline_delimited', union_by_name = true) WHERE runId IS NOT NULL`,
    ).catch(() => []);
    const rejectedKeys = new Set(rejected.map((r) => `${r.run_id}|${r.area_code}`));
    const outcomes = await readParquet(
      `${lake}/collection_outcomes/**/*.parquet`,
      'SELECT run_id, area_code, status, reason FROM data',
    );
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const outcome of outcomes) {
      const key = `${outcome.run_id}|${outcome.area_code}`;
      if (seen.has(key)) problems.push(`${key}: two outcomes`);
      seen.add(key);
      const held = (rowCount.get(key) ?? 0) + (rejectedKeys.has(key) ? 1 : 0);
      if (outcome.status === 'ok' && held !== 1) problems.push(`${key}: ok with ${held} rows/rejections`);
      if (outcome.status !== 'ok' && !(outcome.reason as string | null))
        problems.push(`${key}: ${outcome.status} without a reason`);
      if (outcome.status !== 'ok' && held > 0) problems.push(`${key}: ${outcome.status} but a row exists`);
    }
    for (const key of rowCount.keys()) if (!seen.has(key)) problems.push(`${key}: a row without an outcome`);
    assert.deepEqual(problems, [], kills.join('\n'));
    assert.ok(outcomes.length >= PLACES.length, 'the last run at least was recorded');
  });
});
