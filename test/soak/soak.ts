/**
 * `npm run soak`: one simulated day (72 scheduled runs × 121 places) on an accelerated clock,
 * against the hostile API server with a seeded mix of every fault the collector must survive, over
 * a real Kafka broker (KAFKA_BROKERS, started by run.sh) with broker restarts, a writer killed
 * mid-batch (SIGKILL in a child process) and a disk-full episode (a store that fails with ENOSPC).
 * Then the ledger: every (run, place) must end in exactly one of a population row equal to what
 * the server served, a rejected/ entry with its reason, or a failed/no-data outcome with its reason.
 * The last line is the ledger; the exit status is 1 unless nothing was duplicated or lost.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  finishLocalRuns,
  type LocalRunDeps,
  recoverUnfinishedRuns,
  runOnce,
} from '../../lambdas/cli/pipeline/runner.js';
import { KafkaTransport } from '../../lambdas/cli/transport/kafka-transport.js';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { normalizeEnvelope } from '../../lambdas/core/datasets/citydata-ppltn/rows.js';
import { describeError } from '../../lambdas/core/errors.js';
import { ALL_PLACES, findPlace, type Place } from '../../lambdas/core/places.js';
import { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { readParquet } from '../support/duckdb.js';
import { envelopeFor } from '../support/envelopes.js';
import { FullDiskStore } from '../support/full-disk-store.js';
import { HostileApi, type HostileMode, KEY_MODES, LIMIT_MODES, TIME_MODES } from '../support/hostile-api.js';
import { revealsKey } from '../support/key-spellings.js';
import { MemoryLog } from '../support/memory-log.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KAFKA_SH = join(ROOT, 'test/integration/env/kafka.sh');
const KEY = 'Soak-Distinctive-Key-3e9b71c2';
const SEED = Number(process.env.SOAK_SEED ?? 20_260_717);
const RUNS = Number(process.env.SOAK_RUNS ?? 72);
const DAY_START = Date.parse('2026-07-15T15:00:00Z'); // 00:00 KST
const SLOT_MS = 20 * 60_000;
const BROKER_RESTARTS = new Set([Math.floor(RUNS * 0.25), Math.floor(RUNS * 0.6)]);
const WRITER_KILLED = Math.floor(RUNS * 0.4);
const DISK_FULL = Math.floor(RUNS * 0.8); // fills during this run, frees before the run after next
const KEY_REFUSED = Math.floor(RUNS * 0.5); // one place answers INFO-100 in this run
const BROKER_PAUSED = Math.floor(RUNS * 0.7); // SIGSTOP at the run's first answer, SIGCONT once the run ended
/** The paused run's own limit: it ends this plus 4 s after it started, whatever the broker does. */
const PAUSED_RUN_TIMEOUT_MS = 15_000;

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) throw new Error('the soak needs KAFKA_BROKERS: run it with `npm run soak`');

/** mulberry32, so the fault mix is the same on every machine. */
function hash(text: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Transient faults strike one attempt; the others every attempt of that (run, place). */
const TRANSIENT: HostileMode[] = [
  'http-500',
  'http-429',
  'error-500',
  'timeout',
  'malformed-json',
  'stall-body',
];
const LASTING: HostileMode[] = [
  'gzip-lie',
  'oversized',
  'near-limit',
  'echo-key-everywhere',
  'echo-key-message',
  'echo-key-error',
  'duplicate-forecast',
  'multi-record',
  'bad-utf8',
  'whole-number-shares',
  'min-over-max',
  'no-data',
  // Issue 18: answers over the parser's limits, the key in every spelling, repeated keys, times
  // outside the plausible window, text that would drive a terminal.
  ...LIMIT_MODES,
  ...KEY_MODES,
  ...TIME_MODES,
  'duplicate-keys',
  'control-characters',
];

let currentRun = 0;
let onFirstRequest: (() => void) | undefined;
const api = new HostileApi({
  key: KEY,
  now: () => new Date(DAY_START + currentRun * SLOT_MS + 5 * 60_000),
  plan: ({ place, attempt, tag }) => {
    onFirstRequest?.();
    onFirstRequest = undefined;
    if (currentRun === KEY_REFUSED && place === 'POI060') return 'info-100';
    const lasting = hash(`${tag}|${place}|lasting`);
    if (lasting < 0.09)
      return LASTING[Math.floor(hash(`${tag}|${place}|which`) * LASTING.length)] as HostileMode;
    // Bursts: in every 9th run a fifth of the places get a transient fault on their first tries.
    const burst = currentRun % 9 === 4 && hash(`${tag}|${place}|burst`) < 0.2;
    if ((burst && attempt <= 2) || (attempt === 1 && hash(`${tag}|${place}|transient`) < 0.04))
      return TRANSIENT[Math.floor(hash(`${tag}|${place}|t${attempt}`) * TRANSIENT.length)] as HostileMode;
    return 'ok';
  },
});

const lake = mkdtempSync(join(tmpdir(), 'soak-lake-'));
const topic = `seoul.soak.${Date.now().toString(36)}`;
const group = `soak-writer-${Date.now().toString(36)}`;
const log = new MemoryLog();
const store = new FullDiskStore(new LocalFolderStore(lake));
const say = (text: string) => process.stdout.write(`${text}\n`);
/** Runs that threw, with why: a run that threw before asking any place has no outcomes. */
const runErrors: string[] = [];

async function openTransport(): Promise<KafkaTransport> {
  return KafkaTransport.open({
    brokers,
    topic,
    groupId: group,
    log,
    numPartitions: 3,
    batchingWindowMs: 100,
    drainTimeoutMs: 60_000,
    deliver: (batch) => writeBatch(batch, { store, catalog: NO_CATALOG, log }),
  });
}

function kafka(command: 'restart'): void {
  execFileSync('bash', [KAFKA_SH, command], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Pauses (SIGSTOP) or resumes (SIGCONT) the soak's broker: alive, its port open, silent. */
function brokerSignal(signal: 'SIGSTOP' | 'SIGCONT'): void {
  const folder = process.env.KAFKA_RUN_DIR ?? join(ROOT, '.cache/kafka/run');
  process.kill(Number(readFileSync(join(folder, 'broker.pid'), 'utf8').trim()), signal);
}

/** The writer killed mid-batch: this run goes to a child process that SIGKILLs itself after its 3rd lake write. */
function runInKilledChild(slot: Date): Promise<string> {
  return new Promise((resolve) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    Object.assign(env, {
      LAKE: lake,
      API_URL: api.baseUrl,
      API_KEY: KEY,
      SLOT: slot.toISOString(),
      KAFKA_TOPIC: topic,
      KAFKA_GROUP: group,
      KILL_AFTER_PUTS: '3',
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/pipeline-child.ts'], {
      cwd: ROOT,
      env,
    });
    child.stderr.resume();
    child.stdout.resume();
    child.on('close', (status, signal) => resolve(String(signal ?? status)));
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  await api.start();
  let transport = await openTransport();
  const deps = (runTimeoutMs = 60_000): LocalRunDeps => ({
    client: new SeoulApiClient({
      baseUrl: api.baseUrl,
      apiKey: KEY,
      timeoutMs: 400,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      log,
    }),
    places: ALL_PLACES,
    transport,
    store,
    log,
    concurrency: 16,
    runTimeoutMs,
    simulated: true,
  });
  await recoverUnfinishedRuns(deps());
  try {
    for (currentRun = 0; currentRun < RUNS; currentRun++) {
      const slot = new Date(DAY_START + currentRun * SLOT_MS);
      api.tag = slot.toISOString();
      if (BROKER_RESTARTS.has(currentRun)) {
        say(`run ${currentRun}: broker killed (SIGKILL) and restarted on its data`);
        kafka('restart');
      }
      if (currentRun === WRITER_KILLED) {
        await transport.close();
        const ended = await runInKilledChild(slot);
        say(`run ${currentRun}: writer process killed mid-batch (${ended}); the next start repairs`);
        transport = await openTransport();
        await recoverUnfinishedRuns(deps());
        continue;
      }
      if (currentRun === DISK_FULL) {
        // The disk fills once the run has started asking the API.
        onFirstRequest = () => {
          store.full = () => true;
        };
        say(`run ${currentRun}: the disk fills during the run (ENOSPC), and stays full for the next run`);
      }
      if (currentRun === DISK_FULL + 2) store.full = () => false;
      const paused = currentRun === BROKER_PAUSED;
      if (paused) onFirstRequest = () => brokerSignal('SIGSTOP');
      const runStarted = Date.now();
      try {
        const summary = await runOnce(deps(paused ? PAUSED_RUN_TIMEOUT_MS : undefined), slot);
        if (summary.waiting)
          say(`run ${currentRun}: ${summary.waiting.places} answers wait: ${summary.waiting.reason}`);
      } catch (error) {
        runErrors.push(`run ${currentRun}: ${describeError(error)}`);
        say(`run ${currentRun}: ${describeError(error)}`);
      } finally {
        if (paused) {
          brokerSignal('SIGCONT');
          say(
            `run ${currentRun}: the broker was paused (SIGSTOP) at the run's first answer; the run ended after ${((Date.now() - runStarted) / 1000).toFixed(1)} s (RUN_TIMEOUT_MS ${PAUSED_RUN_TIMEOUT_MS / 1000} s), then the broker resumed`,
          );
        }
      }
    }
    const notice = await finishLocalRuns(deps());
    if (notice) say(`at the end: ${notice}`);
  } finally {
    await transport.close();
    await api.stop();
  }
  const ledger = await checkLedger();
  say(`soak took ${((Date.now() - started) / 1000).toFixed(0)} s; lake ${lake}`);
  for (const line of ledger.details.slice(0, 20)) say(`  ${line}`);
  say(
    `runs ${RUNS}, not started ${ledger.notStarted}, attempted ${ledger.attempted}, rows ${ledger.rows}, rejected ${ledger.rejected}, failed ${ledger.failed}, duplicated ${ledger.duplicated}, lost ${ledger.lost}`,
  );
  const ok = ledger.duplicated === 0 && ledger.lost === 0;
  if (ok && !process.env.SOAK_KEEP_LAKE) rmSync(lake, { recursive: true, force: true });
  return ok ? 0 : 1;
}

interface Ledger {
  /** Scheduled runs that never asked a place, each with the reason it gave. */
  notStarted: number;
  /** (run, place) pairs with an outcome: 121 for every run that started. */
  attempted: number;
  rows: number;
  rejected: number;
  failed: number;
  duplicated: number;
  lost: number;
  details: string[];
}

/** Every (run, place) of the outcomes, against the tables, rejected/ and what the server served. */
async function checkLedger(): Promise<Ledger> {
  const ledger: Ledger = {
    notStarted: 0,
    attempted: 0,
    rows: 0,
    rejected: 0,
    failed: 0,
    duplicated: 0,
    lost: 0,
    details: [],
  };
  const outcomes = await readParquet(
    `${lake}/collection_outcomes/**/*.parquet`,
    'SELECT run_id, area_code, status, reason, collected_at FROM data',
  );
  const population = await readParquet(`${lake}/population/**/*.parquet`);
  const rowsBy = new Map<string, Record<string, unknown>[]>();
  for (const row of population) {
    const key = `${row.run_id}|${row.area_code}`;
    rowsBy.set(key, [...(rowsBy.get(key) ?? []), row]);
  }
  const rejectedBy = new Map<string, number>();
  const files = await readdir(lake, { recursive: true });
  for (const file of files.filter((f) => f.startsWith('rejected/') && f.endsWith('.jsonl.gz'))) {
    for (const line of gunzipSync(await readFile(join(lake, file)))
      .toString('utf8')
      .split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { runId?: string; placeCode?: string; reasons?: string[] };
      const key = `${entry.runId}|${entry.placeCode}`;
      if (!entry.reasons?.length) ledger.details.push(`${key}: rejected without a reason`);
      rejectedBy.set(key, (rejectedBy.get(key) ?? 0) + 1);
    }
  }
  const runs = new Set(outcomes.map((o) => String(o.run_id)));
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    const key = `${outcome.run_id}|${outcome.area_code}`;
    ledger.attempted++;
    if (seen.has(key)) {
      ledger.duplicated++;
      ledger.details.push(`${key}: two outcomes`);
      continue;
    }
    seen.add(key);
    const rows = rowsBy.get(key) ?? [];
    const rejections = rejectedBy.get(key) ?? 0;
    if (rows.length + rejections > 1) {
      ledger.duplicated++;
      ledger.details.push(`${key}: ${rows.length} rows and ${rejections} rejections`);
    } else if (outcome.status === 'ok' && rows.length === 1) {
      const served = servedRecord(outcome.collected_at as Date, String(outcome.area_code));
      const difference = served
        ? differs(rows[0] as Record<string, unknown>, served, outcome)
        : 'nothing served';
      if (difference) {
        ledger.lost++;
        ledger.details.push(`${key}: row differs from what was served (${difference})`);
      } else ledger.rows++;
    } else if (outcome.status === 'ok' && rejections === 1) ledger.rejected++;
    else if (outcome.status !== 'ok' && rows.length + rejections === 0 && outcome.reason) ledger.failed++;
    else {
      ledger.lost++;
      ledger.details.push(
        `${key}: ${outcome.status} (${outcome.reason ?? 'no reason'}) with ${rows.length} rows, ${rejections} rejections`,
      );
    }
  }
  for (const key of [...rowsBy.keys(), ...rejectedBy.keys()]) {
    if (!seen.has(key) && runs.has(key.split('|')[0] as string)) {
      ledger.lost++;
      ledger.details.push(`${key}: stored but the run has no outcome for it`);
    } else if (!seen.has(key)) {
      ledger.lost++;
      ledger.details.push(`${key}: stored for a run without outcomes`);
    }
  }
  // Every scheduled run either has its 121 outcomes or said why it did not start: a line of its own.
  const slots = new Set(outcomes.map((o) => (o.collected_at as Date).toISOString()));
  for (let run = 0; run < RUNS; run++) {
    const slot = new Date(DAY_START + run * SLOT_MS).toISOString();
    if (slots.has(slot)) continue;
    const reason = runErrors.find((line) => line.startsWith(`run ${run}:`));
    if (reason) {
      ledger.notStarted++;
      ledger.details.push(`not started: ${reason}`);
    } else {
      ledger.lost += ALL_PLACES.length;
      ledger.details.push(`run ${run} (${slot}): no outcomes and no reason`);
    }
  }
  if (ledger.attempted !== (RUNS - ledger.notStarted) * ALL_PLACES.length) {
    ledger.lost += Math.abs((RUNS - ledger.notStarted) * ALL_PLACES.length - ledger.attempted);
    ledger.details.push(
      `attempted ${ledger.attempted} ≠ ${RUNS - ledger.notStarted} started runs × ${ALL_PLACES.length} places`,
    );
  }
  // The key, in any spelling or any 8 of its characters, never reaches the lake: every file read
  // as a reader would decode it (Parquet through DuckDB, archives unzipped, then JSON, XML and
  // percent decoding by test/support/key-spellings.ts).
  for (const file of files) {
    const path = join(lake, file);
    let text: string | undefined;
    if (file.endsWith('.parquet')) text = JSON.stringify(await readParquet(path).catch(() => []));
    else {
      const body = await readFile(path).catch(() => undefined);
      if (body) text = file.endsWith('.gz') ? gunzipSync(body).toString('utf8') : body.toString('utf8');
    }
    const fragment = text === undefined ? undefined : revealsKey(text, KEY);
    if (fragment) {
      ledger.lost++;
      ledger.details.push(`${file}: shows ${JSON.stringify(fragment)} of the API key`);
    }
  }
  // Line by line: the whole log, decoded every way at once, would not fit in memory.
  for (const line of log.lines) {
    const fragment = revealsKey(JSON.stringify(line), KEY);
    if (!fragment) continue;
    ledger.lost++;
    ledger.details.push(`the log shows ${JSON.stringify(fragment)} of the API key: ${line.message}`);
    break;
  }
  return ledger;
}

/** The record the server served for a place in the run of that slot (its last answer with one). */
function servedRecord(collectedAt: Date, code: string): Record<string, unknown> | undefined {
  const tag = collectedAt.toISOString();
  const answers = api.served.filter((s) => s.tag === tag && s.place === code && s.record);
  return answers[answers.length - 1]?.record;
}

/** Whether a stored row is what normalizing the served record gives (key masked). */
function differs(
  row: Record<string, unknown>,
  served: Record<string, unknown>,
  outcome: Record<string, unknown>,
): string | undefined {
  const masked = JSON.parse(
    JSON.stringify(served).split(KEY).join('***').split(encodeURIComponent(KEY)).join('***'),
  );
  const expected = normalizeEnvelope(
    envelopeFor(masked, {
      place: findPlace(String(outcome.area_code)) as Place,
      collectedAt: (outcome.collected_at as Date).toISOString(),
      runId: String(outcome.run_id),
    }),
  );
  if (!expected.ok) return `served record does not normalize: ${expected.reasons[0]}`;
  for (const [column, value] of Object.entries(expected.population)) {
    if (column === 'fetched_at') continue;
    const stored = row[column];
    const same =
      value instanceof Date
        ? stored instanceof Date && stored.getTime() === value.getTime()
        : stored === value;
    if (!same) return `${column}: ${JSON.stringify(stored)} ≠ ${JSON.stringify(value)}`;
  }
  return undefined;
}

const status = await main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${describeError(error)}\n`);
  return 2;
});
// Kafka clients abandoned by the killed writer and the broker restarts may keep timers alive in
// this harness; the ledger is printed, so end here. (`npm start` exiting on its own is tested in
// test/integration/once-exits.test.ts.)
process.exit(status);
